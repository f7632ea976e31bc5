package io.mecmesh.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The {@code create -f}, {@code get}, {@code list} and {@code delete} subcommands {@code mecmesh slice},
 * {@code mecmesh service} and {@code mecmesh app} share: each subclass names its kind and carries its own
 * {@code @Command} (name and description).
 */
final class ObjectCommands
{
    private ObjectCommands()
    {
    }

    /** {@code create -f FILE}: one object from a file, checked here first, then PUT under its name. */
    abstract static class CreateFromFile implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        ServerOption server;

        @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
            description = "One object, YAML or JSON ('-' for standard input).")
        Path file;

        /** @return the kind, as the API's path names it. */
        abstract GetCommand.Kind kind();

        /** @return the singular word of the printed line: {@code service}, {@code app}. */
        abstract String label();

        /**
         * @param json the object.
         * @return its name (or id), once checked as the control plane will.
         * @throws IllegalArgumentException naming the field that is not valid.
         */
        abstract String validate(JsonNode json);

        @Override
        public Integer call() throws Exception
        {
            return ClientOutput.run(spec, () ->
            {
                final String source = file.toString();
                final JsonNode json = ClientOutput.readYaml(file);
                final String name = ClientOutput.validate(source, () -> validate(json));
                final long version;
                try
                {
                    version = server.client().put(kind().path() + "/" + GetCommand.encode(name), (ObjectNode)json)
                        .path("version").asLong();
                }
                catch (final CommandFailedException ex)
                {
                    throw ex.exitCode() == ExitCode.UNAVAILABLE ? ex : ex.about(source);
                }
                spec.commandLine().getOut().println(label() + "/" + name + " created (version " + version + ")");
                spec.commandLine().getOut().flush();
                return ExitCode.OK;
            });
        }
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
