package io.mecmesh.appliance.cli;

import io.mecmesh.slicemanager.distribution.NodeStatus;
import io.mecmesh.slicemanager.distribution.RejectReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The control-plane client commands against the real API handler and a real conductor journaling to a temporary
 * directory, on a JDK HttpServer on loopback: as an operator would use them.
 */
class ControlPlaneCommandsTest
{
    private static final Path EXAMPLE = Path.of("../packaging/src/etc/desired-state.example.yaml");
    private static final String EOL = System.lineSeparator();

    @TempDir
    Path dir;

    private TestControlPlane controlPlane;
    private StringWriter out;
    private StringWriter err;

    @BeforeEach
    void start() throws IOException
    {
        controlPlane = new TestControlPlane(dir.resolve("data"));
    }

    @AfterEach
    void stop()
    {
        controlPlane.close();
    }

    private int run(final String... args)
    {
        out = new StringWriter();
        err = new StringWriter();
        final String[] withServer = new String[args.length + 2];
        System.arraycopy(args, 0, withServer, 0, args.length);
        withServer[args.length] = "--server";
        withServer[args.length + 1] = controlPlane.url();
        return MecmeshCommand.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true))
            .execute(withServer);
    }

    private int runOffline(final String... args)
    {
        out = new StringWriter();
        err = new StringWriter();
        return MecmeshCommand.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    @Test
    void shouldApplyTheExampleAsOneVersionAndPrintOneLinePerChange()
    {
        assertThat(run("apply", "-f", EXAMPLE.toString())).isEqualTo(ExitCode.OK);

        assertThat(out.toString()).isEqualTo("slice/embb created" + EOL + "slice/urllc created" + EOL
            + "service/video created" + EOL + "service/cdn created" + EOL + "service/plc created" + EOL
            + "node/edge-a created" + EOL + "node/edge-b created" + EOL
            + "app/5abe4782-2c70-4e47-9a4e-0ee3a1a0fd1f created" + EOL + "applied version 1" + EOL);
        assertThat(err.toString()).isEmpty();
        assertThat(controlPlane.backend.submitted).isEqualTo(1);
        assertThat(controlPlane.backend.state().services()).containsOnlyKeys("video", "cdn", "plc");
        assertThat(controlPlane.backend.state().apps()).containsOnlyKeys("5abe4782-2c70-4e47-9a4e-0ee3a1a0fd1f");

        assertThat(run("apply", "-f", EXAMPLE.toString())).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).isEqualTo("applied version 1 (nothing changed)" + EOL);
        assertThat(controlPlane.backend.submitted).isEqualTo(1);
    }

    @Test
    void shouldApplyNothingOnADryRun()
    {
        assertThat(run("apply", "-f", EXAMPLE.toString(), "--dry-run")).isEqualTo(ExitCode.OK);

        assertThat(out.toString()).contains("slice/embb created (dry run)" + EOL)
            .endsWith("dry run: 8 changes, nothing applied (version 0)" + EOL);
        assertThat(controlPlane.backend.submitted).isZero();
        assertThat(controlPlane.backend.state().sequence()).isZero();
    }

    @Test
    void shouldPrintAUnifiedDiffOfEachChangedObject() throws IOException
    {
        run("apply", "-f", EXAMPLE.toString());
        final Path changed = Files.writeString(dir.resolve("changed.yaml"),
            Files.readString(EXAMPLE).replace("port: 8081", "port: 8082"));

        assertThat(run("apply", "-f", changed.toString(), "--diff")).isEqualTo(ExitCode.OK);

        assertThat(out.toString())
            .contains("slice/embb unchanged" + EOL)
            .contains("service/cdn configured" + EOL + "--- service/cdn (control plane)" + EOL + "+++ service/cdn ("
                + changed + ")" + EOL + "@@ -1,")
            .containsPattern("(?m)^-\\s+port: 8081$")
            .containsPattern("(?m)^\\+\\s+port: 8082$")
            .containsPattern("(?m)^ name: cdn$")
            .endsWith("applied version 2" + EOL);
        assertThat(out.toString()).doesNotContain("--- service/video");
    }

    @Test
    void shouldReportAnInvalidFileOnOneLineNamingTheFieldAndApplyNothing() throws IOException
    {
        final Path invalid = Files.writeString(dir.resolve("invalid.yaml"),
            Files.readString(EXAMPLE).replace("port: 8081", "port: 0"));

        assertThat(run("apply", "-f", invalid.toString())).isEqualTo(ExitCode.INVALID_INPUT);

        assertThat(err.toString()).isEqualTo("mecmesh: " + invalid
            + ": services[1].endpoints[0].port: expected 1 to 65535, got 0" + EOL);
        assertThat(out.toString()).isEmpty();
        assertThat(controlPlane.backend.submitted).isZero();
    }

    @Test
    void shouldRefuseAClassificationPortOutOfRangeNamingTheFieldAndApplyNothing() throws IOException
    {
        final Path invalid = Files.writeString(dir.resolve("invalid.yaml"),
            Files.readString(EXAMPLE).replace("sourcePorts: 40000-40099", "sourcePorts: 40000-70000"));

        assertThat(run("apply", "-f", invalid.toString())).isEqualTo(ExitCode.INVALID_INPUT);

        assertThat(err.toString()).isEqualTo("mecmesh: " + invalid + ": slices[0].classification[1].sourcePorts:"
            + " expected ports 1 to 65535, the first not above the last, got \"40000-70000\"" + EOL);
        assertThat(controlPlane.backend.submitted).isZero();
    }

    @Test
    void shouldRefuseADocumentWithADuplicateKeyNamingItAndApplyNothing() throws IOException
    {
        final Path twice = Files.writeString(dir.resolve("twice.yaml"),
            "slices:\n  - snssai: 1-000001\n    name: embb\n    name: urllc\n    fiveQi: 9\n");

        assertThat(run("apply", "-f", twice.toString())).isEqualTo(ExitCode.INVALID_INPUT);

        assertThat(err.toString()).startsWith("mecmesh: " + twice + ":4:")
            .contains("Duplicate field 'name'").hasLineCount(1);
        assertThat(controlPlane.backend.submitted).isZero();
    }

    @Test
    void shouldRefuseADocumentOverTheLimitSayingTheLimit() throws IOException
    {
        final Path large = Files.writeString(dir.resolve("large.yaml"),
            ("# " + "x".repeat(1021) + "\n").repeat(ClientOutput.MAX_DOCUMENT_BYTES / 1024 + 1));
        final Path underLimit = Files.writeString(dir.resolve("under.yaml"), "slices:\n"
            + "  - {snssai: 1-000001, name: embb, fiveQi: 9}\n" + ("# " + "x".repeat(1021) + "\n")
            .repeat(ClientOutput.MAX_DOCUMENT_BYTES / 1024 - 1));

        assertThat(run("apply", "-f", large.toString())).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(err.toString()).isEqualTo("mecmesh: " + large + ": larger than " + ClientOutput.MAX_DOCUMENT_BYTES
            + " bytes, the limit of a desired-state document: apply it in parts" + System.lineSeparator());
        assertThat(controlPlane.backend.submitted).isZero();
        assertThat(runOffline("check", "-f", underLimit.toString())).as("over SnakeYAML's default 3 MB code-point limit, "
            + "under ours: %s", err).isEqualTo(ExitCode.OK);
    }

    @Test
    void shouldReportWhatOnlyTheControlPlaneCanCheckInTheSameForm() throws IOException
    {
        final Path orphan = Files.writeString(dir.resolve("orphan.yaml"), "services:\n  - name: lost\n"
            + "    slice: 7-0000ff\n    endpoints: [{address: 10.0.0.1, port: 80, site: a, zone: z}]\n"
            + "    routes: [{host: lost.example}]\n");
        final Path notYaml = Files.writeString(dir.resolve("broken.yaml"), "slices: [\n  - {");

        assertThat(run("apply", "-f", orphan.toString())).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(err.toString()).startsWith("mecmesh: " + orphan + ": services[0].slice: unknown slice 7-0000ff")
            .hasLineCount(1);
        assertThat(run("apply", "-f", notYaml.toString())).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(err.toString()).startsWith("mecmesh: " + notYaml + ":2:3: not valid YAML: ").hasLineCount(1);
        assertThat(run("apply", "-f", dir.resolve("missing.yaml").toString())).isEqualTo(ExitCode.NO_INPUT);
        assertThat(controlPlane.backend.submitted).isZero();
    }

    @Test
    void shouldGetObjectsAsAlignedTableJsonAndYamlThatAppliesBackUnchanged() throws IOException
    {
        run("apply", "-f", EXAMPLE.toString());

        assertThat(run("get", "slices")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).isEqualTo(
            "SNSSAI    NAME   5QI  PRIORITY  DSCP" + EOL
                + "1-000001  embb   9    90        0" + EOL
                + "2-000002  urllc  82   19        46" + EOL);
        assertThat(run("get", "services", "video", "-o", "json")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("\"name\" : \"video\"").contains("\"weight\" : 3");
        assertThat(run("get", "nodes")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("edge-a  site-a  metro-1  cdn,video");

        assertThat(run("get", "state", "-o", "yaml")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).startsWith("# version 1" + EOL + "slices:");
        final Path exported = Files.writeString(dir.resolve("exported.yaml"), out.toString());
        assertThat(run("apply", "-f", exported.toString(), "--prune")).as(err.toString()).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).isEqualTo("applied version 1 (nothing changed)" + EOL);

        assertThat(run("get", "services", "nope")).isEqualTo(ExitCode.FAILURE);
        assertThat(err.toString()).isEqualTo("mecmesh: no service \"nope\"" + EOL);
    }

    @Test
    void shouldShowEachNodesVersionsAndLastAck()
    {
        run("apply", "-f", EXAMPLE.toString());
        controlPlane.backend.statuses.put("edge-a", new NodeStatus("edge-a", 1, 1, -1, RejectReason.NONE, "",
            controlPlane.backend.nowNs - 3_200_000_000L));
        controlPlane.backend.statuses.put("edge-b", new NodeStatus("edge-b", 1, 0, 1, RejectReason.VERSION_NOT_NEWER,
            "version 1 is not newer than 2", -1));

        assertThat(run("status")).isEqualTo(ExitCode.OK);

        assertThat(out.toString()).isEqualTo("desired state version 1" + EOL
            + "NODE    APPLIED  LATEST  UP-TO-DATE  LAST-ACK  REJECTED" + EOL
            + "edge-a  1        1       yes         3s ago    -" + EOL
            + "edge-b  0        1       no          never     v1 VERSION_NOT_NEWER: version 1 is not newer than 2"
            + EOL);
        assertThat(run("status", "-o", "json")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("\"lastContactMsAgo\" : 3200");
    }

    @Test
    void shouldCreateGetListAndDeleteSlicesAndServicesAndRefuseDeletingWhatIsUsed() throws IOException
    {
        assertThat(run("slice", "create", "--snssai", "1-000001", "--name", "embb", "--5qi", "9", "--dscp", "10"))
            .isEqualTo(ExitCode.OK);
        assertThat(out.toString()).isEqualTo("slice/embb 1-000001 created (version 1)" + EOL);
        assertThat(run("slice", "create", "--snssai", "1-000002", "--name", "bad", "--5qi", "99"))
            .isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(err.toString()).startsWith("mecmesh: fiveQi: unknown 5QI 99").hasLineCount(1);
        final Path service = Files.writeString(dir.resolve("svc.yaml"), "name: video\nslice: 1-000001\n"
            + "endpoints: [{address: 10.0.0.1, port: 80, site: a, zone: z}]\nroutes: [{host: video.example}]\n");
        assertThat(run("service", "create", "-f", service.toString())).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).isEqualTo("service/video created (version 2)" + EOL);

        assertThat(run("slice", "get", "embb")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("snssai: 1-000001").contains("dscp: 10");
        assertThat(run("service", "list")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("video  1-000001  10.0.0.1:80  video.example/");

        assertThat(run("slice", "delete", "1-000001")).isEqualTo(ExitCode.FAILURE);
        assertThat(err.toString()).isEqualTo("mecmesh: snssai: slice 1-000001 is used by services video; delete or"
            + " move them first" + EOL);
        assertThat(run("service", "delete", "video")).isEqualTo(ExitCode.OK);
        assertThat(run("slice", "delete", "1-000001")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).isEqualTo("slice/1-000001 deleted (version 4)" + EOL);
        assertThat(run("slice", "list")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).isEqualTo("no slices" + EOL);
    }

    @Test
    void shouldTailCompactAndReplayTheJournal()
    {
        run("apply", "-f", EXAMPLE.toString());
        run("slice", "create", "--snssai", "3-000003", "--name", "iot", "--5qi", "9");

        assertThat(run("journal", "tail", "--after", "1")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).isEqualTo("SEQ  TYPE       OBJECTS" + EOL + "2    put-slice  3-000003 (iot)" + EOL);
        assertThat(run("journal", "tail")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("1    batch      put-slice 1-000001 (embb), put-slice 2-000002 (urllc),");
        assertThat(run("journal", "compact")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).startsWith("snapshot written: ").contains("snapshot-");

        controlPlane.close();
        assertThat(runOffline("journal", "replay", "--data-dir", dir.resolve("data").toString()))
            .isEqualTo(ExitCode.OK);
        assertThat(out.toString()).startsWith("replayed " + dir.resolve("data") + ": version 2, 3 slices, 3 services,"
            + " 2 nodes" + EOL).contains("3-000003  iot");
        assertThat(runOffline("journal", "replay", "--data-dir", dir.resolve("nope").toString()))
            .isEqualTo(ExitCode.NO_INPUT);
        assertThat(err.toString()).isEqualTo("mecmesh: " + dir.resolve("nope") + ": no such directory" + EOL);
        assertThat(dir.resolve("nope")).doesNotExist();
    }

    @Test
    void shouldNameTheUrlAndExit69WhenTheControlPlaneIsUnreachable() throws IOException
    {
        final int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            port = socket.getLocalPort();
        }

        assertThat(runOffline("status", "--server", "http://127.0.0.1:" + port)).isEqualTo(ExitCode.UNAVAILABLE);

        assertThat(err.toString()).startsWith("mecmesh: control plane at http://127.0.0.1:" + port
            + "/ is unreachable: ").hasLineCount(1);
        assertThat(runOffline("apply", "-f", EXAMPLE.toString(), "--server", "http://127.0.0.1:" + port))
            .isEqualTo(ExitCode.UNAVAILABLE);
    }

    @Test
    void shouldListEachClientCommandWithOneLineInHelp()
    {
        assertThat(runOffline("--help")).isEqualTo(ExitCode.OK);

        assertThat(out.toString())
            .containsPattern("(?m)^  apply +\\S.*$")
            .containsPattern("(?m)^  get +\\S.*$")
            .containsPattern("(?m)^  slice +\\S.*$")
            .containsPattern("(?m)^  service +\\S.*$")
            .containsPattern("(?m)^  status +\\S.*$")
            .containsPattern("(?m)^  journal +\\S.*$")
            .doesNotContainPattern("(?m)^ {5,}\\S");
        assertThat(runOffline("journal", "--help")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).containsPattern("(?m)^  replay +\\S.*$").doesNotContainPattern("(?m)^ {5,}\\S");
        assertThat(runOffline("slice", "--help")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).containsPattern("(?m)^  create +\\S.*$").doesNotContainPattern("(?m)^ {5,}\\S");
    }
}
