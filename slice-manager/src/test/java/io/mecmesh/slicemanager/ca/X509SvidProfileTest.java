package io.mecmesh.slicemanager.ca;

import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.dataplane.identity.X509SvidValidator.Expectation;
import io.mecmesh.dataplane.identity.X509SvidValidator.Reason;
import io.mecmesh.dataplane.identity.X509SvidValidator.Result;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The X.509-SVID rules the corpus fixtures do not cover, each broken alone by a leaf that the CA's root signs: only
 * the broken rule can make the validator refuse it.
 */
class X509SvidProfileTest
{
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final String WORKLOAD = "spiffe://mesh.example/app/x";

    private final CertificateAuthority ca =
        CertificateAuthority.generate("mesh.example", Duration.ofDays(30), InstantSource.fixed(NOW));
    private final X509SvidValidator validator = new X509SvidValidator(ca.trustBundle());

    private Result validate(final TestPki.Leaf leaf)
    {
        return validate(leaf, Expectation.anyId());
    }

    private Result validate(final TestPki.Leaf leaf, final Expectation expectation)
    {
        final X509Certificate certificate = leaf.signedBy(ca.root(), NOW, NOW.plusSeconds(3600));
        return validator.validate(List.of(certificate), NOW.plusSeconds(60), expectation);
    }

    @Test
    void shouldAcceptTheUnbrokenLeafSoThatEachRejectionBelowIsCausedByOneRule()
    {
        assertThat(validate(new TestPki.Leaf().uri(WORKLOAD)).isValid()).isTrue();
    }

    @Test
    void shouldRejectLeafWithTwoUriSans()
    {
        final Result result = validate(new TestPki.Leaf().uri(WORKLOAD).uri("spiffe://mesh.example/app/y"));

        assertThat(result.reason()).isEqualTo(Reason.LEAF_MULTIPLE_URI_SANS);
    }

    @Test
    void shouldRejectLeafWhoseUriSanIsNotASpiffeId()
    {
        final Result result = validate(new TestPki.Leaf().uri("https://mesh.example/app/x"));

        assertThat(result.reason()).isEqualTo(Reason.LEAF_INVALID_SPIFFE_ID);
        assertThat(result.message()).contains("must start with \"spiffe://\"");
    }

    @Test
    void shouldRejectLeafWithTheTrustDomainIdOnly()
    {
        assertThat(validate(new TestPki.Leaf().uri("spiffe://mesh.example")).reason())
            .isEqualTo(Reason.LEAF_ROOT_SPIFFE_ID);
    }

    @Test
    void shouldRejectLeafWithCaTrue()
    {
        final TestPki.Leaf leaf = new TestPki.Leaf().uri(WORKLOAD);
        leaf.ca = true;

        assertThat(validate(leaf).reason()).isEqualTo(Reason.LEAF_CA_TRUE);
    }

    @Test
    void shouldRejectLeafWithoutKeyUsage()
    {
        final TestPki.Leaf leaf = new TestPki.Leaf().uri(WORKLOAD);
        leaf.keyUsage = null;

        assertThat(validate(leaf).reason()).isEqualTo(Reason.LEAF_NO_KEY_USAGE);
    }

    @Test
    void shouldRejectLeafWhoseKeyUsageIsNotCritical()
    {
        final TestPki.Leaf leaf = new TestPki.Leaf().uri(WORKLOAD);
        leaf.keyUsageCritical = false;

        assertThat(validate(leaf).reason()).isEqualTo(Reason.LEAF_KEY_USAGE_NOT_CRITICAL);
    }

    @Test
    void shouldAcceptLeafWithKeyEnciphermentAndKeyAgreementBesideDigitalSignature()
    {
        final TestPki.Leaf leaf = new TestPki.Leaf().uri(WORKLOAD);
        leaf.keyUsage = KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement;

        assertThat(validate(leaf).isValid()).isTrue();
    }

    @Test
    void shouldRejectLeafWhoseExtendedKeyUsageLacksClientAuth()
    {
        final TestPki.Leaf leaf = new TestPki.Leaf().uri(WORKLOAD);
        leaf.extendedKeyUsage = new KeyPurposeId[] { KeyPurposeId.id_kp_serverAuth };

        assertThat(validate(leaf).reason()).isEqualTo(Reason.LEAF_EXTENDED_KEY_USAGE);
    }

    @Test
    void shouldAcceptLeafWithoutExtendedKeyUsage()
    {
        final TestPki.Leaf leaf = new TestPki.Leaf().uri(WORKLOAD);
        leaf.extendedKeyUsage = null;

        assertThat(validate(leaf).isValid()).isTrue();
    }

    @Test
    void shouldMatchTheExpectedDnsNameExactlyOrByOneWildcardLabel()
    {
        final TestPki.Leaf leaf = new TestPki.Leaf().uri(WORKLOAD).dns("api.mesh.example").dns("*.edge.example");

        assertThat(validate(leaf, Expectation.dnsName("API.mesh.example")).isValid()).isTrue();
        assertThat(validate(leaf, Expectation.dnsName("a.edge.example")).isValid()).isTrue();
        assertThat(validate(leaf, Expectation.dnsName("a.b.edge.example")).reason())
            .isEqualTo(Reason.DNS_NAME_MISMATCH);
        assertThat(validate(leaf, Expectation.dnsName("other.mesh.example")).reason())
            .isEqualTo(Reason.DNS_NAME_MISMATCH);
    }

