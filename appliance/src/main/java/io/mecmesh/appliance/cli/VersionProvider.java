package io.mecmesh.appliance.cli;

import io.mecmesh.appliance.Version;
import picocli.CommandLine;

/**
 * {@code mecmesh --version}: the build and the JVM it runs on.
 */
final class VersionProvider implements CommandLine.IVersionProvider
{
    @Override
    public String[] getVersion()
    {
        return new String[] {
            "mecmesh " + Version.current(),
            "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + "), "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch"),
        };
    }
}
