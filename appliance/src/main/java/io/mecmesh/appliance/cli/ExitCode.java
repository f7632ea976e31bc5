package io.mecmesh.appliance.cli;

/**
 * The exit codes of {@code mecmesh}, after sysexits(3) where one fits, so that systemd and scripts can tell a bad
 * configuration from a busy port.
 *
 * <p>The control-plane client commands ({@code apply}, {@code get}, {@code slice}, {@code service}, {@code status},
 * {@code journal}) exit with {@link #INVALID_INPUT} when the input is not valid (checked locally, or refused by the
 * API with 400 or 422: nothing was applied), {@link #NO_INPUT} when an input file or data directory is missing,
 * {@link #FAILURE} when the control plane refuses the command against its state (404 unknown object, 409 conflict),
 * {@link #NO_PERMISSION} when the API refuses the caller (401 without a client certificate, 403 for a role too low),
 * and {@link #UNAVAILABLE} when the control plane cannot be reached or cannot journal (503).
 */
public final class ExitCode
{
    /** Done, or stopped cleanly by a signal. */
    public static final int OK = 0;
    /** A command ran and found a problem it reports (for example {@code cert verify} on an invalid chain). */
    public static final int FAILURE = 1;
    /** The command line is wrong: unknown option, missing argument. */
    public static final int USAGE = 2;
    /** The input (a desired-state document, an object, an option's value) is not valid; nothing was applied
     * (EX_DATAERR). */
    public static final int INVALID_INPUT = 65;
    /** An input file or directory does not exist or cannot be read (EX_NOINPUT). */
    public static final int NO_INPUT = 66;
    /** A resource the configuration asks for (port, transport) is not available (EX_UNAVAILABLE). */
    public static final int UNAVAILABLE = 69;
    /** The control plane refused the caller: no client certificate (401) or a role too low (403) (EX_NOPERM). */
    public static final int NO_PERMISSION = 77;
    /** A bug: an unexpected exception (EX_SOFTWARE). The log has the stack trace. */
    public static final int SOFTWARE = 70;
    /** The configuration file is missing or not valid (EX_CONFIG). */
    public static final int CONFIG = 78;

    private ExitCode()
    {
    }
}
