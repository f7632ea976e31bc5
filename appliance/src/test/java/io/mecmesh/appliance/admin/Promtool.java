package io.mecmesh.appliance.admin;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks an exposition with the real {@code promtool check metrics}.
 */
final class Promtool
{
    private Promtool()
    {
    }

    /**
     * @param text a Prometheus text exposition.
     * @throws AssertionError if promtool is missing or refuses it.
     */
    static void assertAccepts(final String text) throws IOException, InterruptedException
    {
        final Process promtool;
        try
        {
            promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            throw new AssertionError("promtool is needed for this test: apt-get install prometheus (.ci/run does)",
                ex);
        }
        try (OutputStream in = promtool.getOutputStream())
        {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
        final String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.exitValue()).as("promtool check metrics said: %s", output).isZero();
    }
}
