package io.mecmesh.appliance.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.appliance.accesslog.AccessLogEntry;
import io.mecmesh.appliance.accesslog.AccessLogQueue;
import io.mecmesh.appliance.config.ApplianceConfig;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code mecmesh logs}: prints the access log (a Chronicle Queue under the data directory) with filters; works
 * while the appliance runs and after it stopped. With {@code -f}, waits for new records until interrupted.
 */
@Command(name = "logs", mixinStandardHelpOptions = true,
    description = "Print the access log (one line per request), filtered; -f follows new requests.")
final class LogsCommand implements Callable<Integer>
{
    /** Text or JSON lines. */
    enum Output
    {
        TEXT, JSON
    }

    private static final Pattern STATUS = Pattern.compile("[1-5][0-9x][0-9x]");
    private static final Pattern AGO = Pattern.compile("(\\d{1,9})(s|m|h|d)");
    private static final ObjectWriter JSON_LINE = ClientOutput.JSON.writer()
        .without(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
        description = "The appliance's configuration, whose accessLog.directory (or dataDirectory) is read "
            + "(default: /etc/mecmesh/appliance.yaml).")
    Path config;

    @Option(names = "--dir", paramLabel = "DIR", description = "The access log's directory (instead of --config).")
    Path directory;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new records until interrupted.")
    boolean follow;

    @Option(names = "--slice", paramLabel = "S",
        description = "Only this slice: SST-SD in hex (1-0000a1), SST alone, or unclassified.")
    String slice;

    @Option(names = "--status", paramLabel = "STATUS", description = "Only this status (404) or class (5xx).")
    String status;

    @Option(names = "--since", paramLabel = "T",
        description = "Only requests that ended after T: an age (30s, 10m, 2h, 1d) or an ISO-8601 time.")
    String since;

