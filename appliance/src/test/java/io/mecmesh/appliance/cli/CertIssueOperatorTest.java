package io.mecmesh.appliance.cli;

import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.slicemanager.ca.ApiRole;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CertIssueOperatorTest
{
    @TempDir
    Path dir;

    private StringWriter out;
    private StringWriter err;
    private Path passphrase;

    @BeforeEach
    void createCa() throws IOException
    {
        passphrase = Files.writeString(dir.resolve("pass"), "correct horse battery staple\n");
        Files.setPosixFilePermissions(passphrase, PosixFilePermissions.fromString("rw-------"));
        assertThat(run("cert", "init", "--trust-domain", "mesh.test", "--dir", dir.resolve("ca").toString(),
            "--passphrase-file", passphrase.toString())).isEqualTo(ExitCode.OK);
    }

    @Test
    void shouldIssueAnOperatorCertificateWithItsRoleAsTheClientFilesTheCliReads() throws Exception
    {
        final Path config = dir.resolve("config/mecmesh");

        assertThat(run("cert", "issue", "--ca-dir", dir.resolve("ca").toString(), "--operator", "alice", "--role",
            "operator", "--out", config.toString(), "--passphrase-file", passphrase.toString()))
            .as(err.toString()).isEqualTo(ExitCode.OK);

        assertThat(out.toString()).startsWith("spiffe://mesh.test/operator/alice (role operator) issued until");
        final X509Certificate leaf = Pem.readCertificates(config.resolve(ServerOption.CERT_FILE)).get(0);
        assertThat(ApiRole.of(leaf)).contains(ApiRole.OPERATOR);
        assertThat(leaf.getSubjectAlternativeNames()).anySatisfy(name ->
            assertThat(name.get(1)).isEqualTo("spiffe://mesh.test/operator/alice"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config.resolve(ServerOption.KEY_FILE))))
            .isEqualTo("rw-------");
        assertThat(Files.readString(config.resolve(ServerOption.CA_FILE)))
            .isEqualTo(Files.readString(dir.resolve("ca/bundle.pem")));
    }

    @Test
    void shouldRefuseAnUnknownRoleARoleWithoutOperatorAndBothKindsAtOnce()
    {
        assertThat(run("cert", "issue", "--ca-dir", dir.resolve("ca").toString(), "--operator", "alice", "--role",
            "root", "--out", dir.resolve("x").toString(), "--passphrase-file", passphrase.toString()))
            .isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("--role: expected viewer, operator or admin, got \"root\"");
        assertThat(run("cert", "issue", "--ca-dir", dir.resolve("ca").toString(), "--spiffe-id",
            "spiffe://mesh.test/app/amf", "--role", "admin", "--out", dir.resolve("x").toString(),
            "--passphrase-file", passphrase.toString())).isEqualTo(ExitCode.USAGE);
        assertThat(run("cert", "issue", "--ca-dir", dir.resolve("ca").toString(), "--spiffe-id",
            "spiffe://mesh.test/app/amf", "--operator", "alice", "--role", "admin", "--out",
            dir.resolve("x").toString(), "--passphrase-file", passphrase.toString())).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("give one of --spiffe-id ID or --operator NAME");
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void shouldReadTheClientFilesFromTheConfigurationDirectoryWhenNoOptionOrVariableNamesThem() throws IOException
    {
        final Path home = dir.resolve("home");
        assertThat(run("cert", "issue", "--ca-dir", dir.resolve("ca").toString(), "--operator", "alice", "--role",
            "viewer", "--out", home.resolve(".config/mecmesh").toString(), "--passphrase-file",
            passphrase.toString())).isEqualTo(ExitCode.OK);
        final ServerOption option = new ServerOption();
        option.server = "https://127.0.0.1:1";
        option.environment = Map.of("HOME", home.toString());

        assertThat(option.configDirectory()).isEqualTo(home.resolve(".config/mecmesh"));
        assertThat(option.client()).isNotNull();

        option.environment = Map.of("HOME", dir.resolve("nobody").toString());
        assertThatThrownBy(option::client).isInstanceOf(CommandFailedException.class)
            .hasMessageContaining("--cacert: the CA bundle to check the control plane with is missing");
    }

    private int run(final String... args)
    {
        out = new StringWriter();
        err = new StringWriter();
        return MecmeshCommand.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }
}
