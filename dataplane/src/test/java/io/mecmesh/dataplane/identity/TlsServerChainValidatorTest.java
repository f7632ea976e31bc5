package io.mecmesh.dataplane.identity;

import io.mecmesh.dataplane.identity.TlsServerChainValidator.Result;
import io.mecmesh.dataplane.identity.X509SvidValidator.Reason;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.mecmesh.dataplane.identity.SvidFixtures.LEAF_AND_INTERMEDIATE_VALID_AT;
import static io.mecmesh.dataplane.identity.SvidFixtures.SINGLE_KEY_FIXTURES_VALID_AT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS server chains as a web-PKI or private CA issues them (made by the real openssl), validated without the
 * X.509-SVID rules; and every chain of the public SPIFFE corpora refused, none accepted.
 */
class TlsServerChainValidatorTest
{
    private static final String HOST = "api.example.com";

    @TempDir
    static Path dir;

    private static WebPkiFixtures pki;
    private static List<X509Certificate> root;
    private static List<X509Certificate> server;

    @BeforeAll
    static void issue() throws Exception
    {
        pki = new WebPkiFixtures(dir);
        root = WebPkiFixtures.chain(pki.root("root"));
        final Path intermediate = pki.issue("intermediate", "root", WebPkiFixtures.CA, 20);
        final Path leaf = pki.issue("server", "intermediate", WebPkiFixtures.SERVER_LEAF
            + "subjectAltName = DNS:api.example.com, DNS:*.svc.example.com, IP:127.0.0.1\n", 10);
        server = WebPkiFixtures.chain(leaf, intermediate);
    }

