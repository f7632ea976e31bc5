package io.mecmesh.appliance.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mecmesh check}: a control plane with a CA and a mesh listener with files from {@code mecmesh cert}, checked
 * whole; then each kind of problem an operator makes, named with its exit code.
 */
class CheckCommandTest
{
    @TempDir
    Path dir;

    private StringWriter out;
    private StringWriter err;
    private Path passphrase;

    @BeforeEach
    void createFiles() throws IOException
    {
        passphrase = ownerOnly(Files.writeString(dir.resolve("pass"), "correct horse battery staple\n"));
        assertThat(run("cert", "init", "--trust-domain", "mesh.test", "--dir", dir.resolve("ca").toString(),
            "--passphrase-file", passphrase.toString())).isEqualTo(ExitCode.OK);
        assertThat(run("cert", "issue", "--ca-dir", dir.resolve("ca").toString(), "--spiffe-id",
            "spiffe://mesh.test/site/a/node/a", "--out", dir.resolve("svid").toString(), "--passphrase-file",
            passphrase.toString())).isEqualTo(ExitCode.OK);
        ownerOnly(Files.write(dir.resolve("distribution.key"), new byte[32]));
        ownerOnly(Files.writeString(dir.resolve("join.token"), "a-long-join-token-for-the-test\n"));
        Files.createDirectories(dir.resolve("data"));
    }

    @Test
    void shouldReportEveryCheckOfAGoodConfigurationAndExitZero() throws IOException
    {
        final Path config = config("certificateChain: " + dir.resolve("svid/svid.pem"));

        assertThat(run("check", "--config", config.toString(), "--warn-days", "0")).as(out.toString())
            .isEqualTo(ExitCode.OK);

        assertThat(out.toString())
            .contains("ok     " + config + ": role all, node edge-a, 2 listeners")
            .contains("ok     controlPlane.keyFile " + dir.resolve("distribution.key") + ": 32 bytes")
            .contains("root CA of spiffe://mesh.test opens with its passphrase")
            .contains("ok     dataplane.listeners.mesh-in.tls: chain of 1, key matches, bundle of 1")
            .contains("certificate valid until")
            .endsWith("0 errors, 0 warnings" + System.lineSeparator());
        assertThat(run("check", "--config", config.toString())).as("warnings do not fail").isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("warn   dataplane.listeners.mesh-in.tls: certificate expires at ")
            .contains("(within 7 days)");
    }

    @Test
    void shouldSayWhereMetricsArePushedAndWarnAboutBatchesWaitingOnDisk() throws IOException
    {
        final Path config = Files.writeString(dir.resolve("edge.yaml"), """
            node: {id: edge-a}
            dataDirectory: %s
            telemetry: {remoteWrite: {url: "http://core.test:9090/api/v1/write", intervalMs: 1000}}
            dataplane:
              listeners: [{name: in, address: 127.0.0.1, port: 15001}]
            """.formatted(dir.resolve("data")));

        assertThat(run("check", "--config", config.toString())).as(out.toString()).isEqualTo(ExitCode.OK);
        final String spool = dir.resolve("data/telemetry/remote-write").toString();
        assertThat(out.toString()).contains("ok     telemetry.remoteWrite: http://core.test:9090/api/v1/write every "
            + "1000 ms, spool " + spool + " (quota 67108864 bytes)");

        Files.createDirectories(Path.of(spool));
        Files.write(Path.of(spool, "00000000000000000000-12.rw"), new byte[] {1});
        assertThat(run("check", "--config", config.toString())).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("warn   telemetry.remoteWrite: http://core.test:9090/api/v1/write")
            .contains(": 1 batches not yet accepted by the receiver");
    }

    @Test
    void shouldNameAKeyThatDoesNotBelongToTheCertificate() throws IOException
    {
        assertThat(run("cert", "issue", "--ca-dir", dir.resolve("ca").toString(), "--spiffe-id",
            "spiffe://mesh.test/site/b/node/b", "--out", dir.resolve("other").toString(), "--passphrase-file",
            passphrase.toString())).isEqualTo(ExitCode.OK);
        final Path config = config("certificateChain: " + dir.resolve("other/svid.pem"));

        assertThat(run("check", "--config", config.toString())).isEqualTo(ExitCode.CONFIG);

        assertThat(out.toString()).contains("error  dataplane.listeners.mesh-in.tls: the private key "
            + dir.resolve("svid/svid-key.pem") + " does not belong to the first certificate of "
            + dir.resolve("other/svid.pem")).contains("1 error, 0 warnings");
    }