    @Test
    void shouldRejectSigningCertificateWhoseSpiffeIdHasAPath()
    {
        final TestPki.Leaf signing = new TestPki.Leaf().uri("spiffe://mesh.example/ca");
        signing.ca = true;
        signing.keyUsage = KeyUsage.keyCertSign | KeyUsage.cRLSign;
        signing.extendedKeyUsage = null;
        final X509Certificate signingCertificate = signing.signedBy(ca.root(), NOW, NOW.plusSeconds(3600));
        final SigningAuthority authority = new SigningAuthority(signingCertificate, signing.keyPair.getPrivate(),
            SpiffeId.ofTrustDomain("mesh.example"), List.of(signingCertificate));
        final X509Certificate leaf = new TestPki.Leaf().uri(WORKLOAD).signedBy(authority, NOW, NOW.plusSeconds(3600));

        final Result result = validator.validate(List.of(leaf, signingCertificate), NOW.plusSeconds(60));

        assertThat(result.reason()).isEqualTo(Reason.SIGNING_CERT_ID_HAS_PATH);
    }

    /** A site intermediate for {@code /site/a}: the trust domain's SPIFFE ID, the site in its signing scope. */
    private SigningAuthority siteAIntermediate()
    {
        final TestPki.Leaf signing = new TestPki.Leaf().uri("spiffe://mesh.example")
            .signingScope("spiffe://mesh.example/site/a");
        signing.ca = true;
        signing.keyUsage = KeyUsage.keyCertSign | KeyUsage.cRLSign;
        signing.extendedKeyUsage = null;
        final X509Certificate signingCertificate = signing.signedBy(ca.root(), NOW, NOW.plusSeconds(3600));
        return new SigningAuthority(signingCertificate, signing.keyPair.getPrivate(),
            SpiffeId.ofTrustDomain("mesh.example"), List.of(signingCertificate));
    }

    @Test
    void shouldAcceptOnlyLeavesAtOrBelowTheSigningScopeOfTheirSigningCertificate()
    {
        final SigningAuthority authority = siteAIntermediate();
        final X509Certificate signingCertificate = authority.certificate();
        final X509Certificate inside = new TestPki.Leaf().uri("spiffe://mesh.example/site/a/app/x")
            .signedBy(authority, NOW, NOW.plusSeconds(3600));
        final X509Certificate sibling = new TestPki.Leaf().uri("spiffe://mesh.example/site/ab/app/x")
            .signedBy(authority, NOW, NOW.plusSeconds(3600));
        final X509Certificate outside = new TestPki.Leaf().uri(WORKLOAD).signedBy(authority, NOW, NOW.plusSeconds(3600));

        assertThat(validator.validate(List.of(inside, signingCertificate), NOW.plusSeconds(60)).isValid()).isTrue();
        assertThat(validator.validate(List.of(sibling, signingCertificate), NOW.plusSeconds(60)).reason())
            .as("a path prefix is not a scope: /site/ab is not below /site/a")
            .isEqualTo(Reason.LEAF_OUTSIDE_SIGNING_CERT_SCOPE);
        final Result result = validator.validate(List.of(outside, signingCertificate), NOW.plusSeconds(60));
        assertThat(result.reason()).isEqualTo(Reason.LEAF_OUTSIDE_SIGNING_CERT_SCOPE);
        assertThat(result.message()).contains(WORKLOAD).contains("spiffe://mesh.example/site/a");
    }

    @Test
    void shouldApplyTheScopeOfASigningCertificateThatIsTheTrustAnchor()
    {
        final SigningAuthority authority = siteAIntermediate();
        final X509Certificate signingCertificate = authority.certificate();
        final X509Certificate outside = new TestPki.Leaf().uri(WORKLOAD).signedBy(authority, NOW, NOW.plusSeconds(3600));

        assertThat(new X509SvidValidator(List.of(signingCertificate)).validate(List.of(outside), NOW.plusSeconds(60))
            .reason()).isEqualTo(Reason.LEAF_OUTSIDE_SIGNING_CERT_SCOPE);
    }

    @Test
    void shouldRejectLeafSignedByACertificateThatIsNotACa()
    {
        final TestPki.Leaf notCa = new TestPki.Leaf().uri("spiffe://mesh.example/other");
        final X509Certificate notCaCertificate = notCa.signedBy(ca.root(), NOW, NOW.plusSeconds(3600));
        final TestPki.Leaf leaf = new TestPki.Leaf().uri(WORKLOAD);
        final X509Certificate leafCertificate = leaf.signedBy(new SigningAuthority(ca.root().certificate(),
            notCa.keyPair.getPrivate(), ca.root().scope(), List.of()), NOW, NOW.plusSeconds(3600));

        final Result result = validator.validate(List.of(leafCertificate, notCaCertificate), NOW.plusSeconds(60));

        assertThat(result.reason()).isEqualTo(Reason.SIGNING_CERT_NOT_CA);
    }
}