    @Test
    void shouldAcceptAWebPkiServerChainForItsHostNameThatTheSvidRulesRefuse()
    {
        final Result result = new TlsServerChainValidator(root).validate(server, Instant.now(), HOST);

        assertThat(result.isValid()).as(result.message()).isTrue();
        assertThat(result.message()).contains(HOST);
        assertThat(new X509SvidValidator(root).validate(server, Instant.now()).reason())
            .as("the same chain as an X.509-SVID").isEqualTo(Reason.LEAF_NO_URI_SAN);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "api.example.com, VALID",
        "API.Example.COM., VALID",
        "a.svc.example.com, VALID",
        "a.b.svc.example.com, DNS_NAME_MISMATCH",
        "svc.example.com, DNS_NAME_MISMATCH",
        "example.com, DNS_NAME_MISMATCH",
        "api.example.org, DNS_NAME_MISMATCH",
        "127.0.0.1, VALID",
        "127.0.0.2, DNS_NAME_MISMATCH",
        "server, DNS_NAME_MISMATCH",
    })
    void shouldMatchHostNamesAsRfc6125Says(final String host, final Reason reason)
    {
        assertThat(new TlsServerChainValidator(root).validate(server, Instant.now(), host).reason()).isEqualTo(reason);
    }

    @Test
    void shouldNeverMatchTheSubjectCommonNameNorAWildcardOverAPublicSuffix() throws Exception
    {
        final Path wide = pki.issue("wide", "root", WebPkiFixtures.SERVER_LEAF + "subjectAltName = DNS:*.com\n", 10);
        final Path cnOnly = pki.issue("cn.example.com", "root", WebPkiFixtures.SERVER_LEAF
            + "subjectAltName = DNS:other.example.com\n", 10);
        final TlsServerChainValidator validator = new TlsServerChainValidator(root);

        assertThat(validator.validate(WebPkiFixtures.chain(wide), Instant.now(), "example.com").reason())
            .isEqualTo(Reason.DNS_NAME_MISMATCH);
        assertThat(validator.validate(WebPkiFixtures.chain(cnOnly), Instant.now(), "cn.example.com").reason())
            .isEqualTo(Reason.DNS_NAME_MISMATCH);
    }

    @Test
    void shouldRequireServerAuthOnTheLeafAndAllowItOnTheIntermediates() throws Exception
    {
        final Path client = pki.issue("client", "root", """
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = clientAuth
            subjectAltName = DNS:api.example.com
            """, 10);
        final Path noEku = pki.issue("no-eku", "root", """
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            subjectAltName = DNS:api.example.com
            """, 10);
        final Path clientOnlyCa = pki.issue("client-only-ca", "root", WebPkiFixtures.CA
            + "extendedKeyUsage = clientAuth\n", 10);
        final Path underIt = pki.issue("under-client-ca", "client-only-ca", WebPkiFixtures.SERVER_LEAF
            + "subjectAltName = DNS:api.example.com\n", 5);
        final TlsServerChainValidator validator = new TlsServerChainValidator(root);

        assertThat(validator.validate(WebPkiFixtures.chain(client), Instant.now(), HOST).reason())
            .isEqualTo(Reason.LEAF_EXTENDED_KEY_USAGE);
        assertThat(validator.validate(WebPkiFixtures.chain(noEku), Instant.now(), HOST).reason())
            .isEqualTo(Reason.LEAF_EXTENDED_KEY_USAGE);
        assertThat(validator.validate(WebPkiFixtures.chain(underIt, clientOnlyCa), Instant.now(), HOST).reason())
            .isEqualTo(Reason.LEAF_EXTENDED_KEY_USAGE);
    }

    @Test
    void shouldRefuseAChainOfAnotherRootAndOneThatHasExpired() throws Exception
    {
        final List<X509Certificate> otherRoot = WebPkiFixtures.chain(pki.root("other-root"));
        final Instant afterLeaf = server.get(0).getNotAfter().toInstant().plus(Duration.ofMinutes(1));

        assertThat(new TlsServerChainValidator(otherRoot).validate(server, Instant.now(), HOST).reason())
            .isEqualTo(Reason.UNTRUSTED);
        final Result expired = new TlsServerChainValidator(root).validate(server, afterLeaf, HOST);
        assertThat(expired.reason()).isEqualTo(Reason.EXPIRED);
        assertThat(expired.message()).contains("expired at " + server.get(0).getNotAfter().toInstant());
    }

    @Test
    void shouldRefuseALeafThatIsACaOrSignsCertificates() throws Exception
    {
        final Path caLeaf = pki.issue("ca-leaf", "root", WebPkiFixtures.CA + "extendedKeyUsage = serverAuth\n"
            + "subjectAltName = DNS:api.example.com\n", 10);

        assertThat(new TlsServerChainValidator(root).validate(WebPkiFixtures.chain(caLeaf), Instant.now(), HOST)
            .reason()).isEqualTo(Reason.LEAF_CA_TRUE);
    }

    static Stream<Arguments> corpusChains()
    {
        final List<Arguments> cases = new ArrayList<>();
        for (final String corpus : SvidFixtures.CORPORA)
        {
            cases.add(Arguments.of(corpus, "wrong-leaf-ca-true.pem", Reason.LEAF_CA_TRUE));
            cases.add(Arguments.of(corpus, "wrong-leaf-cert-sign.pem", Reason.LEAF_KEY_CERT_SIGN));
            cases.add(Arguments.of(corpus, "wrong-leaf-crl-sign.pem", Reason.LEAF_CRL_SIGN));
            cases.add(Arguments.of(corpus, "wrong-leaf-empty-id.pem", Reason.LEAF_EXTENDED_KEY_USAGE));
            cases.add(Arguments.of(corpus, "wrong-leaf-no-digital-signature.pem", Reason.LEAF_NO_DIGITAL_SIGNATURE));
            cases.add(Arguments.of(corpus, "wrong-intermediate-no-ca.pem", Reason.SIGNING_CERT_NOT_CA));
            cases.add(Arguments.of(corpus, "wrong-intermediate-no-key-cert-sign.pem",
                Reason.SIGNING_CERT_NO_KEY_CERT_SIGN));
            cases.add(Arguments.of(corpus, "good-leaf-only.pem", Reason.LEAF_EXTENDED_KEY_USAGE));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}/{1} -> {2}")
    @MethodSource("corpusChains")
    void shouldAcceptNoChainOfTheSpiffeCorporaAsATlsServerChain(final String corpus, final String name,
        final Reason reason)
    {
        final TlsServerChainValidator validator = new TlsServerChainValidator(SvidFixtures.singleKeyBundle(corpus));

        final Result result = validator.validate(SvidFixtures.chain(corpus, name), SINGLE_KEY_FIXTURES_VALID_AT,
            "example.org");

        assertThat(result.reason()).as(result.message()).isEqualTo(reason);
        assertThat(result.message()).isNotBlank().doesNotContain("\n");
    }

    @Test
    void shouldRefuseTheCorpusServerAuthChainForAHostItDoesNotName()
    {
        for (final String corpus : SvidFixtures.CORPORA)
        {
            final Result result = new TlsServerChainValidator(SvidFixtures.intermediateBundle(corpus)).validate(
                SvidFixtures.chain(corpus, "good-leaf-and-intermediate.pem"), LEAF_AND_INTERMEDIATE_VALID_AT,
                "example.org");

            assertThat(result.reason()).as(corpus + ": " + result.message()).isEqualTo(Reason.DNS_NAME_MISMATCH);
        }
    }
}
