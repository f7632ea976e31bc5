package io.mecmesh.slicemanager.ca;

import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException.Category;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CaKeyStoreTest
{
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();

    private final CertificateAuthority ca =
        CertificateAuthority.generate("mesh.example", Duration.ofDays(365), InstantSource.fixed(NOW));

    @TempDir
    Path directory;

    @Test
    void shouldWriteTheRootKeyStoreReadableByItsOwnerOnly() throws Exception
    {
        final Path file = directory.resolve("root.p12");

        CaKeyStore.writeRoot(file, ca.root(), PASSPHRASE);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (Stream<Path> files = Files.list(directory))
        {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void shouldEncryptTheKeySoThatItsBytesDoNotAppearInTheFile() throws Exception
    {
        final Path file = directory.resolve("root.p12");

        CaKeyStore.writeRoot(file, ca.root(), PASSPHRASE);

        final String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        final String keyBytes = new String(ca.root().privateKey().getEncoded(), StandardCharsets.ISO_8859_1);
        assertThat(content).doesNotContain(keyBytes);
    }

    @Test
    void shouldReadBackARootThatIssuesSvidsTrustedByTheOldBundle()
    {
        final Path file = directory.resolve("root.p12");
        CaKeyStore.writeRoot(file, ca.root(), PASSPHRASE);

        final SigningAuthority root = CaKeyStore.readRoot(file, PASSPHRASE);
        final CertificateAuthority restarted =
            CertificateAuthority.load(root, InstantSource.fixed(NOW.plusSeconds(60)), ca.issuedSerials());
        final SpiffeId id = SpiffeId.parse("spiffe://mesh.example/app/x");
        final List<X509Certificate> chain = restarted.issue(root, TestPki.csr(TestPki.ecKeyPair()), id);

        assertThat(root.certificate()).isEqualTo(ca.root().certificate());
        assertThat(root.privateKey()).isEqualTo(ca.root().privateKey());
        assertThat(root.scope()).isEqualTo(SpiffeId.ofTrustDomain("mesh.example"));
        assertThat(new X509SvidValidator(ca.trustBundle()).validate(chain, NOW.plusSeconds(120)).spiffeId())
            .contains(id);
    }

    @Test
    void shouldRefuseAWrongPassphraseSayingSo()
    {
        final Path file = directory.resolve("root.p12");
        CaKeyStore.writeRoot(file, ca.root(), PASSPHRASE);

        assertThatThrownBy(() -> CaKeyStore.readRoot(file, "wrong".toCharArray()))
            .isInstanceOf(CertificateAuthorityException.class)
            .hasMessage(file + ": wrong passphrase for the CA key store")
            .extracting(ex -> ((CertificateAuthorityException)ex).category()).isEqualTo(Category.KEY_STORE);
    }

    @Test
    void shouldReplaceAnExistingKeyStoreAndKeepItOwnerOnly() throws Exception
    {
        final Path file = directory.resolve("root.p12");
        Files.writeString(file, "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        CaKeyStore.writeRoot(file, ca.root(), PASSPHRASE);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(CaKeyStore.readRoot(file, PASSPHRASE).certificate()).isEqualTo(ca.root().certificate());
    }

    @Test
    void shouldRefuseToReadAKeyStoreThatOthersCanRead() throws Exception
    {
        final Path file = directory.resolve("root.p12");
        CaKeyStore.writeRoot(file, ca.root(), PASSPHRASE);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

        assertThatThrownBy(() -> CaKeyStore.readRoot(file, PASSPHRASE))
            .isInstanceOf(CertificateAuthorityException.class)
            .hasMessageContaining("rw-r-----")
            .hasMessageContaining("chmod 600");
    }

    @Test
    void shouldRefuseAFileThatIsNotAKeyStore() throws Exception
    {
        final Path file = directory.resolve("root.p12");
        Files.writeString(file, "not a key store");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        assertThatThrownBy(() -> CaKeyStore.readRoot(file, PASSPHRASE))
            .isInstanceOf(CertificateAuthorityException.class)
            .hasMessageContaining("not a readable PKCS#12 key store");
    }

    @Test
    void shouldReadAPassphraseFileWithoutItsTrailingNewline() throws Exception
    {
        final Path file = directory.resolve("passphrase");
        Files.writeString(file, "s3cret\n");
        final Path empty = directory.resolve("empty");
        Files.writeString(empty, "\n");

        assertThat(CaKeyStore.passphraseFromFile(file)).containsExactly('s', '3', 'c', 'r', 'e', 't');
        assertThatThrownBy(() -> CaKeyStore.passphraseFromFile(empty)).hasMessageContaining("is empty");
    }

    @Test
    void shouldRefuseAnUnsetPassphraseVariable()
    {
        assertThatThrownBy(() -> CaKeyStore.passphraseFromEnvironment("MECMESH_TEST_UNSET_PASSPHRASE_VARIABLE"))
            .isInstanceOf(CertificateAuthorityException.class)
            .hasMessageContaining("MECMESH_TEST_UNSET_PASSPHRASE_VARIABLE");
    }
}
