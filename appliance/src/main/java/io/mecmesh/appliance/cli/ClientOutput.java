package io.mecmesh.appliance.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.mecmesh.appliance.config.YamlErrors;
import io.mecmesh.slicemanager.api.DesiredStateDocument;
import org.yaml.snakeyaml.LoaderOptions;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import picocli.CommandLine.Model.CommandSpec;

/**
 * What the control-plane client commands share: reading YAML documents, writing YAML, JSON and aligned tables,
 * unified diffs, and turning a {@link CommandFailedException} into one line on standard error and an exit code.
 */
final class ClientOutput
{
    /** Output formats of {@code get}, {@code status} and friends. */
    enum Format
    {
        TABLE, JSON, YAML
    }

    /** Reads documents: a key twice in one mapping is an error; SnakeYAML's code-point limit (3 MB by default) is
     * raised above the document limit, so that the one limit an operator meets is {@link #MAX_DOCUMENT_BYTES}. */
    static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
            .loaderOptions(loaderOptions()).build())
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
        .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
        .build();
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The largest document read (the control-plane API's limit too). */
    static final int MAX_DOCUMENT_BYTES = DesiredStateDocument.MAX_DOCUMENT_BYTES;

    private ClientOutput()
    {
    }

    private static LoaderOptions loaderOptions()
    {
        final LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_DOCUMENT_BYTES + 1);
        return options;
    }

    /**
     * Runs a command body, printing a failure as {@code mecmesh: message} on one line.
     *
     * @param spec the command.
     * @param body what it does; returns the exit code.
     * @return the exit code.
     */
    static int run(final CommandSpec spec, final Callable<Integer> body) throws Exception
    {
        try
        {
            return body.call();
        }
        catch (final CommandFailedException ex)
        {
            spec.commandLine().getErr().println("mecmesh: " + ex.getMessage());
            return ex.exitCode();
        }
    }

    /**
     * Reads a YAML (or JSON) file, {@code -} for standard input.
     *
     * @param file the file.
     * @return its tree.
     * @throws CommandFailedException naming the file, the line and the column.
     */
    static JsonNode readYaml(final Path file)
    {
        final String name = file.toString();
        final byte[] bytes;
        try (InputStream in = "-".equals(name) ? System.in : Files.newInputStream(file))
        {
            bytes = in.readNBytes(MAX_DOCUMENT_BYTES + 1);
        }
        catch (final NoSuchFileException ex)
        {
            throw new CommandFailedException(ExitCode.NO_INPUT, name + ": no such file");
        }
        catch (final IOException ex)
        {
            throw new CommandFailedException(ExitCode.NO_INPUT, name + ": cannot read: " + reason(ex));
        }
        if (bytes.length > MAX_DOCUMENT_BYTES)
        {
            throw new CommandFailedException(ExitCode.INVALID_INPUT, name + ": larger than " + MAX_DOCUMENT_BYTES
                + " bytes, the limit of a desired-state document: apply it in parts");
        }
        final JsonNode tree;
        try
        {
            tree = YAML.readTree(bytes);
        }
        catch (final JsonProcessingException ex)
        {
            throw new CommandFailedException(ExitCode.INVALID_INPUT, YamlErrors.notValid(name, ex));
        }
        catch (final IOException ex)
        {
            throw new CommandFailedException(ExitCode.NO_INPUT, name + ": cannot read: " + reason(ex));
        }
        if (tree == null || tree.isMissingNode() || tree.isNull())
        {
            throw new CommandFailedException(ExitCode.INVALID_INPUT, name + ": the file is empty");
        }
        return tree;
    }

    /**
     * Checks input locally, turning the model's {@link IllegalArgumentException} into an invalid-input failure.
     *
     * @param source what to name in the message (a file, or an option).
     * @param check  the check.
     * @param <T>    what it returns.
     * @return what it returns.
     */
    static <T> T validate(final String source, final Supplier<T> check)
    {
        try
        {
            return check.get();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandFailedException(ExitCode.INVALID_INPUT, source.isEmpty() ? ex.getMessage()
                : source + ": " + ex.getMessage());
        }
    }

    /**
     * @param uri an HTTP URL.
     * @return its {@code host:port}, the port made explicit.
     */
    static String hostPort(final URI uri)
    {
        final int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        return uri.getHost() + ":" + port;
    }

    /**
     * Why a connection failed, in words: the JDK's HTTP client throws a {@link ConnectException} without a message
     * for a refused connection, so its message alone would print {@code null}.
     *
     * @param ex the failure.
     * @return e.g. {@code connection refused}, {@code timed out}, or the first message found along the causes.
     */
    static String reason(final IOException ex)
    {
        Throwable cause = ex;
        while (cause != null)
        {
            if (cause instanceof HttpTimeoutException || cause instanceof SocketTimeoutException)
            {
                return "timed out";
            }
            if (cause instanceof UnresolvedAddressException || cause instanceof UnknownHostException)
            {
                return "unknown host";
            }
            if (cause instanceof ConnectException && (cause.getMessage() == null || cause.getMessage().isBlank()))
            {
                return "connection refused";
            }
            if (cause.getMessage() != null && !cause.getMessage().isBlank())
            {
                return cause.getMessage().replaceAll("[\\r\\n]+", " ");
            }
            cause = cause.getCause();
        }
        return ex.getClass().getSimpleName();
    }

    static String yaml(final JsonNode json)
    {
        try
        {
            return YAML.writeValueAsString(json);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("cannot write YAML", ex);
        }
    }

    static String json(final JsonNode json)
    {
        try
        {
            return JSON.writeValueAsString(json);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("cannot write JSON", ex);
        }
    }

    /**
     * Formats rows as columns aligned on the widest cell, two spaces apart.
     *
     * @param header the column names.
     * @param rows   the rows, each as many cells as the header.
     * @return the lines, header first, each ending with a line separator.
     */
    static String table(final List<String> header, final List<List<String>> rows)
    {
        final int[] widths = new int[header.size()];
        final List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (final List<String> row : all)
        {
            for (int i = 0; i < row.size(); i++)
            {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        final StringBuilder text = new StringBuilder();
        for (final List<String> row : all)
        {
            final StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++)
            {
                line.append(row.get(i));
                if (i < row.size() - 1)
                {
                    line.append(" ".repeat(widths[i] - row.get(i).length() + 2));
                }
            }
            text.append(line.toString().stripTrailing()).append(System.lineSeparator());
        }
        return text.toString();
    }

    /**
     * A unified diff of two texts, as one hunk with full context (objects are small).
     *
     * @param fromLabel the label of the old text.
     * @param toLabel   the label of the new text.
     * @param from      the old text ({@code ""} for none).
     * @param to        the new text ({@code ""} for none).
     * @return the diff, lines ending with a line separator.
     */
    static String unifiedDiff(final String fromLabel, final String toLabel, final String from, final String to)
    {
        final List<String> a = from.isEmpty() ? List.of() : from.lines().toList();
        final List<String> b = to.isEmpty() ? List.of() : to.lines().toList();
        final int[][] common = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--)
        {
            for (int j = b.size() - 1; j >= 0; j--)
            {
                common[i][j] = a.get(i).equals(b.get(j)) ? common[i + 1][j + 1] + 1
                    : Math.max(common[i + 1][j], common[i][j + 1]);
            }
        }
        final String eol = System.lineSeparator();
        final StringBuilder diff = new StringBuilder();
        diff.append("--- ").append(fromLabel).append(eol).append("+++ ").append(toLabel).append(eol);
        diff.append("@@ -").append(range(a.size())).append(" +").append(range(b.size())).append(" @@").append(eol);
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size())
        {
            if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j)))
            {
                diff.append(' ').append(a.get(i++)).append(eol);
                j++;
            }
            else if (i < a.size() && (j == b.size() || common[i + 1][j] >= common[i][j + 1]))
            {
                diff.append('-').append(a.get(i++)).append(eol);
            }
            else
            {
                diff.append('+').append(b.get(j++)).append(eol);
            }
        }
        return diff.toString();
    }

    private static String range(final int lines)
    {
        return lines == 0 ? "0,0" : "1," + lines;
    }
}
