package io.mecmesh.dataplane.tls;

import io.mecmesh.dataplane.error.DataPlaneException;
import io.mecmesh.dataplane.identity.SvidFixtures;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The swappable material and the key manager netty calls per handshake: each swap is a new alias, the alias chosen
 * just before a swap still resolves to a matching key and chain, and the key type must match.
 */
class TlsMaterialSourceTest
{
    private static final Path EC_CERT_AND_KEY = SvidFixtures.file("go-spiffe", "good-cert-and-key.pem");

    private static TlsMaterial material()
    {
        return TlsMaterial.read(EC_CERT_AND_KEY, EC_CERT_AND_KEY, EC_CERT_AND_KEY);
    }

    @Test
    void shouldAnswerNewHandshakesFromTheSwappedMaterialAndFinishOneStartedBefore()
    {
        final TlsMaterial first = material();
        final TlsMaterial second = material();
        final TlsMaterialSource source = new TlsMaterialSource(first);
        final SwappableKeyManager keys = new SwappableKeyManager(source);

        final String before = keys.chooseEngineServerAlias("EC", null, null);
        assertThat(keys.getPrivateKey(before)).isSameAs(first.privateKey());
        source.swap(second);
        final String after = keys.chooseEngineServerAlias("EC", null, null);

        assertThat(after).isNotEqualTo(before);
        assertThat(source.generation()).isEqualTo(2);
        assertThat(source.current()).isSameAs(second);
        assertThat(keys.getPrivateKey(after)).isSameAs(second.privateKey());
        assertThat(keys.getPrivateKey(before)).as("a handshake that chose its alias before the swap")
            .isSameAs(first.privateKey());
        assertThat(keys.getCertificateChain(before)).containsExactlyElementsOf(first.chain());
        assertThat(keys.getCertificateChain(after)[0]).as("the same instances each time, so netty reuses its copy")
            .isSameAs(keys.getCertificateChain(after)[0]);

        source.swap(material());
        assertThat(keys.getPrivateKey(before)).as("two generations back is gone").isNull();
        assertThat(keys.getCertificateChain(before)).isNull();
    }

    @Test
    void shouldOfferNoCertificateAndNoValidatorWithoutMaterialUntilTheFirstSwap()
    {
        final TlsMaterialSource source = TlsMaterialSource.withoutMaterial();
        final SwappableKeyManager keys = new SwappableKeyManager(source);

        assertThat(source.hasMaterial()).isFalse();
        assertThat(source.generation()).isZero();
        assertThat(keys.chooseEngineServerAlias("EC", null, null)).isNull();
        assertThat(keys.chooseEngineClientAlias(new String[] {"EC"}, null, null)).isNull();
        assertThat(keys.getCertificateChain(null)).isNull();
        assertThat(source.validator()).isNull();
        assertThatThrownBy(source::current).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("no valid identity");

        final TlsMaterial first = material();
        source.swap(first);
        final String alias = keys.chooseEngineServerAlias("EC", null, null);

        assertThat(source.hasMaterial()).isTrue();
        assertThat(source.current()).isSameAs(first);
        assertThat(keys.getPrivateKey(alias)).isSameAs(first.privateKey());
        assertThat(source.validator()).isNotNull();
    }

    @Test
    void shouldOfferTheKeyOnlyForItsKeyType()
    {
        final SwappableKeyManager keys = new SwappableKeyManager(new TlsMaterialSource(material()));

        assertThat(keys.chooseEngineServerAlias("EC", null, null)).isNotNull();
        assertThat(keys.chooseEngineServerAlias("EC_EC", null, null)).isNotNull();
        assertThat(keys.chooseEngineServerAlias("RSA", null, null)).isNull();
        assertThat(keys.chooseEngineClientAlias(new String[] {"RSA", "EC"}, null, null)).isNotNull();
        assertThat(keys.chooseEngineClientAlias(new String[] {"RSA"}, null, null)).isNull();
    }

    @Test
    void shouldRefuseMaterialWhoseKeyDoesNotFitTheCertificate()
    {
        final TlsMaterial ec = material();
        assertThatThrownBy(() -> TlsMaterial.read(EC_CERT_AND_KEY,
            SvidFixtures.file("go-spiffe", "key-pkcs8-rsa.pem"), EC_CERT_AND_KEY))
            .isInstanceOf(DataPlaneException.class)
            .hasMessageContaining("privateKey: a RSA key for a EC certificate");
        assertThatThrownBy(() -> new TlsMaterial(ec.chain(), ec.privateKey(), List.of()))
            .hasMessageContaining("trustBundle");
    }

    @Test
    void shouldNameTheFileWithoutCertificates()
    {
        assertThatThrownBy(() -> TlsMaterial.read(SvidFixtures.file("go-spiffe", "key-pkcs8-rsa.pem"),
            EC_CERT_AND_KEY, EC_CERT_AND_KEY))
            .isInstanceOf(DataPlaneException.class)
            .hasMessageContaining("key-pkcs8-rsa.pem: no CERTIFICATE block found");
    }
}
