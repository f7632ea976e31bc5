package io.mecmesh.conformance;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HAProxy in the foreground ({@code haproxy -f CFG -db}) on a configuration the test writes, its log (to standard
 * error) in {@code haproxy.log}.
 */
final class HaproxyProcess implements AutoCloseable
{
    private final Process process;
    private final Path log;

    private HaproxyProcess(final Process process, final Path log)
    {
        this.process = process;
        this.log = log;
    }

    /**
     * Checks the configuration ({@code haproxy -c}), starts HAProxy and waits until a port accepts connections.
     *
     * @param dir    where {@code haproxy.cfg} and {@code haproxy.log} go.
     * @param config the configuration.
     * @param port   a port it binds on 127.0.0.1, to know it is up.
     * @return the running HAProxy.
     */
    static HaproxyProcess start(final Path dir, final String config, final int port)
        throws IOException, InterruptedException
    {
        final String haproxy = Processes.onPath("haproxy", "haproxy");
        final Path cfg = Files.writeString(dir.resolve("haproxy.cfg"), config);
        final Processes.Result check = Processes.exec(dir, Duration.ofSeconds(20), haproxy, "-c", "-f",
            cfg.toString());
        assertThat(check.exitCode()).as("haproxy -c: %s", check.output()).isZero();
        final Path log = dir.resolve("haproxy.log");
        final HaproxyProcess started = new HaproxyProcess(new ProcessBuilder(haproxy, "-f", cfg.toString(), "-db")
            .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start(), log);
        Processes.await(Duration.ofSeconds(20), () ->
        {
            if (!started.process.isAlive())
            {
                throw new AssertionError("haproxy exited with " + started.process.exitValue() + ": " + started.log());
            }
            try
            {
                new Socket(InetAddress.getLoopbackAddress(), port).close();
                return true;
            }
            catch (final IOException ex)
            {
                return false;
            }
        }, () -> "haproxy listening on " + port + "; its log: " + started.log());
        return started;
    }

    String log()
    {
        try
        {
            return Files.readString(log, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }

    @Override
    public void close()
    {
        Processes.stop(process);
    }
}
