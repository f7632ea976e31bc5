package io.mecmesh.slicemanager.ca;

import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A site intermediate written to a directory and loaded from it alone (no root key): the SVIDs it issues validate
 * against the bundle with the data plane's validator, and it refuses every ID outside its site with the reason.
 */
class SiteAuthorityTest
{
    private static final char[] PASSPHRASE = "site passphrase".toCharArray();

    @TempDir
    Path dir;

    private CertificateAuthority ca;
    private SiteAuthority site;

    @BeforeEach
    void writeAndLoad()
    {
        ca = CertificateAuthority.generate("mesh.test", Duration.ofDays(10), InstantSource.system());
        final SigningAuthority intermediate = ca.createSiteIntermediate(SiteAuthority.siteScope("mesh.test", "edge-1"),
            Duration.ofDays(5));
        SiteAuthority.write(dir, intermediate, ca.trustBundle(), PASSPHRASE);
        site = SiteAuthority.load(dir, PASSPHRASE, InstantSource.system(), Duration.ofMinutes(30));
    }

    @Test
    void shouldIssueAnSvidThatValidatesAgainstTheBundleWithTheDataPlaneValidator() throws IOException
    {
        final KeyPair key = TestPki.ecKeyPair();
        final SpiffeId id = SpiffeId.parse("spiffe://mesh.test/site/edge-1/app/amf");

        final List<X509Certificate> chain = site.issue(TestPki.csr(key), id);

        assertThat(Files.getPosixFilePermissions(dir.resolve(SiteAuthority.KEY_STORE_FILE)))
            .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(site.scope()).isEqualTo(SpiffeId.parse("spiffe://mesh.test/site/edge-1"));
        assertThat(chain).hasSize(2);
        assertThat(chain.get(0).getPublicKey()).isEqualTo(key.getPublic());
        assertThat(chain.get(1).getSubjectX500Principal().getName()).contains("mecmesh site CA /site/edge-1");
        final X509SvidValidator.Result result = new X509SvidValidator(site.bundle()).validate(chain, Instant.now(),
            X509SvidValidator.Expectation.spiffeId(id));
        assertThat(result.isValid()).as(result.message()).isTrue();
        assertThat(Duration.between(Instant.now(), chain.get(0).getNotAfter().toInstant()))
            .isBetween(Duration.ofMinutes(29), Duration.ofMinutes(31));
    }

    @Test
    void shouldRefuseIdsOutsideTheSiteWithTheReason()
    {
        final byte[] csr = TestPki.csr(TestPki.ecKeyPair());
        for (final String id : List.of("spiffe://mesh.test/site/edge-2/app/amf", "spiffe://mesh.test/app/amf",
            "spiffe://mesh.test/site/edge-1", "spiffe://mesh.test/site/edge-10/app/amf",
            "spiffe://other.test/site/edge-1/app/amf"))
        {
            assertThatThrownBy(() -> site.issue(csr, SpiffeId.parse(id)))
                .as(id)
                .isInstanceOf(CertificateAuthorityException.class)
                .hasMessageContaining("is outside this site's scope spiffe://mesh.test/site/edge-1/")
                .extracting(ex -> ((CertificateAuthorityException)ex).category())
                .isEqualTo(CertificateAuthorityException.Category.FORBIDDEN);
        }
    }

    @Test
    void shouldRefuseACsrNotSignedByItsOwnKey()
    {
        final byte[] csr = TestPki.csr(TestPki.ecKeyPair(), TestPki.ecKeyPair().getPrivate());

        assertThatThrownBy(() -> site.issue(csr, SpiffeId.parse("spiffe://mesh.test/site/edge-1/app/amf")))
            .isInstanceOf(CertificateAuthorityException.class)
            .hasMessageContaining("signature does not verify")
            .extracting(ex -> ((CertificateAuthorityException)ex).category())
            .isEqualTo(CertificateAuthorityException.Category.REQUEST_REFUSED);
    }

    @Test
    void shouldRefuseToLoadAnIntermediateThatNoRootOfTheBundleSigned() throws IOException
    {
        final CertificateAuthority other = CertificateAuthority.generate("mesh.test", Duration.ofDays(10),
            InstantSource.system());
        Files.writeString(dir.resolve(SiteAuthority.BUNDLE_FILE),
            Pem.encodeCertificates(other.trustBundle()));

        assertThatThrownBy(() -> SiteAuthority.load(dir, PASSPHRASE, InstantSource.system(), Duration.ofHours(1)))
            .isInstanceOf(CertificateAuthorityException.class)
            .hasMessageContaining("no root in it signed the site intermediate");
    }

    @Test
    void shouldRefuseAWrongPassphrase()
    {
        assertThatThrownBy(() -> SiteAuthority.load(dir, "guess".toCharArray(), InstantSource.system(),
            Duration.ofHours(1)))
            .isInstanceOf(CertificateAuthorityException.class)
            .hasMessageContaining("wrong passphrase");
    }

    @Test
    void shouldRefuseASiteThatIsNotAPathSegment()
    {
        assertThatThrownBy(() -> SiteAuthority.siteScope("mesh.test", "edge/1"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("site: \"edge/1\" is not a path segment");
    }
}
