package io.mecmesh.appliance.cli;

import io.mecmesh.appliance.Appliance;
import io.mecmesh.appliance.config.ApplianceConfig;
import io.mecmesh.appliance.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code mecmesh run --config FILE}: the daemon. Validates the configuration once, starts, and serves until
 * SIGTERM or SIGINT.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the appliance (the daemon) with a configuration file until stopped.")
final class RunCommand implements Callable<Integer>
{
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
        description = "The appliance configuration (YAML), e.g. /etc/mecmesh/appliance.yaml.")
    Path config;

    @Option(names = "--check", description = "Validate the configuration, print OK and exit without starting.")
    boolean checkOnly;

    @Override
    public Integer call()
    {
        final ApplianceConfig loaded = ConfigLoader.load(config);
        if (checkOnly)
        {
            System.out.println(config + ": OK");
            return ExitCode.OK;
        }
        final Appliance appliance = Appliance.start(loaded);
        UntilStopped.await(appliance);
        return ExitCode.OK;
    }
}
