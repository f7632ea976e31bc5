package io.mecmesh.appliance;

import io.mecmesh.appliance.cli.MecmeshCommand;

/**
 * The {@code mecmesh} command's entry point.
 */
public final class Main
{
    private Main()
    {
    }

    public static void main(final String[] args)
    {
        // Chronicle libraries phone home unless told not to; the launcher sets this too, this is the backstop.
        System.setProperty("chronicle.analytics.disable", "true");
        MecmeshCommand.exit(MecmeshCommand.execute(args));
    }
}
