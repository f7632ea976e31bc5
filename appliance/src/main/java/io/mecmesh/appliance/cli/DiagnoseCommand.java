package io.mecmesh.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.mecmesh.appliance.Version;
import io.mecmesh.appliance.config.AdminConfig;
import io.mecmesh.appliance.config.ApplianceConfig;
import io.mecmesh.dataplane.transport.Transport;
import io.mecmesh.dataplane.transport.TransportKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code mecmesh diagnose}: one tar.gz for a support case. It holds the configuration file with its secrets redacted
 * ({@link SecretRedaction}), the running appliance's {@code /config_dump} (redacted the same way), {@code /metrics},
 * {@code /ready} and {@code /errors} (its last WARN/ERROR lines), the WARN/ERROR tail of the systemd journal of
 * {@code mecmesh.service} when there is one, the versions (mecmesh, Java, OS, which Netty native transports load
 * here) and what {@code mecmesh check} says. What cannot be collected (the appliance is not running, no journal) is
 * named with the reason in the bundle's {@code MANIFEST.txt} and on standard output; the bundle is still written.
 * Files the configuration names (keys, tokens, certificates) are never read into the bundle.
 */
@Command(name = "diagnose", mixinStandardHelpOptions = true,
    description = "Write a support bundle: redacted config, config_dump, metrics, errors, versions.")
