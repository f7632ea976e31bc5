package io.mecmesh.conformance;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Runs the real peers these tests talk to (openssl, curl, haproxy, testssl) with a deadline on everything, and stops
 * what they started.
 */
final class Processes
{
    /** Between two looks at a condition being awaited. */
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(50);
    /** How long a process has to exit after SIGTERM before it is killed. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    /**
     * What a finished command printed.
     *
     * @param exitCode its exit code.
     * @param output   standard output and standard error, interleaved.
     */
    record Result(int exitCode, String output)
    {
    }

    private Processes()
    {
    }

    /**
     * Runs a command to its end.
     *
     * @param workingDirectory where it runs.
     * @param timeout          after this it is killed and the test fails.
     * @param stdin            what it reads (then end of file).
     * @param command          the program and its arguments.
     * @return its exit code and output.
     */
    static Result exec(final Path workingDirectory, final Duration timeout, final String stdin,
        final List<String> command) throws IOException, InterruptedException
    {
        final Path output = Files.createTempFile(workingDirectory, "exec", ".out");
        final Process process = new ProcessBuilder(command).directory(workingDirectory.toFile())
            .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try
        {
            try (OutputStream in = process.getOutputStream())
            {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            catch (final IOException ex)
            {
                // The command exited without reading its input (a refused handshake): its output says why.
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
            {
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout
                    + "; it printed: " + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        }
        finally
        {
            stop(process);
            Files.deleteIfExists(output);
        }
    }

    static Result exec(final Path workingDirectory, final Duration timeout, final String... command)
        throws IOException, InterruptedException
    {
        return exec(workingDirectory, timeout, "", List.of(command));
    }

    /**
     * Stops a process: SIGTERM, then SIGKILL if it is still running after a grace period. Safe to call twice.
     *
     * @param process what to stop; {@code null} does nothing (a fixture that failed before starting it).
     */
    static void stop(final Process process)
    {
        if (process == null || !process.isAlive())
        {
            return;
        }
        process.destroy();
        try
        {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly();
                process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits for a condition, looking every 50 ms until a deadline.
     *
     * @param timeout     the deadline, from now.
     * @param condition   what must become true.
     * @param description what was awaited and what was seen instead, for the failure message.
     */
    static void await(final Duration timeout, final BooleanSupplier condition, final Supplier<String> description)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("not within " + timeout + ": " + description.get());
            }
            LockSupport.parkNanos(POLL_NS);
        }
    }

    /**
     * @param debianPackage the package that installs it, for the failure message.
     * @param names the names a program has on different distributions (Debian's testssl.sh is {@code testssl}).
     * @return the first one found on the PATH.
     * @throws AssertionError naming the Debian package to install when none is.
     */
    static String onPath(final String debianPackage, final String... names)
    {
        for (final String name : names)
        {
            for (final String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
            {
                final Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate))
                {
                    return candidate.toString();
                }
            }
        }
        throw new AssertionError(String.join(" or ", names) + " is not on the PATH: apt-get install " + debianPackage
            + " (.ci/run does)");
    }
}
