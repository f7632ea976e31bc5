package io.mecmesh.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code mecmesh node token create NODE [--ttl 1h]}: a one-time enrolment token for a node declared in the desired
 * state (admin role). The token goes to the node's {@code identity.joinTokenFile}; the node's first SVID is signed
 * once with it, its renewals authenticate with the SVID itself.
 */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = "Nodes: one-time enrolment tokens.",
    subcommands = {NodeCommand.Token.class})
final class NodeCommand
{
    /** {@code mecmesh node token ...}. */
    @Command(name = "token", mixinStandardHelpOptions = true, description = "Enrolment tokens.",
        subcommands = {NodeCommand.Create.class})
    static final class Token
    {
    }

    /** {@code mecmesh node token create NODE [--ttl 1h]}. */
    @Command(name = "create", mixinStandardHelpOptions = true,
        description = {"Create a one-time enrolment token bound to NODE and its site (admin). Prints the token "
            + "alone on standard output: write it to the node's identity.joinTokenFile (0600).",
            "The token also pins the control plane's root CA (its SHA-256), which the node checks on its first TLS "
                + "connection, before it has a trust bundle."})
    static final class Create implements Callable<Integer>
    {
        private static final Pattern TTL = Pattern.compile("(\\d{1,9})([smhd])");

        @Spec
        CommandSpec spec;

        @Mixin
        ServerOption server;

        @Parameters(index = "0", paramLabel = "NODE", description = "The node's id (declared in the desired state).")
        String node;

        @Option(names = "--ttl", defaultValue = "1h", paramLabel = "DURATION",
            description = "How long the token may be used: 30m, 1h, 2d (default: ${DEFAULT-VALUE}; at most 7d).")
        String ttl;

        @Override
        public Integer call() throws Exception
        {
            return ClientOutput.run(spec, () ->
            {
                final Duration duration = parseTtl(ttl);
                final JsonNode answer = server.client().post("identity/tokens", ClientOutput.JSON.createObjectNode()
                    .put("nodeId", node).put("ttlSeconds", duration.toSeconds()));
                final PrintWriter out = spec.commandLine().getOut();
                out.println(answer.path("token").asText());
                out.flush();
                final PrintWriter err = spec.commandLine().getErr();
                err.println("mecmesh: one-time token for node " + node + ", valid " + ttl + "; pins the root CA sha256 "
                    + answer.path("rootFingerprint").asText());
                err.flush();
                return ExitCode.OK;
            });
        }

        static Duration parseTtl(final String text)
        {
            final Matcher matcher = TTL.matcher(text.trim());
            if (!matcher.matches() || Long.parseLong(matcher.group(1)) == 0)
            {
                throw new CommandFailedException(ExitCode.USAGE, "--ttl: expected a positive duration such as 30m,"
                    + " 1h or 2d, got \"" + text + "\"");
            }
            final long amount = Long.parseLong(matcher.group(1));
            return switch (matcher.group(2))
            {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
    }
}
