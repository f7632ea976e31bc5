package io.mecmesh.dataplane.identity;

import io.mecmesh.dataplane.identity.X509SvidValidator.Expectation;
import io.mecmesh.dataplane.identity.X509SvidValidator.Reason;
import io.mecmesh.dataplane.identity.X509SvidValidator.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.mecmesh.dataplane.identity.SvidFixtures.LEAF_AND_INTERMEDIATE_VALID_AT;
import static io.mecmesh.dataplane.identity.SvidFixtures.SINGLE_KEY_FIXTURES_VALID_AT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class X509SvidValidatorTest
{
    private static final SpiffeId WORKLOAD_1 = SpiffeId.parse("spiffe://example.org/workload-1");

    static final List<String> CORPORA = SvidFixtures.CORPORA;

    static Stream<Arguments> wrongFixtures()
    {
        final List<Arguments> cases = new ArrayList<>();
        for (final String corpus : SvidFixtures.CORPORA)
        {
            cases.add(Arguments.of(corpus, "wrong-leaf-ca-true.pem", Reason.LEAF_CA_TRUE));
            cases.add(Arguments.of(corpus, "wrong-leaf-cert-sign.pem", Reason.LEAF_KEY_CERT_SIGN));
            cases.add(Arguments.of(corpus, "wrong-leaf-crl-sign.pem", Reason.LEAF_CRL_SIGN));
            cases.add(Arguments.of(corpus, "wrong-leaf-empty-id.pem", Reason.LEAF_NO_URI_SAN));
            cases.add(Arguments.of(corpus, "wrong-leaf-no-digital-signature.pem", Reason.LEAF_NO_DIGITAL_SIGNATURE));
            cases.add(Arguments.of(corpus, "wrong-intermediate-no-ca.pem", Reason.SIGNING_CERT_NOT_CA));
            cases.add(Arguments.of(
                corpus, "wrong-intermediate-no-key-cert-sign.pem", Reason.SIGNING_CERT_NO_KEY_CERT_SIGN));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}/{1} -> {2}")
    @MethodSource("wrongFixtures")
    void shouldRejectEachWrongFixtureWithTheRuleItBreaks(final String corpus, final String name, final Reason reason)
    {
        final X509SvidValidator validator = new X509SvidValidator(SvidFixtures.singleKeyBundle(corpus));

        final Result result = validator.validate(SvidFixtures.chain(corpus, name), SINGLE_KEY_FIXTURES_VALID_AT);

        assertThat(result.reason()).isEqualTo(reason);
        assertThat(result.isValid()).isFalse();
        assertThat(result.spiffeId()).isEmpty();
        assertThat(result.message()).isNotBlank().doesNotContain("\n");
    }

    @ParameterizedTest
    @FieldSource("CORPORA")
    void shouldAcceptGoodLeafAndIntermediateWithItsSpiffeId(final String corpus)
    {
        final X509SvidValidator validator = new X509SvidValidator(SvidFixtures.intermediateBundle(corpus));

        final Result result = validator.validate(
            SvidFixtures.chain(corpus, "good-leaf-and-intermediate.pem"), LEAF_AND_INTERMEDIATE_VALID_AT);

        assertThat(result.isValid()).as(result.message()).isTrue();
        assertThat(result.reason()).isEqualTo(Reason.VALID);
        assertThat(result.spiffeId()).contains(WORKLOAD_1);
    }

    @ParameterizedTest
    @FieldSource("CORPORA")
    void shouldAcceptGoodLeafOnlyWithItsSpiffeId(final String corpus)
    {
        final X509SvidValidator validator = new X509SvidValidator(SvidFixtures.singleKeyBundle(corpus));

        final Result result = validator.validate(
            SvidFixtures.chain(corpus, "good-leaf-only.pem"), SINGLE_KEY_FIXTURES_VALID_AT);

        assertThat(result.isValid()).as(result.message()).isTrue();
        assertThat(result.spiffeId()).contains(WORKLOAD_1);
    }

    @Test
    void shouldAcceptLeafAloneWhenItsIssuerIsInTheBundle()
    {
        final List<X509Certificate> chain = SvidFixtures.chain("go-spiffe", "good-leaf-and-intermediate.pem");
        final X509SvidValidator validator = new X509SvidValidator(SvidFixtures.intermediateBundle("go-spiffe"));

        final Result result = validator.validate(List.of(chain.get(0)), LEAF_AND_INTERMEDIATE_VALID_AT);

        assertThat(result.spiffeId()).contains(WORKLOAD_1);
    }

    @Test
    void shouldRejectChainThatExpiredBeforeTheValidationInstant()
    {
        final X509SvidValidator validator = new X509SvidValidator(SvidFixtures.intermediateBundle("go-spiffe"));

        final Result result = validator.validate(SvidFixtures.chain("go-spiffe", "good-leaf-and-intermediate.pem"),
            Instant.parse("2020-03-24T15:08:00Z"));

        assertThat(result.reason()).isEqualTo(Reason.EXPIRED);
        assertThat(result.message()).as("the certificate's own notAfter as its expiry, the instant as the check's")
            .contains("expired at 2020-03-24T15:07:40Z (validated at 2020-03-24T15:08:00Z)");
    }

    @Test
    void shouldRejectChainNotYetValidAtTheValidationInstant()
    {
        final X509SvidValidator validator = new X509SvidValidator(SvidFixtures.intermediateBundle("go-spiffe"));

        final Result result = validator.validate(SvidFixtures.chain("go-spiffe", "good-leaf-and-intermediate.pem"),
            Instant.parse("2020-03-24T14:07:00Z"));

        assertThat(result.reason()).isEqualTo(Reason.NOT_YET_VALID);
    }

    @Test
    void shouldRejectGoodLeafOnlyAfterItExpiredIn2025()
    {
        final X509SvidValidator validator = new X509SvidValidator(SvidFixtures.singleKeyBundle("go-spiffe"));

        final Result result = validator.validate(
            SvidFixtures.chain("go-spiffe", "good-leaf-only.pem"), Instant.parse("2025-03-29T19:00:38Z"));

        assertThat(result.reason()).isEqualTo(Reason.EXPIRED);
    }

    @Test
    void shouldRejectChainThatDoesNotLeadToTheBundle()
    {
        final X509SvidValidator validator = new X509SvidValidator(SvidFixtures.singleKeyBundle("go-spiffe"));

        final Result result = validator.validate(
            SvidFixtures.chain("go-spiffe", "good-leaf-and-intermediate.pem"), LEAF_AND_INTERMEDIATE_VALID_AT);

        assertThat(result.reason()).isEqualTo(Reason.UNTRUSTED);
    }

    @Test
    void shouldRejectLeafSignedByAnotherKeyThanTheBundleCertificateWithTheSameName()
    {
        final X509SvidValidator validator = new X509SvidValidator(SvidFixtures.intermediateBundle("go-spiffe"));

        final Result result = validator.validate(
            SvidFixtures.chain("go-spiffe", "good-leaf-only.pem"), SINGLE_KEY_FIXTURES_VALID_AT);

        assertThat(result.reason()).as(result.message()).isEqualTo(Reason.UNTRUSTED);
    }

    @Test
    void shouldRejectEmptyChain()
    {
        final X509SvidValidator validator = new X509SvidValidator(SvidFixtures.singleKeyBundle("go-spiffe"));

        assertThat(validator.validate(List.of(), SINGLE_KEY_FIXTURES_VALID_AT).reason()).isEqualTo(Reason.EMPTY_CHAIN);
    }

    @Test
    void shouldAcceptTheExpectedSpiffeIdAndRejectAnother()
    {
        final X509SvidValidator validator = new X509SvidValidator(SvidFixtures.singleKeyBundle("go-spiffe"));
        final List<X509Certificate> chain = SvidFixtures.chain("go-spiffe", "good-leaf-only.pem");

        final Result expected = validator.validate(chain, SINGLE_KEY_FIXTURES_VALID_AT, Expectation.spiffeId(WORKLOAD_1));
        final Result other = validator.validate(chain, SINGLE_KEY_FIXTURES_VALID_AT,
            Expectation.spiffeId(SpiffeId.parse("spiffe://example.org/workload-2")));

        assertThat(expected.spiffeId()).contains(WORKLOAD_1);
        assertThat(other.reason()).isEqualTo(Reason.SPIFFE_ID_MISMATCH);
        assertThat(other.message()).contains("spiffe://example.org/workload-1", "spiffe://example.org/workload-2");
    }

    @Test
    void shouldRejectLeafFromAnotherTrustDomainThanExpected()
    {
        final X509SvidValidator validator = new X509SvidValidator(SvidFixtures.singleKeyBundle("go-spiffe"));
        final List<X509Certificate> chain = SvidFixtures.chain("go-spiffe", "good-leaf-only.pem");

        assertThat(validator.validate(chain, SINGLE_KEY_FIXTURES_VALID_AT, Expectation.trustDomain("example.org"))
            .isValid()).isTrue();
        assertThat(validator.validate(chain, SINGLE_KEY_FIXTURES_VALID_AT, Expectation.trustDomain("other.org"))
            .reason()).isEqualTo(Reason.TRUST_DOMAIN_MISMATCH);
    }

    @Test
    void shouldRejectLeafWithoutTheExpectedDnsName()
    {
        final X509SvidValidator validator = new X509SvidValidator(SvidFixtures.singleKeyBundle("go-spiffe"));
        final List<X509Certificate> chain = SvidFixtures.chain("go-spiffe", "good-leaf-only.pem");

        final Result result = validator.validate(chain, SINGLE_KEY_FIXTURES_VALID_AT, Expectation.dnsName("example.org"));

        assertThat(result.reason()).isEqualTo(Reason.DNS_NAME_MISMATCH);
    }

    @Test
    void shouldRefuseAnEmptyTrustBundle()
    {
        assertThatThrownBy(() -> new X509SvidValidator(List.of()))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("trustBundle");
    }
}
