package io.mecmesh.conformance;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One appliance run as an operator runs it, {@code bin/mecmesh run --config FILE}, in its own process, with its
 * standard output and error in {@code NAME.log} next to its configuration.
 */
final class ApplianceProcess implements AutoCloseable
{
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final int adminPort;
    private final Path log;
    private final Process process;

    private ApplianceProcess(final String name, final int adminPort, final Path log, final Process process)
    {
        this.name = name;
        this.adminPort = adminPort;
        this.log = log;
        this.process = process;
    }

    /**
     * Writes {@code DIR/NAME.yaml} and starts the appliance on it; does not wait for it to be ready.
     *
     * @param dir       where the configuration and the log go (the process's working directory).
     * @param name      the node's name, for files and messages.
     * @param adminPort the admin port the YAML sets, to poll {@code /ready} and read {@code /metrics}.
     * @param yaml      the configuration.
     * @return the running appliance.
     */
    static ApplianceProcess start(final Path dir, final String name, final int adminPort, final String yaml)
        throws IOException
    {
        return start(dir, name, adminPort, yaml, Map.of());
    }

    /**
     * As {@link #start(Path, String, int, String)}, with more environment variables for the process.
     *
     * @param environment variables set for this process (beside the test's own environment).
     */
    static ApplianceProcess start(final Path dir, final String name, final int adminPort, final String yaml,
        final Map<String, String> environment) throws IOException
    {
        final Path config = Files.writeString(dir.resolve(name + ".yaml"), yaml);
        final Path log = dir.resolve(name + ".log");
        final ProcessBuilder builder = Launcher.command(dir, "run", "--config", config.toString());
        builder.environment().putAll(environment);
        final Process process = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ApplianceProcess(name, adminPort, log, process);
    }

    /**
     * @return the command line of the running JVM (the launcher execs java in the same process), from
     *         {@code /proc/PID/cmdline}.
     */
    List<String> commandLine() throws IOException
    {
        final String cmdline = Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
        return List.of(cmdline.split("\0"));
    }

    /**
     * Waits until {@code GET /ready} answers 200 (every listener bound; on an edge with a control plane, a
     * configuration applied), for at most 60 s.
     *
     * @throws AssertionError with the appliance's log if it exited or did not become ready in time.
     */
    void awaitReady()
    {
        await200("/ready");
    }

    /**
     * Waits until {@code GET /live} answers 200 (started, whether ready or not), for at most 60 s.
     *
     * @throws AssertionError with the appliance's log if it exited or did not start in time.
     */
    void awaitLive()
    {
        await200("/live");
    }

    private void await200(final String path)
    {
        Processes.await(READY_TIMEOUT, () ->
        {
            if (!process.isAlive())
            {
                throw new AssertionError(name + " exited with " + process.exitValue() + ": " + log());
            }
            try
            {
                return Http.get(adminPort, path).statusCode() == 200;
            }
            catch (final IOException ex)
            {
                return false;
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError(ex);
            }
        }, () -> name + " " + path + " 200; its log: " + log());
    }

    /**
     * @return every sample of {@code GET /metrics}, by series ({@code name{labels}} as exported).
     */
    Map<String, Double> metrics() throws IOException, InterruptedException
    {
        final HttpResponse<String> response = Http.get(adminPort, "/metrics");
        if (response.statusCode() != 200)
        {
            throw new AssertionError(name + " /metrics answered " + response.statusCode());
        }
        final Map<String, Double> samples = new TreeMap<>();
        for (final String line : response.body().split("\n"))
        {
            final int space = line.lastIndexOf(' ');
            if (!line.isEmpty() && line.charAt(0) != '#' && space > 0)
            {
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return samples;
    }

    /**
     * @param series a series as exported, e.g. {@code mecmesh_tls_peer_rejected_total{reason="expired"}}.
     * @return its value now.
     * @throws AssertionError if the appliance does not export it (a renamed metric fails loudly).
     */
    double metric(final String series) throws IOException, InterruptedException
    {
        final Map<String, Double> samples = metrics();
        final Double value = samples.get(series);
        if (value == null)
        {
            throw new AssertionError(name + " exports no " + series + "; it exports " + samples.keySet());
        }
        return value;
    }

    /**
     * Waits, for at most 10 s, until a counter has grown by an amount since a reading: the appliance counts a
     * refused handshake on its event loop while the client may already have exited.
     */
    void awaitMetric(final String series, final double before, final double increase)
    {
        final double[] seen = {before};
        Processes.await(Duration.ofSeconds(10), () ->
        {
            try
            {
                seen[0] = metric(series);
                return seen[0] - before >= increase;
            }
            catch (final IOException ex)
            {
                throw new AssertionError(ex);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError(ex);
            }
        }, () -> name + " " + series + " to grow by " + increase + " from " + before + "; it is " + seen[0]);
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

    /**
     * Kills the process with SIGKILL (no shutdown hook runs) and waits for it to be gone.
     */
    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            throw new AssertionError(name + " did not die within 10 s of SIGKILL");
        }
    }

    /**
     * Starts a thread that kills the process with SIGKILL ({@link #kill}) as soon as {@code when} holds (polled every
     * 0.1 ms) or the process is gone; join it to wait for the kill.
     *
     * @param when the condition, e.g. a count of acknowledged requests reaching a bound.
     * @return the started thread.
     */
    Thread killWhen(final java.util.function.BooleanSupplier when)
    {
        final Thread killer = new Thread(() ->
        {
            while (!when.getAsBoolean() && isAlive())
            {
                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
            }
            try
            {
                kill();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, name + "-killer");
        killer.start();
        return killer;
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    @Override
    public void close()
    {
        Processes.stop(process);
    }
}
