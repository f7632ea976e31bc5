package io.mecmesh.slicemanager.ca;

import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.dataplane.identity.X509SvidValidator.Reason;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A CA directory as the control plane runs it: every certificate recorded in {@code issued.log} before it is handed
 * out and found again after a restart, corruption reported, never a serial issued twice, and a root rotated under a
 * running CA taken up at its next signature.
 */
class CaDirectoryTest
{
    private static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();
    private static final SpiffeId WORKLOAD = SpiffeId.parse("spiffe://mesh.test/app/amf");
    private static final String TOKEN = "a-long-join-token";

    @TempDir
    Path dir;

    private SigningAuthority firstRoot;

    @BeforeEach
    void init()
    {
        firstRoot = CaDirectory.init(dir, "mesh.test", Duration.ofDays(10), PASSPHRASE, InstantSource.system());
    }

    private static X509Certificate issue(final CaDirectory ca, final SpiffeId id)
    {
        final CertificateAuthority authority = ca.authority();
        return authority.issue(authority.root(), TestPki.csr(TestPki.ecKeyPair()), id).get(0);
    }

    @Test
    void shouldRecordEveryIssuedCertificateOwnerOnlyAndFindThemAfterARestart() throws IOException
    {
        final CaDirectory ca = CaDirectory.open(dir, PASSPHRASE, InstantSource.system());
        final X509Certificate leaf = issue(ca, WORKLOAD);
        final SigningAuthority intermediate = ca.authority().createSiteIntermediate(
            SiteAuthority.siteScope("mesh.test", "edge-1"), Duration.ofDays(1));

        final CaDirectory restarted = CaDirectory.open(dir, PASSPHRASE, InstantSource.system());

        final List<IssuedLog.Entry> entries = restarted.issued().entries();
        assertThat(entries).extracting(IssuedLog.Entry::serial).containsExactly(
            firstRoot.certificate().getSerialNumber(), leaf.getSerialNumber(),
            intermediate.certificate().getSerialNumber());
        assertThat(entries.get(1)).isEqualTo(new IssuedLog.Entry(leaf.getSerialNumber(), WORKLOAD.toString(),
            leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(), firstRoot.certificate().getSerialNumber()));
        assertThat(entries.get(2).subject()).isEqualTo("spiffe://mesh.test/site/edge-1");
        assertThat(restarted.issued().corruptLines()).isEmpty();
        assertThat(restarted.authority().issuedSerials()).contains(leaf.getSerialNumber());
        assertThat(Files.getPosixFilePermissions(dir.resolve(IssuedLog.FILE)))
            .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void shouldReportACorruptTrailingLineKeepItAndAppendAfterIt() throws IOException
    {
        final Path log = dir.resolve(IssuedLog.FILE);
        Files.writeString(log, "5ca1ab1e\tspiffe://mesh.test/app/torn\t2026-", StandardOpenOption.APPEND);

        final CaDirectory ca = CaDirectory.open(dir, PASSPHRASE, InstantSource.system());

        assertThat(ca.issued().corruptLines()).containsExactly(
            new IssuedLog.Corruption(2, "incomplete line (no line end): a write was interrupted"));
        assertThat(ca.issued().serials()).as("the torn line's serial stays reserved")
            .contains(new BigInteger("5ca1ab1e", 16));
        final X509Certificate leaf = issue(ca, WORKLOAD);

        final IssuedLog reread = IssuedLog.read(log);
        assertThat(reread.corruptLines()).as("reported again, not dropped").hasSize(1)
            .allSatisfy(c -> assertThat(c.line()).isEqualTo(2));
        assertThat(reread.entries()).extracting(IssuedLog.Entry::serial)
            .containsExactly(firstRoot.certificate().getSerialNumber(), leaf.getSerialNumber());
        assertThat(Files.readString(log)).contains("\t2026-\n");
    }

    @Test
    void shouldReportALineWhoseChecksumDoesNotMatch() throws IOException
    {
        final Path log = dir.resolve(IssuedLog.FILE);
        final String line = Files.readString(log);
        Files.writeString(log, line.replace("spiffe://mesh.test", "spiffe://mesh.evil"));

        final IssuedLog read = IssuedLog.read(log);

        assertThat(read.entries()).isEmpty();
        assertThat(read.corruptLines()).hasSize(1).allSatisfy(c ->
        {
            assertThat(c.line()).isEqualTo(1);
            assertThat(c.reason()).startsWith("checksum ");
        });
        assertThat(read.serials()).contains(firstRoot.certificate().getSerialNumber());
    }

    @Test
    void shouldNotReuseASerialThatAnotherProcessAppendedMeanwhile()
    {
        final Path log = dir.resolve(IssuedLog.FILE);
        final IssuedLog first = IssuedLog.open(log);
        final IssuedLog second = IssuedLog.open(log);
        final CertificateAuthority a = CertificateAuthority.load(firstRoot, InstantSource.system(), first);
        final X509Certificate fromA = a.issue(a.root(), TestPki.csr(TestPki.ecKeyPair()), WORKLOAD).get(0);

        assertThat(second.serials()).as("loaded before A issued").doesNotContain(fromA.getSerialNumber());
        assertThatThrownBy(() -> second.record(fromA, BigInteger.ONE))
            .isInstanceOf(CertificateAuthorityException.class).hasMessageContaining("already issued");
        assertThat(second.serials()).contains(fromA.getSerialNumber());
        assertThat(IssuedLog.read(log).entries()).hasSize(2);
    }

    @Test
    void shouldSignWithTheNewRootAfterARotationWithoutARestartAndHandOutTheBundleOfTheDirectory()
    {
        final CaDirectory ca = CaDirectory.open(dir, PASSPHRASE, InstantSource.system());
        final SigningService service = new SigningService(ca, node -> Optional.of("site-a"), TOKEN,
            Duration.ofHours(1));
        final SigningService.Signed before = service.sign("edge-a", "site-a", TestPki.csrPem(TestPki.ecKeyPair()),
            TOKEN);
        assertThat(new X509SvidValidator(List.of(firstRoot.certificate())).validate(chain(before.chainPem()),
            Instant.now()).isValid()).isTrue();

        final SigningAuthority secondRoot = CaDirectory.rotateRoot(dir, PASSPHRASE, Duration.ofDays(10),
            InstantSource.system());
        final SigningService.Signed during = service.sign("edge-a", "site-a", TestPki.csrPem(TestPki.ecKeyPair()),
            TOKEN);

        assertThat(ca.reloads()).isEqualTo(1);
        final List<X509Certificate> overlap = Pem.readCertificates(
            during.bundlePem().getBytes(StandardCharsets.US_ASCII), "bundle");
        assertThat(overlap).containsExactly(secondRoot.certificate(), firstRoot.certificate());
        final Instant now = Instant.now();
        final List<X509Certificate> duringChain = chain(during.chainPem());
        assertThat(new X509SvidValidator(List.of(secondRoot.certificate())).validate(duringChain, now).isValid())
            .as("signed by the new root").isTrue();
        assertThat(new X509SvidValidator(List.of(firstRoot.certificate())).validate(duringChain, now).reason())
            .isEqualTo(Reason.UNTRUSTED);
        assertThat(new X509SvidValidator(overlap).validate(chain(before.chainPem()), now).isValid())
            .as("the old root's SVIDs validate during the overlap").isTrue();

        CaDirectory.finishRootRotation(dir, PASSPHRASE);
        final SigningService.Signed after = service.sign("edge-a", "site-a", TestPki.csrPem(TestPki.ecKeyPair()),
            TOKEN);

        assertThat(Pem.readCertificates(after.bundlePem().getBytes(
            StandardCharsets.US_ASCII), "bundle")).containsExactly(secondRoot.certificate());
        assertThat(new X509SvidValidator(List.of(secondRoot.certificate())).validate(chain(after.chainPem()), now)
            .isValid()).isTrue();
        assertThat(ca.reloads()).as("finishing does not change the signing root").isEqualTo(1);
        assertThat(dir.resolve(CaDirectory.PREVIOUS_ROOT_FILE)).doesNotExist();
    }

    @Test
    void shouldKeepSigningWithTheLoadedRootWhenTheNewRootFileCannotBeRead()
    {
        final CaDirectory ca = CaDirectory.open(dir, PASSPHRASE, InstantSource.system());
        final CertificateAuthority other = CertificateAuthority.generate("mesh.test", Duration.ofDays(1),
            InstantSource.system());
        CaKeyStore.writeRoot(dir.resolve(CaKeyStore.ROOT_FILE), other.root(), "another passphrase".toCharArray());

        assertThat(ca.authority().root().certificate()).isEqualTo(firstRoot.certificate());
        assertThat(ca.reloads()).isZero();
    }

    private static List<X509Certificate> chain(final String pem)
    {
        return Pem.readCertificates(pem.getBytes(StandardCharsets.US_ASCII), "chain");
    }
}
