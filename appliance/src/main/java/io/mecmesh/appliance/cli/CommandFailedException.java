package io.mecmesh.appliance.cli;

/**
 * A control-plane client command that failed in a way the operator can act on: the message is the one line printed
 * after {@code mecmesh: }, the exit code says which kind ({@link ExitCode}).
 */
final class CommandFailedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    CommandFailedException(final int exitCode, final String message)
    {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode()
    {
        return exitCode;
    }

    /**
     * The same failure about an input file: {@code FILE: message}.
     *
     * @param source the file name.
     * @return the failure, its message prefixed.
     */
    CommandFailedException about(final String source)
    {
        return new CommandFailedException(exitCode, source + ": " + getMessage());
    }
}