    @Test
    void shouldRefuseAShortDistributionKeyAndAWrongPassphraseAndWarnAboutAWideKeyFile() throws IOException
    {
        Files.write(dir.resolve("distribution.key"), new byte[16]);
        Files.writeString(passphrase, "not the passphrase\n");
        Files.setPosixFilePermissions(dir.resolve("svid/svid-key.pem"), PosixFilePermissions.fromString("rw-r--r--"));
        final Path config = config("certificateChain: " + dir.resolve("svid/svid.pem"));

        assertThat(run("check", "--config", config.toString(), "--warn-days", "0")).isEqualTo(ExitCode.CONFIG);

        assertThat(out.toString())
            .contains("error  controlPlane.keyFile " + dir.resolve("distribution.key")
                + ": 16 bytes, expected at least 32")
            .contains("error  ca: " + dir.resolve("ca/ca.p12") + ": wrong passphrase")
            .contains("warn   dataplane.listeners.mesh-in.tls key: mode is wider than 0600 (rw-r--r--)")
            .contains("2 errors, 1 warning");
    }

    @Test
    void shouldValidateDesiredStateDocumentsOfflineNamingTheField() throws IOException
    {
        final Path good = Files.writeString(dir.resolve("good.yaml"), """
            slices: [{snssai: 1-000001, name: embb, fiveQi: 9}]
            services:
              - {name: video, slice: 1-000001, endpoints: [{address: 10.0.0.1, port: 8080, site: a, zone: z}],
                 routes: [{host: video.example}]}
            """);
        final Path bad = Files.writeString(dir.resolve("bad.yaml"), Files.readString(good).replace("8080", "0"));

        assertThat(run("check", "-f", good.toString())).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("ok     " + good + ": 1 slices, 1 services, 0 nodes");
        assertThat(run("check", "-f", good.toString(), "-f", bad.toString())).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(out.toString()).contains("error  " + bad + ": services[0].endpoints[0].port: expected 1 to 65535, "
            + "got 0");
    }

    @Test
    void shouldSayWhenTheConfigurationIsMissingOrInvalid() throws IOException
    {
        assertThat(run("check", "--config", dir.resolve("none.yaml").toString())).isEqualTo(ExitCode.NO_INPUT);
        assertThat(out.toString()).contains("error  " + dir.resolve("none.yaml") + ": no such file");

        final Path invalid = Files.writeString(dir.resolve("invalid.yaml"), "role: sideways\n");
        assertThat(run("check", "--config", invalid.toString())).isEqualTo(ExitCode.CONFIG);
        assertThat(out.toString()).contains("error  ").contains("role");
    }

    private Path config(final String chainLine) throws IOException
    {
        return Files.writeString(dir.resolve("appliance.yaml"), """
            role: all
            node: {id: edge-a, site: site-a, zone: z}
            dataDirectory: %s
            controlPlane: {keyFile: %s}
            ca: {directory: %s, passphraseFile: %s, joinTokenFile: %s}
            dataplane:
              listeners:
                - {name: outbound, address: 127.0.0.1, port: 15001}
                - name: mesh-in
                  address: 127.0.0.1
                  port: 15443
                  tls:
                    %s
                    privateKey: %s
                    trustBundle: %s
            """.formatted(dir.resolve("data"), dir.resolve("distribution.key"), dir.resolve("ca"), passphrase,
            dir.resolve("join.token"), chainLine, dir.resolve("svid/svid-key.pem"), dir.resolve("ca/bundle.pem")));
    }

    private static Path ownerOnly(final Path file) throws IOException
    {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private int run(final String... args)
    {
        out = new StringWriter();
        err = new StringWriter();
        return MecmeshCommand.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }
}
