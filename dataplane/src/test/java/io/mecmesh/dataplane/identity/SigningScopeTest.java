package io.mecmesh.dataplane.identity;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The signing-scope extension's value: an IA5String, short and long DER lengths.
 */
class SigningScopeTest
{
    @Test
    void shouldEncodeAShortScopeAsAnIa5StringWithAOneByteLength()
    {
        final byte[] der = SigningScope.encodeValue(SpiffeId.parse("spiffe://mesh.test/site/a"));

        assertThat(der[0]).isEqualTo((byte)0x16);
        assertThat(der[1]).isEqualTo((byte)"spiffe://mesh.test/site/a".length());
        assertThat(der).hasSize(2 + "spiffe://mesh.test/site/a".length());
    }

    @Test
    void shouldUseTheLongFormForScopesOf128BytesAndMore()
    {
        final String id = "spiffe://mesh.test/site/" + "s".repeat(200);

        final byte[] der = SigningScope.encodeValue(SpiffeId.parse(id));

        assertThat(der[1]).isEqualTo((byte)0x81);
        assertThat(der[2] & 0xFF).isEqualTo(id.length());
        assertThat(der).hasSize(3 + id.length());
    }
}
