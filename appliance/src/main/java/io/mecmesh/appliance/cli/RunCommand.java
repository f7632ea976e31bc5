package io.mecmesh.appliance.cli;

import io.mecmesh.appliance.Appliance;
import io.mecmesh.appliance.ApplianceException;
import io.mecmesh.appliance.config.ApplianceConfig;
import io.mecmesh.appliance.config.ConfigLoader;
import io.mecmesh.appliance.config.ControlPlaneConfig;
import io.mecmesh.appliance.config.DistributionKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code mecmesh run --config FILE}: the daemon. Validates the configuration once, starts, and serves until
 * SIGTERM or SIGINT. With {@code --check} it validates what {@code run} would validate before it binds anything
 * (the file, then the distribution key it names) and exits.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the appliance (the daemon) with a configuration file until stopped.")
final class RunCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
        description = "The appliance configuration (YAML), e.g. /etc/mecmesh/appliance.yaml.")
    Path config;

    @Option(names = "--check", description = "Validate the configuration, print OK and exit without starting.")
    boolean checkOnly;

    @Override
    public Integer call() throws Exception
    {
        return ClientOutput.run(spec, () ->
        {
            final ApplianceConfig loaded = load(config);
            if (checkOnly)
            {
                loaded.controlPlane().map(ControlPlaneConfig::keyFile).ifPresent(RunCommand::distributionKey);
                spec.commandLine().getOut().println(config + ": OK");
                return ExitCode.OK;
            }
            final Appliance appliance = Appliance.start(loaded);
            UntilStopped.await(appliance);
            return ExitCode.OK;
        });
    }

    /**
     * The daemon's own command line, {@code run --config FILE} (or {@code -c FILE}, {@code --config=FILE}), as the
     * systemd unit and the container start it: recognised without picocli, whose model of a command is built by
     * reflection from classes the class archive cannot hold (about a fifth of an edge's start, perf/RESULTS.md
     * "restart"). Anything else ({@code --check}, {@code --help}, a mistake) goes through picocli as before.
     *
     * @param args the command line.
     * @return the configuration file, or {@code null} when the command line is not exactly that.
     */
    static Path daemonConfig(final String... args)
    {
        if (args.length == 2 && "run".equals(args[0]) && args[1].startsWith("--config=")
            && args[1].length() > "--config=".length())
        {
            return Path.of(args[1].substring("--config=".length()));
        }
        if (args.length == 3 && "run".equals(args[0]) && ("-c".equals(args[1]) || "--config".equals(args[1]))
            && !args[2].isEmpty() && !args[2].startsWith("-"))
        {
            return Path.of(args[2]);
        }
        return null;
    }

    /**
     * Runs the daemon as {@link #call()} does without {@code --check}, with the same one-line errors and exit codes.
     *
     * @param file the configuration file.
     * @param err  where a failure's line goes.
     * @return the exit code.
     */
    static int runDaemon(final Path file, final PrintWriter err)
    {
        try
        {
            UntilStopped.await(Appliance.start(load(file)));
            return ExitCode.OK;
        }
        catch (final CommandFailedException ex)
        {
            err.println("mecmesh: " + ex.getMessage());
            return ex.exitCode();
        }
        catch (final Exception ex)
        {
            return MecmeshCommand.failure(ex, err);
        }
    }

    /**
     * Loads a configuration file as {@code run} and {@code check} do: a file that is missing or unreadable is a
     * missing input (66), a file that is not a valid configuration is a bad configuration (78).
     *
     * @param file the file.
     * @return the configuration.
     * @throws CommandFailedException with the exit code and the one-line reason.
     */
    static ApplianceConfig load(final Path file)
    {
        if (!Files.isReadable(file))
        {
            throw new CommandFailedException(ExitCode.NO_INPUT, file + ": "
                + (Files.exists(file) ? "cannot be read" : "no such file"));
        }
        try
        {
            return ConfigLoader.load(file);
        }
        catch (final ApplianceException ex)
        {
            throw new CommandFailedException(ExitCode.CONFIG, ex.getMessage());
        }
    }

    /**
     * @param keyFile {@code controlPlane.keyFile}, or {@code null} (role all without one).
     * @return the key's length in bytes (0 without a file).
     * @throws CommandFailedException (78) when {@link DistributionKey} refuses it.
     */
    static int distributionKey(final Path keyFile)
    {
        if (keyFile == null)
        {
            return 0;
        }
        try
        {
            return DistributionKey.read(keyFile).length;
        }
        catch (final ApplianceException ex)
        {
            throw new CommandFailedException(ExitCode.CONFIG, ex.getMessage());
        }
    }
}
