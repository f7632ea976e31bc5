package io.mecmesh.appliance.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line builds only the subcommand it runs (start time), and all of them when it must list or suggest. */
class MecmeshCommandLineTest
{
    private final PrintWriter out = new PrintWriter(new StringWriter(), true);

    @Test
    void shouldBuildOnlyTheNamedSubcommand()
    {
        assertThat(MecmeshCommand.newCommandLine(out, out, "run").getSubcommands()).containsOnlyKeys("run");
        assertThat(MecmeshCommand.newCommandLine(out, out, "journal").getSubcommands()).containsOnlyKeys("journal");
    }

    @Test
    void shouldBuildNoSubcommandForTheVersion()
    {
        assertThat(MecmeshCommand.newCommandLine(out, out, "--version").getSubcommands()).isEmpty();
    }

    @Test
    void shouldBuildEverySubcommandForHelpNothingOrAnUnknownName()
    {
        for (final String first : new String[] {null, "--help", "help", "nosuch"})
        {
            final CommandLine commandLine = MecmeshCommand.newCommandLine(out, out, first);
            assertThat(commandLine.getSubcommands()).as(String.valueOf(first)).hasSize(16)
                .containsKeys("run", "demo", "apply", "status", "check", "journal", "help");
        }
    }
}