    @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT",
        description = "text (one line per request) or json (one object per line) (default: ${DEFAULT-VALUE}).")
    Output output;

    @Override
    public Integer call() throws Exception
    {
        return ClientOutput.run(spec, () ->
        {
            final Predicate<AccessLogEntry> filter = statusFilter(status).and(sliceFilter(slice))
                .and(sinceFilter(since, Instant.now()));
            final Path queueDirectory = queueDirectory();
            if (!Files.isDirectory(queueDirectory))
            {
                throw new CommandFailedException(ExitCode.NO_INPUT, queueDirectory + ": no access log here (is "
                    + "accessLog.enabled true in the appliance's configuration?)");
            }
            final PrintWriter out = spec.commandLine().getOut();
            final IdleStrategy idle = new BackoffIdleStrategy(1, 1, TimeUnit.MILLISECONDS.toNanos(1),
                TimeUnit.MILLISECONDS.toNanos(200));
            try (ChronicleQueue queue = AccessLogQueue.openForReading(queueDirectory);
                ExcerptTailer tailer = queue.createTailer())
            {
                while (true)
                {
                    final int read = printAvailable(tailer, filter, out);
                    out.flush();
                    if (!follow || Thread.currentThread().isInterrupted())
                    {
                        break;
                    }
                    idle.idle(read);
                }
            }
            return ExitCode.OK;
        });
    }

    private int printAvailable(final ExcerptTailer tailer, final Predicate<AccessLogEntry> filter,
        final PrintWriter out)
    {
        int read = 0;
        while (true)
        {
            final AccessLogEntry entry;
            try (DocumentContext context = tailer.readingDocument())
            {
                if (!context.isPresent())
                {
                    return read;
                }
                entry = AccessLogQueue.read(context.wire().bytes());
            }
            read++;
            if (entry != null && filter.test(entry))
            {
                out.println(output == Output.JSON ? json(entry) : text(entry));
            }
        }
    }

    private Path queueDirectory()
    {
        if (directory != null)
        {
            return directory;
        }
        final ApplianceConfig loaded = RunCommand.load(config == null ? CheckCommand.DEFAULT_CONFIG : config);
        return loaded.accessLog().directory();
    }

    static Predicate<AccessLogEntry> statusFilter(final String status)
    {
        if (status == null)
        {
            return e -> true;
        }
        final String wanted = status.toLowerCase(Locale.ROOT);
        if (!STATUS.matcher(wanted).matches())
        {
            throw new CommandFailedException(ExitCode.USAGE, "--status: expected a status such as 404 or a class "
                + "such as 5xx, got \"" + status + "\"");
        }
        return e ->
        {
            final String actual = Integer.toString(e.status());
            if (actual.length() != 3)
            {
                return false;
            }
            for (int i = 0; i < 3; i++)
            {
                if (wanted.charAt(i) != 'x' && wanted.charAt(i) != actual.charAt(i))
                {
                    return false;
                }
            }
            return true;
        };
    }

    static Predicate<AccessLogEntry> sliceFilter(final String slice)
    {
        if (slice == null)
        {
            return e -> true;
        }
        final String wanted = slice.toLowerCase(Locale.ROOT);
        return e -> e.slice().equals(wanted);
    }

    static Predicate<AccessLogEntry> sinceFilter(final String since, final Instant now)
    {
        if (since == null)
        {
            return e -> true;
        }
        final long fromMs = sinceMs(since, now);
        return e -> e.timeMs() >= fromMs;
    }

    static long sinceMs(final String since, final Instant now)
    {
        final Matcher ago = AGO.matcher(since);
        if (ago.matches())
        {
            final long amount = Long.parseLong(ago.group(1));
            final Duration age = switch (ago.group(2))
            {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
            return now.minus(age).toEpochMilli();
        }
        try
        {
            return OffsetDateTime.parse(since).toInstant().toEpochMilli();
        }
        catch (final DateTimeParseException ex)
        {
            throw new CommandFailedException(ExitCode.USAGE, "--since: expected an age such as 10m or an ISO-8601 "
                + "time such as 2026-12-07T15:00:00Z, got \"" + since + "\"");
        }
    }

    private static String text(final AccessLogEntry e)
    {
        final StringBuilder line = new StringBuilder(160)
            .append(Instant.ofEpochMilli(e.timeMs())).append(' ')
            .append(e.status()).append(' ')
            .append("slice=").append(e.slice()).append(' ')
            .append("route=").append(e.route().isEmpty() ? "-" : e.route()).append(' ')
            .append("endpoint=").append(e.endpoint().isEmpty() ? "-" : e.endpoint()).append(' ')
            .append("caller=").append(e.caller().isEmpty() ? "-" : e.caller()).append(' ')
            .append("in=").append(e.requestBytes()).append(' ')
            .append("out=").append(e.responseBytes()).append(' ')
            .append("ms=").append(String.format(Locale.ROOT, "%.3f", e.durationNs() / 1e6)).append(' ')
            .append("upstream_ms=").append(String.format(Locale.ROOT, "%.3f", e.upstreamNs() / 1e6)).append(' ')
            .append("attempts=").append(e.attempts());
        if (!e.flagNames().isEmpty())
        {
            line.append(" flags=").append(String.join(",", e.flagNames()));
        }
        return line.toString();
    }

    private static String json(final AccessLogEntry e)
    {
        final ObjectNode node = ClientOutput.JSON.createObjectNode()
            .put("time", Instant.ofEpochMilli(e.timeMs()).toString())
            .put("status", e.status())
            .put("slice", e.slice())
            .put("route", e.route())
            .put("endpoint", e.endpoint())
            .put("caller", e.caller())
            .put("requestBytes", e.requestBytes())
            .put("responseBytes", e.responseBytes())
            .put("durationNs", e.durationNs())
            .put("upstreamNs", e.upstreamNs())
            .put("attempts", e.attempts());
        e.flagNames().forEach(node.putArray("flags")::add);
        try
        {
            return JSON_LINE.writeValueAsString(node);
        }
        catch (final JsonProcessingException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
