package io.mecmesh.appliance.cli;

/**
 * The exit codes of {@code mecmesh}, after sysexits(3) where one fits, so that systemd and scripts can tell a bad
 * configuration from a busy port.
 */
public final class ExitCode
{
    /** Done, or stopped cleanly by a signal. */
    public static final int OK = 0;
    /** A command ran and found a problem it reports (for example {@code cert verify} on an invalid chain). */
    public static final int FAILURE = 1;
    /** The command line is wrong: unknown option, missing argument. */
    public static final int USAGE = 2;
    /** A resource the configuration asks for (port, transport) is not available (EX_UNAVAILABLE). */
    public static final int UNAVAILABLE = 69;
    /** A bug: an unexpected exception (EX_SOFTWARE). The log has the stack trace. */
    public static final int SOFTWARE = 70;
    /** The configuration file is missing or not valid (EX_CONFIG). */
    public static final int CONFIG = 78;

    private ExitCode()
    {
    }
}
