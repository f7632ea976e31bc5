package io.mecmesh.conformance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a new user does first, against the built distribution: start {@code mecmesh demo} from some directory, run
 * the curl line it prints, look at the admin endpoint, press Ctrl-C.
 */
class DemoConformanceTest
{
    static final Pattern CURL_LINE = Pattern.compile("^\\s+(curl .*?)(\\s+\\(.*\\))?$");
    private static final Pattern MECMESH_LINE = Pattern.compile("^\\s+mecmesh (.*)$");
    private static final Pattern TOKEN = Pattern.compile("'([^']*)'|(\\S+)");
    private static final Pattern MEC_LINE = Pattern.compile(
        "^MEC API: (https://\\S+) app-instance (\\S+) traffic-rule (\\S+) dns-rule (\\S+) token (\\S+)$");
    private static final Pattern DNS_LINE = Pattern.compile("^DNS: (\\S+):(\\d+) (\\S+) -> (\\S+)$");
    private static final Pattern ADMIN_LINE = Pattern.compile("^Admin endpoint: (http://\\S+)/ready");

    @Test
    void shouldServeThePrintedCurlThroughTheProxyAndStopCleanlyOnCtrlC(@TempDir final Path anywhere)
        throws Exception
    {
        final Process demo = Launcher.command(anywhere, "demo", "--proxy-port", "0", "--admin-port", "0")
            .redirectError(anywhere.resolve("demo.err").toFile())
            .start();
        try
        {
            final List<String> printed = readUntilCtrlCHint(demo);
            final List<String> curls = printed.stream().map(CURL_LINE::matcher).filter(Matcher::matches)
                .map(m -> m.group(1)).toList();
            assertThat(curls).as("curl lines printed: the mTLS hop, one per slice, the MEC API").hasSize(4);
            final String admin = printed.stream().map(ADMIN_LINE::matcher).filter(Matcher::find)
                .map(m -> m.group(1)).findFirst()
                .orElseThrow(() -> new AssertionError("no admin line in: " + printed));

            final String response = exec(tokens(curls.get(0)));
            assertThat(response).startsWith("HTTP/1.1 200");
            assertThat(response).contains("hello from the mecmesh demo backend (GET /hello");
            assertThat(exec(tokens(curls.get(1)))).startsWith("HTTP/1.1 200")
                .contains("(GET /watch, host video.demo)");
            assertThat(exec(tokens(curls.get(2)))).startsWith("HTTP/1.1 200")
                .contains("(GET /control/valve, host plc.demo)");
            final Matcher mecLine = printed.stream().map(MEC_LINE::matcher).filter(Matcher::matches).findFirst()
                .orElseThrow(() -> new AssertionError("no MEC API line in: " + printed));
            assertThat(curls.get(3)).contains(mecLine.group(1) + "/mec_app_support/v2/applications/"
                + mecLine.group(2) + "/traffic_rules/" + mecLine.group(3));
            assertThat(exec(tokens(curls.get(3)))).as("the MEC API serves the printed line")
                .containsPattern("^HTTP/[0-9.]+ 200").contains("\"trafficRuleId\":\"" + mecLine.group(3) + "\"")
                .contains("\"state\":\"ACTIVE\"");
            assertThat(exec("curl", "-sS", "-i", "-k", "--max-time", "15", "-H", "Authorization: Bearer "
                + mecLine.group(5), mecLine.group(1) + "/mec_app_support/v2/applications/" + mecLine.group(2)
                + "/traffic_rules/" + mecLine.group(3))).as("the printed token authenticates the application")
                .containsPattern("^HTTP/[0-9.]+ 200").contains("\"trafficRuleId\":\"" + mecLine.group(3) + "\"");
            final List<String> mecmesh = printed.stream().map(MECMESH_LINE::matcher).filter(Matcher::matches)
                .map(m -> m.group(1)).toList();
            assertThat(mecmesh).hasSize(2);
            final Launcher.Result status = Launcher.run(anywhere, tokens(mecmesh.get(0)));
            assertThat(status.exitCode()).as(status.toString()).isZero();
            assertThat(status.out()).containsPattern("sidecar-a +(\\d+) +\\1 +yes")
                .containsPattern("sidecar-b +(\\d+) +\\1 +yes");

            final Matcher dns = printed.stream().map(DNS_LINE::matcher).filter(Matcher::matches).findFirst()
                .orElseThrow(() -> new AssertionError("no DNS line in: " + printed));
            Processes.onPath("bind9-dnsutils", "dig");
            assertThat(exec("dig", "@" + dns.group(1), "-p", dns.group(2), "+tries=1", "+time=3", dns.group(3), "A"))
                .as("the demo application's DNS rule, answered by sidecar A's MEC DNS").contains("status: NOERROR")
                .containsPattern(Pattern.quote(dns.group(3)) + "\\.\\s+60\\s+IN\\s+A\\s+"
                    + Pattern.quote(dns.group(4)));

            assertThat(exec("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", admin + "/ready")).isEqualTo("200");
            assertThat(exec("curl", "-s", admin + "/metrics")).contains("mecmesh_responses_total{class=\"2xx\"} 2.0")
                .as("the eMBB curl (video.demo, no classification rule) is counted in its route's slice, eMBB")
                .containsPattern("mecmesh_slice_requests_total\\{slice=\"1-000001\"\\} [1-9]");
            // The README's MEC tour: the service registered over Mp1 and the activated traffic rule, through sidecar A.
            final String sidecarA = curls.get(0).replaceAll(".*(http://127\\.0\\.0\\.1:[0-9]+).*", "$1");
            assertThat(exec("curl", "-s", "-i", "-H", "Host: mecsvc.demo", sidecarA + "/")).startsWith("HTTP/1.1 200")
                .contains("host mecsvc.demo");
            assertThat(exec("curl", "-s", "-i", "-H", "Host: 192.0.2.10", sidecarA + "/")).startsWith("HTTP/1.1 200")
                .contains("host 192.0.2.10");

            final boolean sigint = !ignoresSigint(demo.pid());
            new ProcessBuilder("kill", sigint ? "-INT" : "-TERM", String.valueOf(demo.pid())).start().waitFor();

            assertThat(demo.waitFor(2, TimeUnit.SECONDS)).as("demo stopped within 2 s of Ctrl-C").isTrue();
            assertThat(demo.exitValue()).isEqualTo(sigint ? 130 : 143);
            assertThat(Files.readString(anywhere.resolve("demo.err"))).contains("mecmesh stopped")
                .doesNotContain("ERROR").doesNotContain("Exception");
        }
        finally
        {
            demo.destroyForcibly();
        }
    }

