package io.mecmesh.slicemanager.ca;

import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.dataplane.identity.X509SvidValidator.Expectation;
import io.mecmesh.dataplane.identity.X509SvidValidator.Reason;
import io.mecmesh.dataplane.identity.X509SvidValidator.Result;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException.Category;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CertificateAuthorityTest
{
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final InstantSource CLOCK = InstantSource.fixed(NOW);
    private static final String TRUST_DOMAIN = "mesh.example";
    private static final SpiffeId VIDEO = SpiffeId.parse("spiffe://mesh.example/slice/1-000001/app/video");
    private static final SpiffeId SITE_A = SpiffeId.parse("spiffe://mesh.example/site/edge-a");
    private static final SpiffeId SITE_B = SpiffeId.parse("spiffe://mesh.example/site/edge-b");

    private final CertificateAuthority ca = CertificateAuthority.generate(TRUST_DOMAIN, Duration.ofDays(365), CLOCK);
    private final X509SvidValidator validator = new X509SvidValidator(ca.trustBundle());

    @Test
    void shouldGenerateSelfSignedEcdsaRootThatSignsCertificatesAndCrls()
    {
        final X509Certificate root = ca.root().certificate();

        assertThat(root.getSubjectX500Principal()).isEqualTo(root.getIssuerX500Principal());
        assertThat(root.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(root.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(root.getBasicConstraints()).isNotEqualTo(-1);
        assertThat(root.getKeyUsage()).containsExactly(false, false, false, false, false, true, true, false, false);
        assertThat(root.getCriticalExtensionOIDs()).contains("2.5.29.15", "2.5.29.19");
        assertThat(root.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(365)));
        assertThat(ca.root().scope()).isEqualTo(SpiffeId.ofTrustDomain(TRUST_DOMAIN));
    }

    @Test
    void shouldIssueLeafFromCsrThatTheDataPlaneValidatorAccepts()
    {
        final KeyPair workloadKey = TestPki.ecKeyPair();

        final List<X509Certificate> chain = ca.issue(ca.root(), TestPki.csr(workloadKey), VIDEO);
        final Result result = validator.validate(chain, NOW, Expectation.spiffeId(VIDEO));

        assertThat(result.isValid()).as(result.message()).isTrue();
        assertThat(result.spiffeId()).contains(VIDEO);
        assertThat(chain).hasSize(1);
        assertThat(chain.get(0).getPublicKey()).isEqualTo(workloadKey.getPublic());
    }

    @Test
    void shouldWriteTheX509SvidProfileIntoTheLeaf() throws Exception
    {
        final X509Certificate leaf = ca.issue(ca.root(), TestPki.csr(TestPki.ecKeyPair()), VIDEO).get(0);

        assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(6, VIDEO.toString()));
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getKeyUsage()).containsExactly(true, false, false, false, false, false, false, false, false);
        assertThat(leaf.getCriticalExtensionOIDs()).contains("2.5.29.15");
        assertThat(leaf.getExtendedKeyUsage()).containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofHours(24)));
        assertThat(leaf.getNotBefore().toInstant()).isEqualTo(NOW.minus(CertificateAuthority.BACKDATE));
        assertThat(leaf.getSerialNumber().signum()).isPositive();
        assertThat(leaf.getSerialNumber().bitLength()).isLessThanOrEqualTo(128);
    }

    @Test
    void shouldIssueTheIdTheCallerNamesNotTheOneInTheCsr() throws Exception
    {
        final X509Certificate leaf = ca.issue(ca.root(), TestPki.csr(TestPki.ecKeyPair()), VIDEO).get(0);

        assertThat(leaf.getSubjectX500Principal().getName()).doesNotContain("workload");
        assertThat(leaf.getSubjectAlternativeNames()).hasSize(1);
    }

    @Test
    void shouldHonourTheRequestedTtlAndExpireOnTheInjectedClock()
    {
        final List<X509Certificate> chain =
            ca.issue(ca.root(), TestPki.csr(TestPki.ecKeyPair()), VIDEO, Duration.ofSeconds(30));

        assertThat(validator.validate(chain, NOW.plusSeconds(15)).isValid()).isTrue();
        assertThat(validator.validate(chain, NOW.plusSeconds(31)).reason()).isEqualTo(Reason.EXPIRED);
    }

    @Test
    void shouldRefuseCsrWhoseSignatureWasNotMadeWithItsKey()
    {
        final byte[] forged = TestPki.csr(TestPki.ecKeyPair(), TestPki.ecKeyPair().getPrivate());

        assertThatThrownBy(() -> ca.issue(ca.root(), forged, VIDEO))
            .isInstanceOf(CertificateAuthorityException.class)
            .hasMessageContaining("signature does not verify")
            .extracting(ex -> ((CertificateAuthorityException)ex).category()).isEqualTo(Category.REQUEST_REFUSED);
    }

    @Test
    void shouldRefuseBytesThatAreNotACsr()
    {
        assertThatThrownBy(() -> ca.issue(ca.root(), new byte[] { 1, 2, 3 }, VIDEO))
            .isInstanceOf(CertificateAuthorityException.class)
            .hasMessageContaining("not a valid DER-encoded PKCS#10 request");
    }

    @Test
    void shouldRefuseIdsOutsideTheTrustDomainOrWithoutPath()
    {
        final byte[] csr = TestPki.csr(TestPki.ecKeyPair());

        assertThatThrownBy(() -> ca.issue(ca.root(), csr, SpiffeId.parse("spiffe://other.example/app/x")))
            .hasMessageContaining("outside the issuer's scope");
        assertThatThrownBy(() -> ca.issue(ca.root(), csr, SpiffeId.ofTrustDomain(TRUST_DOMAIN)))
            .hasMessageContaining("has no path");
    }

    @Test
    void shouldNeverReuseASerialNumberEvenWhenTheRandomSourceRepeats()
    {
        final CertificateAuthority repeating =
            CertificateAuthority.generate(TRUST_DOMAIN, Duration.ofDays(1), CLOCK, new RepeatingRandom());
        final Set<BigInteger> serials = new HashSet<>();
        serials.add(repeating.root().certificate().getSerialNumber());

        for (int i = 0; i < 3; i++)
        {
            final X509Certificate leaf = repeating.issue(
                repeating.root(), TestPki.csr(TestPki.ecKeyPair()), VIDEO).get(0);
            assertThat(serials.add(leaf.getSerialNumber())).as("serial %s reused", leaf.getSerialNumber()).isTrue();
        }
        assertThat(repeating.issuedSerials()).isEqualTo(serials);
    }

    @Test
    void shouldCarryIssuedSerialsAcrossARestart()
    {
        final X509Certificate first = ca.issue(ca.root(), TestPki.csr(TestPki.ecKeyPair()), VIDEO).get(0);

        final CertificateAuthority restarted = CertificateAuthority.load(ca.root(), CLOCK, ca.issuedSerials());

        assertThat(restarted.issuedSerials()).contains(first.getSerialNumber(), ca.root().certificate().getSerialNumber());
    }

    @Test
    void shouldIssueThroughASiteIntermediateWithinItsScope()
    {
        final SigningAuthority siteA = ca.createSiteIntermediate(SITE_A, Duration.ofDays(30));
        final SpiffeId workload = SpiffeId.parse("spiffe://mesh.example/site/edge-a/app/camera");

        final List<X509Certificate> chain = ca.issue(siteA, TestPki.csr(TestPki.ecKeyPair()), workload);
        final Result result = validator.validate(chain, NOW);

        assertThat(chain).hasSize(2).endsWith(siteA.certificate());
        assertThat(result.spiffeId()).as(result.message()).contains(workload);
        assertThat(siteA.certificate().getBasicConstraints()).isZero();
        assertThat(siteA.certificate().getCriticalExtensionOIDs()).contains("2.5.29.30");
    }

    @Test
    void shouldRefuseToIssueForAnotherSitesPathWithASiteIntermediate()
    {
        final SigningAuthority siteA = ca.createSiteIntermediate(SITE_A, Duration.ofDays(30));
        final byte[] csr = TestPki.csr(TestPki.ecKeyPair());

        assertThatThrownBy(() -> ca.issue(siteA, csr, SpiffeId.parse("spiffe://mesh.example/site/edge-b/app/x")))
            .isInstanceOf(CertificateAuthorityException.class)
            .hasMessageContaining("outside the issuer's scope " + SITE_A);
        assertThatThrownBy(() -> ca.issue(siteA, csr, SpiffeId.parse("spiffe://mesh.example/site/edge-ab/app/x")))
            .hasMessageContaining("outside the issuer's scope");
    }

    @Test
    void shouldFailPathValidationForALeafOutsideTheIntermediatesNameConstraints()
    {
        final SigningAuthority siteB = ca.createSiteIntermediate(SITE_B, Duration.ofDays(30));
        final X509Certificate foreign = new TestPki.Leaf().uri("spiffe://other.example/site/edge-b/app/x")
            .signedBy(siteB, NOW, NOW.plusSeconds(3600));

        final Result result = validator.validate(List.of(foreign, siteB.certificate()), NOW.plusSeconds(60));

        assertThat(result.reason()).as(result.message()).isEqualTo(Reason.NAME_CONSTRAINTS_VIOLATED);
    }

    @Test
    void shouldCapALeafAtTheExpiryOfItsIntermediate()
    {
        final SigningAuthority siteA = ca.createSiteIntermediate(SITE_A, Duration.ofHours(1));

        final X509Certificate leaf = ca.issue(siteA, TestPki.csr(TestPki.ecKeyPair()),
            SpiffeId.parse("spiffe://mesh.example/site/edge-a/app/x")).get(0);

        assertThat(leaf.getNotAfter()).isEqualTo(siteA.certificate().getNotAfter());
    }

    @Test
    void shouldRefuseToIssueWithAnExpiredIssuer()
    {
        final CertificateAuthority later = CertificateAuthority.load(
            ca.root(), InstantSource.fixed(NOW.plus(Duration.ofDays(366))), ca.issuedSerials());

        assertThatThrownBy(() -> later.issue(later.root(), TestPki.csr(TestPki.ecKeyPair()), VIDEO))
            .hasMessageContaining("expired at");
    }

    @Test
    void shouldRejectASiteScopeOutsideTheTrustDomain()
    {
        assertThatThrownBy(() -> ca.createSiteIntermediate(SpiffeId.parse("spiffe://other.example/site/a"),
            Duration.ofDays(1)))
            .hasMessageContaining("must be a path in trust domain mesh.example");
    }

    /**
     * Returns the same bytes twice in a row, then changes: a CA that trusted it would repeat a serial.
     */
    private static final class RepeatingRandom extends SecureRandom
    {
        private static final long serialVersionUID = 1L;
        private int calls;

        @Override
        public void nextBytes(final byte[] bytes)
        {
            final int value = calls++ / 2;
            for (int i = 0; i < bytes.length; i++)
            {
                bytes[i] = (byte)(value + 1);
            }
        }
    }
}
