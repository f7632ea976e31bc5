package io.mecmesh.slicemanager.ca;

import io.mecmesh.dataplane.identity.SigningScope;
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
import java.util.concurrent.atomic.AtomicReference;

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

    @Test
    void shouldCarryTheSitesScopeInTheIntermediateAndTheTrustDomainAsItsSpiffeId() throws Exception
    {
        assertThat(site.intermediate().certificate().getSubjectAlternativeNames())
            .as("a signing certificate's SPIFFE ID has no path (X.509-SVID 3.2)")
            .containsExactly(List.of(6, "spiffe://mesh.test"));
        assertThat(SigningScope.of(site.intermediate().certificate()))
            .contains(SpiffeId.parse("spiffe://mesh.test/site/edge-1"));
    }

    @Test
    void shouldRefuseNodeIdentitiesOfItsOwnSite()
    {
        final byte[] csr = TestPki.csr(TestPki.ecKeyPair());

        assertThatThrownBy(() -> site.issue(csr, SpiffeId.parse("spiffe://mesh.test/site/edge-1/node/edge-1")))
            .isInstanceOf(CertificateAuthorityException.class)
            .hasMessageContaining("node identities come from the control plane's CA only")
            .extracting(ex -> ((CertificateAuthorityException)ex).category())
            .isEqualTo(CertificateAuthorityException.Category.FORBIDDEN);
        assertThat(site.issue(csr, SpiffeId.parse("spiffe://mesh.test/site/edge-1/nodes/x"))).as("a segment, not a "
            + "prefix").hasSize(2);
    }

    @Test
    void shouldRecordItsSerialsInTheSiteDirectoryAcrossARestart()
    {
        final X509Certificate leaf = site.issue(TestPki.csr(TestPki.ecKeyPair()),
            SpiffeId.parse("spiffe://mesh.test/site/edge-1/app/amf")).get(0);

        final IssuedLog log = IssuedLog.read(dir.resolve(IssuedLog.FILE));

        assertThat(log.entries()).singleElement().satisfies(entry ->
        {
            assertThat(entry.serial()).isEqualTo(leaf.getSerialNumber());
            assertThat(entry.subject()).isEqualTo("spiffe://mesh.test/site/edge-1/app/amf");
            assertThat(entry.issuerSerial()).isEqualTo(site.intermediate().certificate().getSerialNumber());
        });
        assertThat(SiteAuthority.load(dir, PASSPHRASE, InstantSource.system(), Duration.ofHours(1)).issue(
            TestPki.csr(TestPki.ecKeyPair()), SpiffeId.parse("spiffe://mesh.test/site/edge-1/app/smf"))).hasSize(2);
        assertThat(IssuedLog.read(dir.resolve(IssuedLog.FILE)).entries()).hasSize(2);
    }

    @Test
    void shouldIssueWithARotatedIntermediateWithoutARestartAndKeepTheOldOneUntilFinished()
    {
        final SigningAuthority before = site.intermediate();
        final SigningAuthority next = ca.createSiteIntermediate(SiteAuthority.siteScope("mesh.test", "edge-1"),
            Duration.ofDays(5));

        SiteAuthority.rotate(dir, next, ca.trustBundle(), PASSPHRASE);
        final List<X509Certificate> chain = site.issue(TestPki.csr(TestPki.ecKeyPair()),
            SpiffeId.parse("spiffe://mesh.test/site/edge-1/app/amf"));

        assertThat(chain.get(1)).isEqualTo(next.certificate());
        assertThat(site.reloads()).isPositive();
        assertThat(CaKeyStore.readSiteIntermediate(dir.resolve(SiteAuthority.PREVIOUS_KEY_STORE_FILE), PASSPHRASE)
            .certificate()).isEqualTo(before.certificate());
        assertThatThrownBy(() -> SiteAuthority.rotate(dir, next, ca.trustBundle(), PASSPHRASE))
            .hasMessageContaining("rotation of this site CA is in progress");
        final SigningAuthority otherSite = ca.createSiteIntermediate(SiteAuthority.siteScope("mesh.test", "edge-2"),
            Duration.ofDays(5));
        SiteAuthority.finishRotation(dir);
        assertThat(dir.resolve(SiteAuthority.PREVIOUS_KEY_STORE_FILE)).doesNotExist();
        assertThatThrownBy(() -> SiteAuthority.finishRotation(dir)).hasMessageContaining("no rotation");
        assertThatThrownBy(() -> SiteAuthority.rotate(dir, otherSite, ca.trustBundle(), PASSPHRASE))
            .hasMessageContaining("holds the site CA of spiffe://mesh.test/site/edge-1, not of "
                + "spiffe://mesh.test/site/edge-2");
    }

    @Test
    void shouldFollowTheNodeIdentitysBundleThroughARootRotation() throws IOException
    {
        final AtomicReference<List<X509Certificate>> nodeBundle = new AtomicReference<>(List.of());
        final SiteAuthority following = SiteAuthority.load(dir, PASSPHRASE, InstantSource.system(),
            Duration.ofHours(1), nodeBundle::get);
        final CertificateAuthority newRoot = CertificateAuthority.generate("mesh.test", Duration.ofDays(10),
            InstantSource.system());
        final SpiffeId amf = SpiffeId.parse("spiffe://mesh.test/site/edge-1/app/amf");

        // the control plane's overlap bundle reaches the node: the site's bundle follows
        nodeBundle.set(List.of(newRoot.root().certificate(), ca.root().certificate()));
        following.issue(TestPki.csr(TestPki.ecKeyPair()), amf);
        assertThat(following.bundle()).isEqualTo(nodeBundle.get());
        assertThat(Pem.readCertificates(dir.resolve(SiteAuthority.BUNDLE_FILE))).isEqualTo(nodeBundle.get());

        // the intermediate is rotated under the new root, then the root rotation is finished
        SiteAuthority.rotate(dir, newRoot.createSiteIntermediate(SiteAuthority.siteScope("mesh.test", "edge-1"),
            Duration.ofDays(5)), nodeBundle.get(), PASSPHRASE);
        nodeBundle.set(List.of(newRoot.root().certificate()));
        final List<X509Certificate> chain = following.issue(TestPki.csr(TestPki.ecKeyPair()), amf);

        assertThat(Pem.readCertificates(dir.resolve(SiteAuthority.BUNDLE_FILE))).isEqualTo(nodeBundle.get());
        final X509SvidValidator.Result result = new X509SvidValidator(nodeBundle.get()).validate(chain, Instant.now(),
            X509SvidValidator.Expectation.spiffeId(amf));
        assertThat(result.isValid()).as(result.message()).isTrue();
    }

    @Test
    void shouldIssueNothingWhenTheBundleNoLongerHoldsTheRootOfItsIntermediate()
    {
        final AtomicReference<List<X509Certificate>> nodeBundle = new AtomicReference<>(List.of());
        final SiteAuthority following = SiteAuthority.load(dir, PASSPHRASE, InstantSource.system(),
            Duration.ofHours(1), nodeBundle::get);
        nodeBundle.set(CertificateAuthority.generate("mesh.test", Duration.ofDays(10), InstantSource.system())
            .trustBundle());

        assertThatThrownBy(() -> following.issue(TestPki.csr(TestPki.ecKeyPair()),
            SpiffeId.parse("spiffe://mesh.test/site/edge-1/app/amf")))
            .isInstanceOf(CertificateAuthorityException.class)
            .hasMessageContaining("signed by no root of the trust bundle")
            .hasMessageContaining("cert intermediate --rotate")
            .extracting(ex -> ((CertificateAuthorityException)ex).category())
            .isEqualTo(CertificateAuthorityException.Category.UNAVAILABLE);
    }

    /**
     * The site boundary: a thief with site edge-1's intermediate and key signs an identity of site edge-2 with the
     * SVID profile; the data plane's validator refuses it (and accepts what the thief signs in edge-1).
     */
    @Test
    void shouldMakeAStolenSiteIntermediateUselessForAnotherSitesIdentities()
    {
        final SigningAuthority stolen = site.intermediate();
        final Instant now = Instant.now();
        final X509Certificate forged = new TestPki.Leaf().uri("spiffe://mesh.test/site/edge-2/node/edge-2")
            .signedBy(stolen, now.minusSeconds(60), now.plusSeconds(3600));
        final X509Certificate own = new TestPki.Leaf().uri("spiffe://mesh.test/site/edge-1/app/x")
            .signedBy(stolen, now.minusSeconds(60), now.plusSeconds(3600));
        final X509SvidValidator validator = new X509SvidValidator(ca.trustBundle());

        final X509SvidValidator.Result result = validator.validate(List.of(forged, stolen.certificate()), now);

        assertThat(result.reason()).isEqualTo(X509SvidValidator.Reason.LEAF_OUTSIDE_SIGNING_CERT_SCOPE);
        assertThat(result.message()).contains("spiffe://mesh.test/site/edge-2/node/edge-2")
            .contains("spiffe://mesh.test/site/edge-1");
        assertThat(validator.validate(List.of(own, stolen.certificate()), now).isValid()).isTrue();
    }
}
