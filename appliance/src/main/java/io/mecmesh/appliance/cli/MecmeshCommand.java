package io.mecmesh.appliance.cli;

import io.mecmesh.appliance.ApplianceException;
import io.mecmesh.dataplane.error.DataPlaneException;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code mecmesh}: the one command of the appliance. Every subcommand is listed by {@code mecmesh --help} with one
 * line. Errors are one line on standard error, and the exit code says which kind ({@link ExitCode}).
 */
@Command(name = "mecmesh", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    usageHelpWidth = 100,
    description = "Service mesh for telecom edge (MEC) servers.",
    commandListHeading = "%nCommands:%n")
public final class MecmeshCommand implements Runnable
{
    /**
     * The subcommands, in the order {@code mecmesh --help} lists them. Added by {@link #newCommandLine} rather than
     * named in the annotation: picocli builds the model of every command it is given by reflection, which took about
     * 0.6 s of every start (the daemon's restart and each CLI call, perf/RESULTS.md "Memory and start"); a command
     * line names one, and only that one is built.
     */
    private static final List<Class<?>> SUBCOMMANDS = List.of(RunCommand.class, DemoCommand.class,
        CertCommand.class, ApplyCommand.class, GetCommand.class, SliceCommand.class, ServiceCommand.class,
        AppCommand.class, StatusCommand.class, CheckCommand.class, ProxyConfigCommand.class, DiagnoseCommand.class,
        LogsCommand.class, JournalCommand.class, NodeCommand.class, CommandLine.HelpCommand.class);

    @Spec
    CommandSpec spec;

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    /**
     * Runs the command line with the process's standard output and error. Both writers are flushed once the command
     * returns, whatever it printed and however it ended: a command that uses {@code print} (no auto-flush) must not
     * lose its output when the process exits.
     *
     * @param args the arguments.
     * @return the exit code.
     */
    public static int execute(final String... args)
    {
        final PrintWriter out = new PrintWriter(System.out, true);
        final PrintWriter err = new PrintWriter(System.err, true);
        try
        {
            final Path daemonConfig = RunCommand.daemonConfig(args);
            if (daemonConfig != null)
            {
                return RunCommand.runDaemon(daemonConfig, err);
            }
            return newCommandLine(out, err, args.length == 0 ? null : args[0]).execute(args);
        }
        finally
        {
            out.flush();
            err.flush();
        }
    }

    /**
     * Ends the process with the exit code.
     *
     * @param code the exit code.
     */
    public static void exit(final int code)
    {
        System.exit(code);
    }

    /**
     * Builds the command line with the error handling every subcommand shares.
     *
     * @param out where commands print their output.
     * @param err where errors go.
     * @return the command line.
     */
    public static CommandLine newCommandLine(final PrintWriter out, final PrintWriter err)
    {
        return newCommandLine(out, err, null);
    }

    /**
     * Builds the command line with only the subcommand named {@code first} when one is (the others are neither
     * listed nor parsed), with none for {@code --version}, else with all of them (help, an unknown name: picocli's
     * suggestions need them all).
     *
     * @param out   where commands print their output.
     * @param err   where errors go.
     * @param first the command line's first argument, or null.
     * @return the command line.
     */
    static CommandLine newCommandLine(final PrintWriter out, final PrintWriter err, final String first)
    {
        final CommandLine commandLine = new CommandLine(new MecmeshCommand());
        final List<Class<?>> named = SUBCOMMANDS.stream()
            .filter(type -> type != CommandLine.HelpCommand.class
                && type.getAnnotation(Command.class).name().equals(first))
            .toList();
        final boolean versionOnly = "-V".equals(first) || "--version".equals(first);
        for (final Class<?> subcommand : versionOnly ? List.<Class<?>>of() : named.isEmpty() ? SUBCOMMANDS : named)
        {
            commandLine.addSubcommand(subcommand);
        }
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler((ex, args) ->
        {
            final CommandLine failed = ex.getCommandLine();
            failed.getErr().println("mecmesh: " + ex.getMessage() + " (see '"
                + failed.getCommandSpec().qualifiedName() + " --help')");
            return ExitCode.USAGE;
        });
        commandLine.setExecutionExceptionHandler((ex, failed, parseResult) -> failure(ex, failed.getErr()));
        return commandLine;
    }

    /**
     * What a command that failed with an exception prints (one line) and exits with.
     *
     * @param ex  the exception.
     * @param err where the line goes.
     * @return the exit code: CONFIG or UNAVAILABLE for an appliance problem, FAILURE for the CA and the data plane
     *         (UNAVAILABLE when the data plane says so), SOFTWARE (and the stack trace in the log) for anything else.
     */
    static int failure(final Exception ex, final PrintWriter err)
    {
        if (ex instanceof ApplianceException problem)
        {
            err.println("mecmesh: " + problem.getMessage());
            return problem.category() == ApplianceException.Category.CONFIG ? ExitCode.CONFIG : ExitCode.UNAVAILABLE;
        }
        if (ex instanceof CertificateAuthorityException || ex instanceof DataPlaneException)
        {
            err.println("mecmesh: " + ex.getMessage());
            return ex instanceof DataPlaneException dataPlane
                && dataPlane.category() == DataPlaneException.Category.UNAVAILABLE
                ? ExitCode.UNAVAILABLE : ExitCode.FAILURE;
        }
        LoggerFactory.getLogger(MecmeshCommand.class).error("internal error", ex);
        err.println("mecmesh: internal error: " + ex);
        return ExitCode.SOFTWARE;
    }
}
