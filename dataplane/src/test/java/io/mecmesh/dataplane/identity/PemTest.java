package io.mecmesh.dataplane.identity;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PemTest
{
    static final List<String> CORPORA = SvidFixtures.CORPORA;

    @ParameterizedTest
    @FieldSource("CORPORA")
    void shouldReadChainLeafFirst(final String corpus)
    {
        final List<X509Certificate> chain = SvidFixtures.chain(corpus, "good-leaf-and-intermediate.pem");

        assertThat(chain).hasSize(2);
        assertThat(chain.get(0).getSubjectX500Principal().getName()).isEqualTo("O=SPIRE,C=US");
        assertThat(chain.get(1).getBasicConstraints()).isNotEqualTo(-1);
    }

    @Test
    void shouldReadCertificateAndKeyFromOneFileInEitherOrder()
    {
        for (final String name : List.of("good-cert-and-key.pem", "good-key-and-cert.pem"))
        {
            final Path file = SvidFixtures.file("go-spiffe", name);

            assertThat(Pem.readCertificates(file)).hasSize(1);
            assertThat(Pem.readPrivateKey(file)).isInstanceOf(ECPrivateKey.class);
        }
    }

    @Test
    void shouldReadDerCertificate()
    {
        final List<X509Certificate> certificates = Pem.readCertificates(SvidFixtures.file("java-spiffe", "cert.der"));

        assertThat(certificates).hasSize(1);
        assertThat(certificates.get(0).getSubjectX500Principal().getName()).isEqualTo("O=SPIRE,C=US");
    }

    @ParameterizedTest
    @FieldSource("CORPORA")
    void shouldReadPkcs8EcAndRsaKeys(final String corpus)
    {
        assertThat(Pem.readPrivateKey(SvidFixtures.file(corpus, "key-pkcs8-ecdsa.pem"))).isInstanceOf(ECPrivateKey.class);
        assertThat(Pem.readPrivateKey(SvidFixtures.file(corpus, "key-pkcs8-rsa.pem"))).isInstanceOf(RSAPrivateKey.class);
    }

    @Test
    void shouldRejectCorruptCertificateNamingTheFileAndBlock()
    {
        final Path file = SvidFixtures.file("go-spiffe", "corrupt-cert.pem");

        assertThatThrownBy(() -> Pem.readCertificates(file))
            .isInstanceOf(IdentityException.class)
            .hasMessageContaining(file.toString())
            .hasMessageContaining("CERTIFICATE block 1 is not a valid X.509 certificate");
    }

    @Test
    void shouldRejectCorruptKeyNamingTheFile()
    {
        final Path file = SvidFixtures.file("go-spiffe", "corrupt-key.pem");

        assertThatThrownBy(() -> Pem.readPrivateKey(file))
            .isInstanceOf(IdentityException.class)
            .hasMessageContaining(file.toString())
            .hasMessageContaining("not a valid PKCS#8");
    }

    @Test
    void shouldRejectFilesThatAreNeitherPemNorDer()
    {
        for (final Path file : List.of(
            SvidFixtures.file("go-spiffe", "not-pem"), SvidFixtures.file("java-spiffe", "corrupted")))
        {
            assertThatThrownBy(() -> Pem.readCertificates(file))
                .isInstanceOf(IdentityException.class)
                .hasMessageContaining("not PEM, and not a DER certificate");
            assertThatThrownBy(() -> Pem.readPrivateKey(file))
                .isInstanceOf(IdentityException.class)
                .hasMessageContaining("expected exactly one PRIVATE KEY block, found 0");
        }
    }

    @Test
    void shouldRejectPemWithoutCertificateBlock()
    {
        final Path file = SvidFixtures.file("go-spiffe", "key-pkcs8-ecdsa.pem");

        assertThatThrownBy(() -> Pem.readCertificates(file))
            .isInstanceOf(IdentityException.class)
            .hasMessageContaining("no CERTIFICATE block found");
    }

    @Test
    void shouldRejectLegacyKeyFormatsWithTheConversionCommand()
    {
        final byte[] sec1 = "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"
            .getBytes(StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> Pem.readPrivateKey(sec1, "key.pem"))
            .isInstanceOf(IdentityException.class)
            .hasMessageContaining("openssl pkcs8 -topk8");
    }

    @Test
    void shouldRoundTripCertificatesAndKeysThroughPem()
    {
        final List<X509Certificate> chain = SvidFixtures.chain("go-spiffe", "good-leaf-and-intermediate.pem");
        final PrivateKey key = Pem.readPrivateKey(SvidFixtures.file("go-spiffe", "key-pkcs8-ecdsa.pem"));

        final byte[] certificatesPem = Pem.encodeCertificates(chain).getBytes(StandardCharsets.US_ASCII);
        final byte[] keyPem = Pem.encodePrivateKey(key).getBytes(StandardCharsets.US_ASCII);

        assertThat(Pem.readCertificates(certificatesPem, "encoded")).isEqualTo(chain);
        assertThat(Pem.readPrivateKey(keyPem, "encoded")).isEqualTo(key);
    }
}