    @Test
    void shouldFailStartWithTheKeyPathOfABadConfigFile(@TempDir final Path anywhere) throws Exception
    {
        final Path config = Files.writeString(anywhere.resolve("appliance.yaml"),
            "dataplane:\n  listeners:\n    - name: in\n      port: 15001\n  routes:\n    - cluster: nowhere\n");

        final Launcher.Result result = Launcher.run(anywhere, "run", "--config", "appliance.yaml");

        assertThat(result.exitCode()).isEqualTo(78);
        assertThat(result.err()).isEqualTo(
            "mecmesh: appliance.yaml: dataplane.routes[0].cluster: no cluster named \"nowhere\" (clusters: )\n");
    }

    @Test
    void shouldPrintTheVersionFromAnyDirectory(@TempDir final Path anywhere) throws Exception
    {
        final Launcher.Result result = Launcher.run(anywhere, "--version");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("mecmesh ");
    }

    @Test
    void shouldValidateTheShippedDefaultConfiguration(@TempDir final Path anywhere) throws Exception
    {
        final Path config = Launcher.home().resolve("etc/appliance.yaml");

        final Launcher.Result result = Launcher.run(anywhere, "run", "--config", config.toString(), "--check");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo(config + ": OK\n");
    }

    static List<String> readUntilCtrlCHint(final Process demo) throws Exception
    {
        final BufferedReader out = new BufferedReader(
            new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8));
        final CompletableFuture<List<String>> lines = CompletableFuture.supplyAsync(() ->
        {
            final List<String> read = new ArrayList<>();
            try
            {
                String line;
                while ((line = out.readLine()) != null)
                {
                    read.add(line);
                    if (line.startsWith("Press Ctrl-C"))
                    {
                        break;
                    }
                }
            }
            catch (final IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
            return read;
        });
        return lines.get(60, TimeUnit.SECONDS);
    }

    /** Splits a printed command line into arguments, honouring single quotes as a shell does. */
    static String[] tokens(final String line)
    {
        final List<String> tokens = new ArrayList<>();
        final Matcher matcher = TOKEN.matcher(line);
        while (matcher.find())
        {
            tokens.add(matcher.group(1) != null ? matcher.group(1) : matcher.group(2));
        }
        return tokens.toArray(new String[0]);
    }

    private static String exec(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String(output, StandardCharsets.UTF_8);
    }

    /** A process started from a shell without job control inherits SIGINT ignored; the JVM keeps it so. */
    private static boolean ignoresSigint(final long pid) throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")))
        {
            if (line.startsWith("SigIgn:"))
            {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 1)) != 0;
            }
        }
        return false;
    }
}
