package io.mecmesh.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6: {@code kill -9} of the slice manager during a stream of 1,000 apply commands. Each apply puts two
 * services at once ({@code a-N} and {@code b-N}); after the restart every apply acknowledged to the client is in the
 * state and no apply is there by half.
 */
class SliceManagerCrashConformanceTest
{
    private static final System.Logger LOG = System.getLogger(SliceManagerCrashConformanceTest.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int COMMANDS = 1_000;
    private static final int KILL_AFTER_ACKS = 300;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void everyAcknowledgedApplyShouldSurviveKillNineAndNoneShouldBeHalfApplied() throws Exception
    {
        final int[] ports = FreePorts.take(4);
        Files.write(dir.resolve("distribution.key"), new byte[32]);
        killDuringAppliesAndRestart(ports, ControlPlaneYaml.control(dir.resolve("control"), ports[1], ports[0],
            ports[2], ports[3], dir.resolve("distribution.key"), ""));
    }

    /** Issue 18 step 1: the same with the desired state on a one-member Aeron Cluster (acknowledged after commit). */
    @Test
    void everyAcknowledgedApplyShouldSurviveKillNineWithTheDesiredStateOnTheCluster() throws Exception
    {
        final int[] ports = FreePorts.take(4);
        Files.write(dir.resolve("distribution.key"), new byte[32]);
        killDuringAppliesAndRestart(ports, ControlPlaneYaml.withCluster(ControlPlaneYaml.control(
            dir.resolve("control"), ports[1], ports[0], ports[2], ports[3], dir.resolve("distribution.key"), "")));
    }

    private void killDuringAppliesAndRestart(final int[] ports, final String yaml) throws Exception
    {
        final List<Integer> acknowledged = new ArrayList<>();
        int attempted = 0;
        final AtomicInteger acks = new AtomicInteger();
        try (ApplianceProcess control = ApplianceProcess.start(dir, "control", ports[1], yaml))
        {
            control.awaitReady();
            final Thread killer = control.killWhen(() -> acks.get() >= KILL_AFTER_ACKS);
            for (int i = 0; i < COMMANDS; i++)
            {
                attempted = i + 1;
                final HttpResponse<String> response;
                try
                {
                    response = Http.post(ports[0], "/v1/apply", document(i));
                }
                catch (final IOException ex)
                {
                    break;
                }
                if (response.statusCode() != 200)
                {
                    break;
                }
                acknowledged.add(i);
                acks.incrementAndGet();
            }
            killer.join(30_000);
            assertThat(control.isAlive()).isFalse();
        }
        LOG.log(System.Logger.Level.INFO, "killed the slice manager with SIGKILL after {0} acknowledged applies ({1}"
            + " attempted)", acknowledged.size(), attempted);
        assertThat(acknowledged.size()).isGreaterThanOrEqualTo(KILL_AFTER_ACKS).isLessThan(COMMANDS);

        try (ApplianceProcess restarted = ApplianceProcess.start(dir, "control-restarted", ports[1], yaml))
        {
            restarted.awaitReady();
            final HttpResponse<String> state = Http.get(ports[0], "/v1/state");
            assertThat(state.statusCode()).isEqualTo(200);
            final Set<String> services = new TreeSet<>();
            JSON.readTree(state.body()).path("services").forEach(service -> services.add(service.path("name")
                .asText()));
            for (final int i : acknowledged)
            {
                assertThat(services).as("acknowledged apply " + i).contains("a-" + i, "b-" + i);
            }
            for (int i = 0; i < attempted; i++)
            {
                assertThat(services.contains("a-" + i)).as("apply " + i + " is whole or absent")
                    .isEqualTo(services.contains("b-" + i));
            }
            assertThat(services).hasSizeLessThanOrEqualTo(2 * attempted);
            final JsonNode journal = JSON.readTree(Http.get(ports[0], "/v1/journal?after=0&limit=1000").body());
            assertThat(journal.path("entries").size()).as("one journal entry per apply").isBetween(
                acknowledged.size(), acknowledged.size() + 1);
        }
    }

    private static String document(final int i)
    {
        return """
            {"slices": [{"snssai": "1-000001", "name": "embb", "fiveQi": 9}],
             "services": [
               {"name": "a-%1$d", "slice": "1-000001", "routes": [{"host": "a-%1$d.example"}],
                "endpoints": [{"address": "10.0.0.1", "port": 8080, "site": "site-a", "zone": "zone-1"}]},
               {"name": "b-%1$d", "slice": "1-000001", "routes": [{"host": "b-%1$d.example"}],
                "endpoints": [{"address": "10.0.0.2", "port": 8080, "site": "site-a", "zone": "zone-1"}]}]}
            """.formatted(i);
    }
}
