package io.mecmesh.appliance.cli;

import io.mecmesh.appliance.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class MecmeshCommandTest
{
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        return MecmeshCommand.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    @Test
    void shouldListEveryCommandWithOneLineInHelp()
    {
        assertThat(run("--help")).isEqualTo(ExitCode.OK);

        assertThat(out.toString())
            .containsPattern("(?m)^  run +\\S.*$")
            .containsPattern("(?m)^  demo +\\S.*$")
            .containsPattern("(?m)^  help +\\S.*$")
            .doesNotContainPattern("(?m)^ {5,}\\S");
    }

    @Test
    void shouldPrintTheVersion()
    {
        assertThat(run("--version")).isEqualTo(ExitCode.OK);

        assertThat(out.toString()).startsWith("mecmesh " + Version.current());
        assertThat(Version.current()).matches("\\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void shouldExitWithUsageErrorAndOneLineWhenAnOptionIsMissing()
    {
        assertThat(run("run")).isEqualTo(ExitCode.USAGE);

        assertThat(err.toString()).isEqualTo(
            "mecmesh: Missing required option: '--config=FILE' (see 'mecmesh run --help')" + System.lineSeparator());
    }

    @Test
    void shouldExitWithUsageErrorOnAnUnknownOption()
    {
        assertThat(run("demo", "--proxy-prot", "1")).isEqualTo(ExitCode.USAGE);

        assertThat(err.toString()).startsWith("mecmesh: Unknown options: '--proxy-prot'").hasLineCount(1);
    }

    @Test
    void shouldExitWithUsageErrorOnABadTransport()
    {
        assertThat(run("demo", "--transport", "dpdk")).isEqualTo(ExitCode.USAGE);

        assertThat(err.toString()).contains("--transport").contains("dpdk").hasLineCount(1);
    }

    @Test
    void shouldExitWithConfigErrorNamingTheKeyPath(@TempDir final Path dir) throws IOException
    {
        final Path config = Files.writeString(dir.resolve("appliance.yaml"),
            "dataplane:\n  listeners:\n    - name: in\n      port: nope\n");

        assertThat(run("run", "--config", config.toString())).isEqualTo(ExitCode.CONFIG);

        assertThat(err.toString()).isEqualTo("mecmesh: " + config
            + ": dataplane.listeners[0].port: expected an integer from 0 to 65535, got \"nope\""
            + System.lineSeparator());
    }

    @Test
    void shouldRecogniseOnlyTheDaemonsOwnCommandLineWithoutThePicocliParser()
    {
        assertThat(RunCommand.daemonConfig("run", "--config", "/etc/mecmesh/appliance.yaml"))
            .isEqualTo(Path.of("/etc/mecmesh/appliance.yaml"));
        assertThat(RunCommand.daemonConfig("run", "-c", "a.yaml")).isEqualTo(Path.of("a.yaml"));
        assertThat(RunCommand.daemonConfig("run", "--config=a.yaml")).isEqualTo(Path.of("a.yaml"));
        assertThat(RunCommand.daemonConfig("run", "--config", "a.yaml", "--check")).isNull();
        assertThat(RunCommand.daemonConfig("run", "--config", "--check")).isNull();
        assertThat(RunCommand.daemonConfig("run", "--config=")).isNull();
        assertThat(RunCommand.daemonConfig("run", "--help")).isNull();
        assertThat(RunCommand.daemonConfig("run")).isNull();
        assertThat(RunCommand.daemonConfig("check", "--config", "a.yaml")).isNull();
        assertThat(RunCommand.daemonConfig()).isNull();
    }

    @Test
    void shouldFailTheDaemonWithoutPicocliWithTheSameLineAndExitCodeAsWithIt(@TempDir final Path dir)
        throws IOException
    {
        final Path config = Files.writeString(dir.resolve("appliance.yaml"),
            "dataplane:\n  listeners:\n    - name: in\n      port: nope\n");
        final Path missing = dir.resolve("missing.yaml");
        final StringWriter direct = new StringWriter();

        assertThat(RunCommand.runDaemon(config, new PrintWriter(direct, true))).isEqualTo(ExitCode.CONFIG)
            .isEqualTo(run("run", "--config", config.toString()));
        assertThat(direct.toString()).isEqualTo(err.toString()).hasLineCount(1);
        assertThat(RunCommand.runDaemon(missing, new PrintWriter(direct, true))).isEqualTo(ExitCode.NO_INPUT);
        assertThat(direct.toString()).endsWith("mecmesh: " + missing + ": no such file" + System.lineSeparator());
    }

    @Test
    void shouldCheckAValidConfigurationWithoutStarting()
    {
        assertThat(run("run", "--config", "../packaging/src/etc/appliance.yaml", "--check")).isEqualTo(ExitCode.OK);
    }

    @Test
    void shouldExitNoInputWhenTheConfigurationToCheckIsMissing(@TempDir final Path dir)
    {
        final Path missing = dir.resolve("missing.yaml");

        assertThat(run("run", "--config", missing.toString(), "--check")).isEqualTo(ExitCode.NO_INPUT);

        assertThat(err.toString()).isEqualTo("mecmesh: " + missing + ": no such file" + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void shouldRefuseAShortOrMissingDistributionKeyOnCheckAsRunAndCheckDo(@TempDir final Path dir) throws IOException
    {
        final Path key = dir.resolve("distribution.key");
        final Path config = Files.writeString(dir.resolve("control.yaml"),
            "role: control\ndataDirectory: " + dir.resolve("data") + "\ncontrolPlane: {keyFile: " + key + "}\n");

        assertThat(run("run", "--config", config.toString(), "--check")).isEqualTo(ExitCode.CONFIG);
        assertThat(err.toString()).startsWith("mecmesh: controlPlane.keyFile " + key + ": no such file")
            .hasLineCount(1);

        Files.write(key, new byte[16]);
        final String refused = "controlPlane.keyFile " + key + ": 16 bytes, expected at least 32";
        assertThat(run("run", "--config", config.toString(), "--check")).isEqualTo(ExitCode.CONFIG);
        assertThat(err.toString()).endsWith("mecmesh: " + refused + System.lineSeparator());
        assertThat(run("check", "--config", config.toString())).isEqualTo(ExitCode.CONFIG);
        assertThat(out.toString()).contains("error  " + refused);
        assertThat(run("run", "--config", config.toString())).isEqualTo(ExitCode.CONFIG);
        assertThat(err.toString()).endsWith("mecmesh: " + refused + System.lineSeparator());

        Files.write(key, new byte[32]);
        assertThat(run("run", "--config", config.toString(), "--check")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).endsWith(config + ": OK" + System.lineSeparator());
    }

    @Test
    void shouldNameTheHostPortAndTheReasonWhenTheAdminEndpointIsUnreachable() throws IOException
    {
        final int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            closed = socket.getLocalPort();
        }

        assertThat(run("proxy-config", "--admin", "http://127.0.0.1:" + closed)).isEqualTo(ExitCode.UNAVAILABLE);

        assertThat(err.toString()).isEqualTo("mecmesh: cannot reach the admin endpoint http://127.0.0.1:" + closed
            + " (127.0.0.1:" + closed + "): connection refused" + System.lineSeparator());
    }

    @Test
    void shouldExitUnavailableWhenTheDemoPortIsTaken() throws IOException
    {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            assertThat(run("demo", "--proxy-port", String.valueOf(taken.getLocalPort()), "--admin-port", "0"))
                .isEqualTo(ExitCode.UNAVAILABLE);

            assertThat(err.toString()).startsWith("mecmesh: listener \"demo-ingress\" cannot bind 127.0.0.1:"
                + taken.getLocalPort());
        }
    }
}
