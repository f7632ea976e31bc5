package io.mecmesh.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.api.DesiredStateDocument;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code mecmesh service create|get|list|delete}: one service at a time.
 */
@Command(name = "service", mixinStandardHelpOptions = true,
    description = "Create (from a YAML object), show, list or delete services.",
    subcommands = {ServiceCommand.Create.class, ServiceCommand.Get.class, ServiceCommand.List.class,
        ServiceCommand.Delete.class})
final class ServiceCommand
{
    @Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create or replace a service from a file with one service object.")
    static final class Create implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        ServerOption server;

        @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
            description = "One service object, YAML or JSON ('-' for standard input).")
        Path file;

        @Override
        public Integer call() throws Exception
        {
            return ClientOutput.run(spec, () ->
            {
                final String source = file.toString();
                final JsonNode json = ClientOutput.readYaml(file);
                final String name = ClientOutput.validate(source,
                    () -> DesiredStateDocument.standard().validateService(json).name());
                final long version;
                try
                {
                    version = server.client().put("services/" + GetCommand.encode(name), (ObjectNode)json)
                        .path("version").asLong();
                }
                catch (final CommandFailedException ex)
                {
                    throw ex.exitCode() == ExitCode.UNAVAILABLE ? ex : ex.about(source);
                }
                spec.commandLine().getOut().println("service/" + name + " created (version " + version + ")");
                return ExitCode.OK;
            });
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one service.")
    static final class Get extends ObjectCommands.GetOne
    {
        @Override
        GetCommand.Kind kind()
        {
            return GetCommand.Kind.SERVICES;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the services.")
    static final class List extends ObjectCommands.ListAll
    {
        @Override
        GetCommand.Kind kind()
        {
            return GetCommand.Kind.SERVICES;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a service placed on no node.")
    static final class Delete extends ObjectCommands.DeleteOne
    {
        @Override
        GetCommand.Kind kind()
        {
            return GetCommand.Kind.SERVICES;
        }

        @Override
        String label()
        {
            return "service";
        }
    }
}
