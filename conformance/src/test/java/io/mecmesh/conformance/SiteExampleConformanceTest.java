package io.mecmesh.conformance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README.md's site example (a control plane and two edges on one host, from the files shipped in
 * {@code etc/examples/site/}), run as printed: the block is read from README.md and run in one bash, with
 * {@code mecmesh} on the PATH. What the test adds, and only that: the distribution's directory for
 * {@code /opt/mecmesh}, free ports for the example's fixed ones (in the block and in the copied files), a wait for
 * each started process's {@code /ready} (an operator waits for it too), a wait for edge-a to run the applied
 * configuration before the {@code curl}, and the demo workload the example's service points at.
 */
class SiteExampleConformanceTest
{
    private static final String MARKER = "<!-- site-example";
    /** The example's ports: the files' and the block's, each replaced by a free one. 8080 is the workload's. */
    private static final List<Integer> EXAMPLE_PORTS =
        List.of(9902, 40401, 40402, 40403, 40404, 15000, 15001, 15002, 10001, 10002);
    private static final int WORKLOAD_PORT = 8080;
    private static final Pattern RUN = Pattern.compile("^mecmesh run --config (\\S+) &.*$");
    private static final Pattern CURL = Pattern.compile("^curl .*$");
    private static final Duration TIMEOUT = Duration.ofSeconds(240);

    @TempDir
    Path dir;

    @Test
    void shouldRunTheReadmeSiteExampleAsPrintedAndServeTheServiceThroughAnEdge() throws Exception
    {
        final List<String> block = block();
        assertThat(block).as("the README's site example block").hasSizeGreaterThan(5)
            .anyMatch(line -> line.startsWith("mecmesh apply -f desired-state.yaml"));
        final Path shipped = Launcher.home().resolve("etc/examples/site");
        assertThat(shipped.resolve("control.yaml")).as("shipped with the distribution").isRegularFile();

        try (EchoBackend workload = new EchoBackend("video"))
        {
            final Map<Integer, Integer> ports = new LinkedHashMap<>();
            final int[] free = FreePorts.take(EXAMPLE_PORTS.size());
            for (int i = 0; i < free.length; i++)
            {
                ports.put(EXAMPLE_PORTS.get(i), free[i]);
            }
            ports.put(WORKLOAD_PORT, workload.port());
            final Path pids = dir.resolve("pids");
            final Path script = Files.writeString(dir.resolve("site.sh"), script(block, ports, pids));
            try
            {
                final Processes.Result result = Processes.exec(dir, TIMEOUT, "bash", script.toString());

                assertThat(result.exitCode()).as("the block, run as printed:%n%s", result.output()).isZero();
                assertThat(result.output()).as("mecmesh apply and status, then curl through edge-a")
                    .contains("applied version 1")
                    .containsPattern("(?m)^edge-a +1 +1 +yes").containsPattern("(?m)^edge-b +1 +1 +yes")
                    .contains("video GET /");
                assertThat(workload.requests()).as("the workload got the request through edge-a").hasSize(1);
                assertThat(Files.readString(dir.resolve("mecmesh-site/site.log"))).doesNotContain("ERROR");
            }
            finally
            {
                stopStarted(pids);
            }
        }
    }

    /** The lines of the site example's block, comments and all, as README.md prints them. */
    static List<String> block() throws IOException
    {
        final List<String> lines = Files.readAllLines(Readme.path());
        int at = 0;
        while (at < lines.size() && !lines.get(at).startsWith(MARKER))
        {
            at++;
        }
        assertThat(at).as("README.md has the site example marker " + MARKER).isLessThan(lines.size());
        assertThat(lines.get(at + 1)).isEqualTo("```sh");
        final List<String> block = new ArrayList<>();
        for (int i = at + 2; i < lines.size() && !lines.get(i).startsWith("```"); i++)
        {
            block.add(lines.get(i));
        }
        return block;
    }

    /**
     * The block as one bash script: each README line as printed (ports moved), and after it what an operator would
     * wait for. Background processes' output goes to {@code site.log}; their pids to {@code pids}.
     */
    private static String script(final List<String> block, final Map<Integer, Integer> ports, final Path pids)
    {
        final StringBuilder script = new StringBuilder();
        script.append("set -euo pipefail\n")
            .append("export PATH='").append(Launcher.home().resolve("bin")).append("':\"$PATH\"\n")
            .append("export MECMESH_SERVER=https://127.0.0.1:").append(ports.get(9902)).append('\n')
            .append("exec 3>> '").append(pids).append("'\n");
        boolean copied = false;
        for (final String printed : block)
        {
            final String line = movePorts(printed.replace("/opt/mecmesh", Launcher.home().toString()), ports);
            if (line.startsWith("mecmesh status"))
            {
                script.append(waitFor("mecmesh status | grep -Eq '^edge-a +1 +1 +yes' && mecmesh status"
                    + " | grep -Eq '^edge-b +1 +1 +yes'", "both edges run version 1"));
            }
            if (CURL.matcher(line).matches())
            {
                script.append(waitFor("curl -sf http://127.0.0.1:" + ports.get(15001)
                    + "/config_dump | grep -q video.example", "edge-a runs the applied configuration"));
            }
            final Matcher run = RUN.matcher(line);
            if (run.matches())
            {
                // As printed, with its output kept for the test to read.
                script.append(line, 0, line.indexOf('&')).append(">> site.log 2>&1 &\n")
                    .append("echo $! >&3\n");
                script.append(waitFor("curl -sf -o /dev/null http://127.0.0.1:$(sed -n "
                    + "'/^admin:/,/^[a-z]/s/^  port: *\\([0-9]*\\).*/\\1/p' " + run.group(1) + ")/ready",
                    run.group(1) + " ready"));
                continue;
            }
            script.append(line).append('\n');
            if (!copied && line.contains("cd mecmesh-site"))
            {
                copied = true;
                // The shipped files' ports moved to free ones, as in the block.
                final StringBuilder sed = new StringBuilder("chmod -R u+w . && sed -i");
                ports.forEach((from, to) -> sed.append(" -e 's/\\b").append(from).append("\\b/").append(to)
                    .append("/g'"));
                script.append(sed).append(" *.yaml\n");
            }
        }
        return script.toString();
    }

    private static String movePorts(final String line, final Map<Integer, Integer> ports)
    {
        String moved = line;
        for (final Map.Entry<Integer, Integer> port : ports.entrySet())
        {
            moved = moved.replaceAll("\\b" + port.getKey() + "\\b", String.valueOf(port.getValue()));
        }
        return moved;
    }

    /** A bash loop polling a condition every 100 ms until it holds, for at most 120 s. */
    private static String waitFor(final String condition, final String what)
    {
        return "deadline=$((SECONDS + 120)); until " + condition + "; do if ((SECONDS > deadline)); then echo 'not"
            + " within 120 s: " + what + "'; cat site.log; exit 1; fi; sleep 0.1; done\n";
    }

    private static void stopStarted(final Path pids) throws IOException
    {
        if (!Files.exists(pids))
        {
            return;
        }
        for (final String pid : Files.readAllLines(pids))
        {
            if (!pid.isBlank())
            {
                ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(process ->
                {
                    process.destroy();
                    process.onExit().orTimeout(15, java.util.concurrent.TimeUnit.SECONDS)
                        .exceptionally(ex ->
                        {
                            process.destroyForcibly();
                            return process;
                        }).join();
                });
            }
        }
    }
}
