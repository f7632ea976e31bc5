package io.mecmesh.conformance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the built {@code mecmesh} launcher (packaging/target/mecmesh/bin/mecmesh) as a user would.
 */
final class Launcher
{
    /**
     * What a finished command printed.
     *
     * @param exitCode its exit code.
     * @param out      standard output.
     * @param err      standard error.
     */
    record Result(int exitCode, String out, String err)
    {
    }

    private Launcher()
    {
    }

    static Path home()
    {
        final String home = System.getProperty("mecmesh.home");
        if (home == null)
        {
            throw new IllegalStateException("mecmesh.home is not set: run these tests through Maven (mvn verify)");
        }
        final Path launcher = Path.of(home, "bin", "mecmesh");
        if (!Files.isExecutable(launcher))
        {
            throw new IllegalStateException(launcher + " is missing: the packaging module builds it (mvn verify)");
        }
        return Path.of(home);
    }

    static ProcessBuilder command(final Path workingDirectory, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(home().resolve("bin/mecmesh").toString());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile());
        // The launcher turns Netty's leak detector off for production; the black-box tests keep it sampling, so that
        // a leak shows in a process's log (which the tests check for errors).
        builder.environment().merge("MECMESH_JAVA_OPTS", "-Dio.netty.leakDetection.level=simple",
            (set, simple) -> set + " " + simple);
        return builder;
    }

    static Result run(final Path workingDirectory, final String... args) throws IOException, InterruptedException
    {
        return run(workingDirectory, Map.of(), args);
    }

    /**
     * Runs the launcher with more environment variables.
     *
     * @param workingDirectory where it runs.
     * @param environment      variables set for it (beside the test's own).
     * @param args             the arguments.
     * @return its exit code and output.
     */
    static Result run(final Path workingDirectory, final Map<String, String> environment, final String... args)
        throws IOException, InterruptedException
    {
        final Path out = Files.createTempFile("mecmesh-out", ".txt");
        final Path err = Files.createTempFile("mecmesh-err", ".txt");
        try
        {
            final ProcessBuilder builder = command(workingDirectory, args);
            builder.environment().putAll(environment);
            final Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new AssertionError("mecmesh " + String.join(" ", args) + " did not finish within 60 s");
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        }
        finally
        {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
