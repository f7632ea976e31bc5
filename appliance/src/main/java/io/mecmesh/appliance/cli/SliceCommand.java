package io.mecmesh.appliance.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.api.DesiredStateDocument;
import io.mecmesh.slicemanager.model.Snssai;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code mecmesh slice create|get|list|delete}: one network slice at a time.
 */
@Command(name = "slice", mixinStandardHelpOptions = true,
    description = "Create, show, list or delete network slices.",
    subcommands = {SliceCommand.Create.class, SliceCommand.Get.class, SliceCommand.List.class,
        SliceCommand.Delete.class})
final class SliceCommand
{
    @Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create or replace a slice; priority and DSCP default from the 5QI.")
    static final class Create implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        ServerOption server;

        @Option(names = "--snssai", required = true, paramLabel = "SST[-SD]", description = "e.g. 1-000001.")
        String snssai;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "e.g. embb.")
        String name;

        @Option(names = "--5qi", required = true, paramLabel = "5QI", description = "A standardized 5QI, e.g. 9.")
        int fiveQi;

        @Option(names = "--dscp", paramLabel = "N", description = "DSCP 0-63 (default: from the 5QI).")
        Integer dscp;

        @Option(names = "--priority", paramLabel = "N", description = "Priority level 1-127 (default: the 5QI's).")
        Integer priority;

        @Override
        public Integer call() throws Exception
        {
            return ClientOutput.run(spec, () ->
            {
                final ObjectNode body = ClientOutput.JSON.createObjectNode();
                body.put("snssai", snssai);
                body.put("name", name);
                body.put("fiveQi", fiveQi);
                if (dscp != null)
                {
                    body.put("dscp", dscp);
                }
                if (priority != null)
                {
                    body.put("priorityLevel", priority);
                }
                ClientOutput.validate("", () -> DesiredStateDocument.standard().validateSlice(body));
                final String canonical = Snssai.parse(snssai).toString();
                final long version = server.client().put("slices/" + GetCommand.encode(canonical), body)
                    .path("version").asLong();
                spec.commandLine().getOut().println("slice/" + name + " " + canonical + " created (version " + version
                    + ")");
                return ExitCode.OK;
            });
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one slice by S-NSSAI or name.")
    static final class Get extends ObjectCommands.GetOne
    {
        @Override
        GetCommand.Kind kind()
        {
            return GetCommand.Kind.SLICES;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the slices.")
    static final class List extends ObjectCommands.ListAll
    {
        @Override
        GetCommand.Kind kind()
        {
            return GetCommand.Kind.SLICES;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a slice no service uses.")
    static final class Delete extends ObjectCommands.DeleteOne
    {
        @Override
        GetCommand.Kind kind()
        {
            return GetCommand.Kind.SLICES;
        }

        @Override
        String label()
        {
            return "slice";
        }
    }
}
