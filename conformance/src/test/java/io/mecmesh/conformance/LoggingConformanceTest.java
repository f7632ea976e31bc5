package io.mecmesh.conformance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The appliance's log through the installed launcher: logging is set up in code (no logback.xml), so these check that
 * the packaged jar's configurator is the one logback finds, with the line format and the level variable of the README.
 */
final class LoggingConformanceTest
{
    private static final String LINE = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) ";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldLogOneLinePerEventWithTimeLevelThreadAndLoggerToStandardError() throws Exception
    {
        final int[] ports = FreePorts.take(2);
        try (ApplianceProcess edge = ApplianceProcess.start(dir, "edge", ports[0], yaml(ports)))
        {
            edge.awaitReady();

            assertThat(edge.log().lines())
                .anyMatch(line -> line.matches(LINE + "INFO  \\[main\\] Appliance - mecmesh .* node edge-l started as "
                    + "edge: .*"))
                .anyMatch(line -> line.matches(LINE + "INFO  \\[main\\] DataPlane - listener ingress bound to .*"))
                .noneMatch(line -> line.contains("ch.qos.logback"));
        }
    }

    @Test
    void shouldLeaveOutLinesUnderTheLevelThatMecmeshLogLevelNames() throws Exception
    {
        final int[] ports = FreePorts.take(2);
        try (ApplianceProcess edge = ApplianceProcess.start(dir, "edge", ports[0], yaml(ports),
            Map.of("MECMESH_LOG_LEVEL", "warn")))
        {
            edge.awaitReady();

            assertThat(edge.log()).doesNotContain(" INFO ", "started as edge");
        }
    }

    private String yaml(final int[] ports)
    {
        return """
            role: edge
            node: {id: edge-l}
            dataDirectory: %s
            admin: {address: 127.0.0.1, port: %d}
            dataplane:
              listeners:
                - {name: ingress, address: 127.0.0.1, port: %d}
              clusters:
                - {name: app, endpoints: ["127.0.0.1:9"]}
              routes:
                - {host: "*", pathPrefix: /, cluster: app}
            """.formatted(dir.resolve("data"), ports[0], ports[1]);
    }
}
