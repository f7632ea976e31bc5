package io.mecmesh.appliance.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * The {@code get}, {@code list} and {@code delete} subcommands {@code mecmesh slice} and {@code mecmesh service}
 * share: each subclass names its kind and carries its own {@code @Command} (name and description).
 */
final class ObjectCommands
{
    private ObjectCommands()
    {
    }

    /** {@code get NAME [-o FORMAT]}: one object. */
    abstract static class GetOne implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        ServerOption server;

        @Parameters(index = "0", paramLabel = "NAME", description = "Its name (a slice also by S-NSSAI).")
        String name;

        @Option(names = {"-o", "--output"}, defaultValue = "yaml", paramLabel = "FORMAT",
            description = "table, json or yaml (default: ${DEFAULT-VALUE}).")
        ClientOutput.Format format;

        abstract GetCommand.Kind kind();

        @Override
        public Integer call() throws Exception
        {
            return ClientOutput.run(spec, () ->
            {
                GetCommand.printOne(spec.commandLine().getOut(), kind(),
                    server.client().get(kind().path() + "/" + GetCommand.encode(name)), format);
                return ExitCode.OK;
            });
        }
    }

    /** {@code list [-o FORMAT]}: every object of the kind. */
    abstract static class ListAll implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        ServerOption server;

        @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
            description = "table, json or yaml (default: ${DEFAULT-VALUE}).")
        ClientOutput.Format format;

        abstract GetCommand.Kind kind();

        @Override
        public Integer call() throws Exception
        {
            return ClientOutput.run(spec, () ->
            {
                GetCommand.printList(spec.commandLine().getOut(), kind(),
                    server.client().get(kind().path()).path("items"), format);
                return ExitCode.OK;
            });
        }
    }

    /** {@code delete NAME}: one object, refused (409, exit 1) while something uses it. */
    abstract static class DeleteOne implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        ServerOption server;

        @Parameters(index = "0", paramLabel = "NAME", description = "Its name (a slice also by S-NSSAI).")
        String name;

        /** @return the kind, as the API's path names it. */
        abstract GetCommand.Kind kind();

        /** @return the singular word of the printed line: {@code slice}, {@code service}. */
        abstract String label();

        @Override
        public Integer call() throws Exception
        {
            return ClientOutput.run(spec, () ->
            {
                final long version = server.client().delete(kind().path() + "/" + GetCommand.encode(name))
                    .path("version").asLong();
                spec.commandLine().getOut().println(label() + "/" + name + " deleted (version " + version + ")");
                return ExitCode.OK;
            });
        }
    }
}