final class DiagnoseCommand implements Callable<Integer>
{
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration JOURNAL_TIMEOUT = Duration.ofSeconds(10);
    private static final int JOURNAL_LINES = 500;
    /** An entry of {@code --output=short-iso} starts with its time; journalctl's notes ("-- No entries --") do not. */
    private static final Pattern JOURNAL_ENTRY = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
        .withZone(ZoneOffset.UTC);

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "/etc/mecmesh/appliance.yaml",
        description = "The appliance configuration (default: ${DEFAULT-VALUE}).")
    Path config;

    @Option(names = "--admin", paramLabel = "URL",
        description = "The appliance's admin endpoint (default: from the configuration's admin section, else $"
            + ProxyConfigCommand.VARIABLE + ", else " + ProxyConfigCommand.DEFAULT + ").")
    String admin;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
        description = "Where to write the bundle (default: mecmesh-diagnose-NODE-TIME.tar.gz here).")
    Path output;

    private final Map<String, String> files = new LinkedHashMap<>();
    private final List<String> missing = new ArrayList<>();

    @Override
    public Integer call() throws Exception
    {
        return ClientOutput.run(spec, () ->
        {
            final Instant now = Instant.now();
            final SecretRedaction redaction = new SecretRedaction();
            final Optional<ApplianceConfig> loaded = configuration(redaction);
            final URI adminUri = adminUri(loaded);
            fromAdmin(adminUri, redaction);
            journal().ifPresent(text -> files.put("journal.txt", text));
            files.put("versions.txt", versions());
            files.put("check.txt", check());
            final String node = loaded.map(c -> c.node().id()).orElse("unknown");
            final String base = "mecmesh-diagnose-" + node + "-" + STAMP.format(now);
            final Path target = output != null ? output : Path.of(base + ".tar.gz");
            write(target, base, now, redaction, adminUri);
            final PrintWriter out = spec.commandLine().getOut();
            out.println("collected: " + String.join(", ", files.keySet()) + " (" + redaction.redactedPaths().size()
                + " secret values redacted)");
            missing.forEach(line -> out.println("missing: " + line));
            out.println("wrote " + target);
            out.flush();
            return ExitCode.OK;
        });
    }

    private Optional<ApplianceConfig> configuration(final SecretRedaction redaction)
    {
        try
        {
            final JsonNode tree = ClientOutput.readYaml(config);
            files.put("appliance.yaml", "# " + config + " as read by mecmesh diagnose, secrets redacted (see "
                + "MANIFEST.txt); the original's comments are not kept\n"
                + ClientOutput.yaml(redaction.redact(tree, "appliance.yaml")));
        }
        catch (final CommandFailedException ex)
        {
            missing.add("appliance.yaml: " + ex.getMessage());
            return Optional.empty();
        }
        try
        {
            return Optional.of(RunCommand.load(config));
        }
        catch (final CommandFailedException ex)
        {
            // check.txt says why; the admin endpoint falls back to the default.
            return Optional.empty();
        }
    }

    private URI adminUri(final Optional<ApplianceConfig> loaded)
    {
        final String url;
        if (admin != null)
        {
            url = admin;
        }
        else if (loaded.isPresent())
        {
            final AdminConfig adminConfig = loaded.get().admin();
            url = "http://" + hostForUrl(adminConfig.address()) + ":" + adminConfig.port();
        }
        else
        {
            url = Optional.ofNullable(System.getenv(ProxyConfigCommand.VARIABLE)).orElse(ProxyConfigCommand.DEFAULT);
        }
        try
        {
            return URI.create(url.endsWith("/") ? url : url + "/");
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandFailedException(ExitCode.USAGE, "--admin: expected a URL such as "
                + ProxyConfigCommand.DEFAULT + ", got \"" + url + "\"");
        }
    }

    /** A wildcard bind address is reached on loopback; an IPv6 literal goes in brackets. */
    private static String hostForUrl(final String address)
    {
        try
        {
            final InetAddress parsed = InetAddress.getByName(address);
            if (parsed.isAnyLocalAddress())
            {
                return parsed.getAddress().length == 4 ? "127.0.0.1" : "[::1]";
            }
            return parsed.getAddress().length == 4 ? parsed.getHostAddress() : "[" + parsed.getHostAddress() + "]";
        }
        catch (final IOException ex)
        {
            return address;
        }
    }

    private void fromAdmin(final URI adminUri, final SecretRedaction redaction)
    {
        final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        final Optional<String> dump = get(client, adminUri, "config_dump");
        if (dump.isEmpty())
        {
            // The first failure says why; the other pages would fail the same way.
            for (final String page : List.of("metrics", "ready", "errors"))
            {
                missing.add(page + ": not asked, " + adminUri + " did not answer /config_dump");
            }
            return;
        }
        try
        {
            final JsonNode tree = ClientOutput.JSON.readTree(dump.get());
            files.put("config_dump.json", tree == null || tree.isNull() ? "null\n"
                : ClientOutput.json(redaction.redact(tree, "config_dump.json")));
        }
        catch (final IOException ex)
        {
            missing.add("config_dump: not JSON (" + ex.getMessage().lines().findFirst().orElse("") + ")");
        }
        get(client, adminUri, "metrics").ifPresent(body -> files.put("metrics.txt", body));
        get(client, adminUri, "ready").ifPresent(body -> files.put("ready.txt", body));
        get(client, adminUri, "errors").ifPresent(body -> files.put("errors.txt", body));
    }

    /** {@code /ready} answers 503 with its reasons when not ready: any answer but a 404 is kept. */
    private Optional<String> get(final HttpClient client, final URI adminUri, final String page)
    {
        final URI uri = adminUri.resolve(page);
        try
        {
            final HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET()
                .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() == 404 || response.statusCode() >= 500 && !"ready".equals(page))
            {
                missing.add(page + ": " + uri + " answered HTTP " + response.statusCode());
                return Optional.empty();
            }
            return Optional.of(response.body());
        }
        catch (final IOException ex)
        {
            missing.add(page + ": the admin endpoint " + uri + " is not reachable (" + ClientOutput.reason(ex)
                + "): is the appliance running? (--admin URL)");
            return Optional.empty();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new CommandFailedException(ExitCode.UNAVAILABLE, "interrupted");
        }
    }

    /** The WARN/ERROR tail of the systemd journal of mecmesh.service, when journalctl runs here. */
    private Optional<String> journal()
    {
        final List<String> command = List.of("journalctl", "--unit=mecmesh.service", "--priority=warning",
            "--lines=" + JOURNAL_LINES, "--no-pager", "--output=short-iso");
        try
        {
            final Path captured = Files.createTempFile("mecmesh-journal", ".txt");
            try
            {
                final Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(captured.toFile()).start();
                process.getOutputStream().close();
                if (!process.waitFor(JOURNAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                {
                    process.destroyForcibly();
                    missing.add("journal: journalctl did not answer within " + JOURNAL_TIMEOUT.toSeconds() + " s");
                    return Optional.empty();
                }
                final String text = Files.readString(captured, StandardCharsets.UTF_8);
                if (process.exitValue() != 0
                    || text.lines().noneMatch(line -> JOURNAL_ENTRY.matcher(line).lookingAt()))
                {
                    missing.add("journal: no WARN/ERROR entries of mecmesh.service (journalctl exit "
                        + process.exitValue() + ": " + String.join(" ", text.lines().limit(3).map(String::trim)
                        .toList()) + ")");
                    return Optional.empty();
                }
                return Optional.of("# " + String.join(" ", command) + "\n" + text);
            }
            finally
            {
                Files.deleteIfExists(captured);
            }
        }
        catch (final IOException ex)
        {
            missing.add("journal: journalctl cannot run here (" + ex.getMessage() + ")");
            return Optional.empty();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new CommandFailedException(ExitCode.UNAVAILABLE, "interrupted");
        }
    }

    private static String versions()
    {
        final StringBuilder text = new StringBuilder(512)
            .append("mecmesh: ").append(Version.current()).append('\n')
            .append("java: ").append(System.getProperty("java.version")).append(" (")
            .append(System.getProperty("java.vendor")).append(", ").append(System.getProperty("java.vm.name"))
            .append(' ').append(System.getProperty("java.vm.version")).append(", ")
            .append(System.getProperty("java.home")).append(")\n")
            .append("os: ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
            .append(' ').append(System.getProperty("os.arch")).append(osRelease()).append('\n')
            .append("cpus: ").append(Runtime.getRuntime().availableProcessors())
            .append(", max heap of this command: ").append(Runtime.getRuntime().maxMemory() / (1024 * 1024))
            .append(" MiB\n");
        for (final TransportKind kind : List.of(TransportKind.IO_URING, TransportKind.EPOLL))
        {
            text.append("netty transport ").append(kind.name().toLowerCase(Locale.ROOT)).append(": ");
            try
            {
                Transport.select(kind);
                text.append("available\n");
            }
            catch (final RuntimeException | LinkageError ex)
            {
                text.append("not available (").append(ex.getMessage()).append(")\n");
            }
        }
        return text.append("(the transport the running appliance chose is the label of mecmesh_build_info in "
            + "metrics.txt)\n").toString();
    }

    private static String osRelease()
    {
        try
        {
            return Files.readAllLines(Path.of("/etc/os-release")).stream()
                .filter(line -> line.startsWith("PRETTY_NAME="))
                .map(line -> " (" + line.substring("PRETTY_NAME=".length()).replace("\"", "") + ")")
                .findFirst().orElse("");
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    private String check()
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = MecmeshCommand.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true))
            .execute("check", "--config", config.toString());
        return "# mecmesh check --config " + config + " (exit " + code + ")\n" + out + err;
    }

    private void write(final Path target, final String base, final Instant now, final SecretRedaction redaction,
        final URI adminUri)
    {
        final StringBuilder manifest = new StringBuilder(1024)
            .append("mecmesh diagnose ").append(Version.current()).append(" at ").append(now).append('\n')
            .append("configuration: ").append(config.toAbsolutePath()).append('\n')
            .append("admin endpoint: ").append(adminUri).append("\n\ncollected:\n");
        files.keySet().forEach(name -> manifest.append("  ").append(name).append('\n'));
        manifest.append("\nmissing:\n");
        if (missing.isEmpty())
        {
            manifest.append("  nothing\n");
        }
        missing.forEach(line -> manifest.append("  ").append(line).append('\n'));
        manifest.append("\nredacted (replaced by ").append(SecretRedaction.REDACTED).append("; the same values are "
            + "also replaced wherever else they appear in this bundle):\n");
        if (redaction.redactedPaths().isEmpty())
        {
            manifest.append("  nothing\n");
        }
        redaction.redactedPaths().forEach(path -> manifest.append("  ").append(path).append('\n'));
        final Path absolute = target.toAbsolutePath();
        final Path directory = absolute.getParent();
        try
        {
            final Path temporary = Files.createTempFile(directory, ".mecmesh-diagnose", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try
            {
                try (OutputStream stream = Files.newOutputStream(temporary);
                     TarGzWriter tar = new TarGzWriter(stream, now.getEpochSecond()))
                {
                    tar.add(base + "/MANIFEST.txt", redaction.scrub(manifest.toString()));
                    for (final Map.Entry<String, String> file : files.entrySet())
                    {
                        tar.add(base + "/" + file.getKey(), redaction.scrub(file.getValue()));
                    }
                }
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            finally
            {
                Files.deleteIfExists(temporary);
            }
        }
        catch (final IOException ex)
        {
            throw new CommandFailedException(ExitCode.FAILURE, target + ": cannot write the bundle: "
                + ClientOutput.reason(ex));
        }
    }
}
