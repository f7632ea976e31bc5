package io.mecmesh.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.mecmesh.slicemanager.api.DesiredStateDocument;
import picocli.CommandLine.Command;

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
    static final class Create extends ObjectCommands.CreateFromFile
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

        @Override
        String validate(final JsonNode json)
        {
            return DesiredStateDocument.standard().validateService(json).name();
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
