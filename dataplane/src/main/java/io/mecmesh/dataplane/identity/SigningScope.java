package io.mecmesh.dataplane.identity;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * The mecmesh site boundary carried by a site intermediate: a non-critical private X.509 extension whose value is
 * an IA5String holding the SPIFFE ID of the subtree the intermediate may sign for ({@code spiffe://TD/site/SITE}).
 * <p>
 * Why an extension: the X.509-SVID standard (3.2) forbids a path in a signing certificate's SPIFFE ID, and RFC 5280
 * URI name constraints cover the host only, so neither can say "this site's paths". The intermediate's URI SAN is
 * the trust domain's ID, as the standard asks; {@link X509SvidValidator} (the data plane and
 * {@code mecmesh cert verify}) accepts a leaf under a signing certificate with this extension only if the leaf's ID
 * is at or below the extension's. Validators that do not know the extension ignore it (it is not critical).
 * <p>
 * The OID is a UUID-derived one ({@code 2.25.<uuid>}, ITU-T X.667), which needs no registration.
 */
public final class SigningScope
{
    /** {@code 2.25.} followed by the decimal value of UUID 03def8a1-f119-403f-9880-092cc1174a05. */
    public static final String OID = "2.25.5145416757881763680091783616464898565";

    private static final int TAG_OCTET_STRING = 0x04;
    private static final int TAG_IA5_STRING = 0x16;

    private SigningScope()
    {
    }

    /**
     * @param certificate a signing certificate.
     * @return the SPIFFE ID its extension carries, or empty when it has none.
     * @throws IllegalArgumentException when the extension is present but not an IA5String holding a SPIFFE ID.
     */
    public static Optional<SpiffeId> of(final X509Certificate certificate)
    {
        final byte[] encoded = certificate.getExtensionValue(OID);
        if (null == encoded)
        {
            return Optional.empty();
        }
        // getExtensionValue gives the DER OCTET STRING that wraps the extension's value.
        final byte[] value = contents(encoded, 0, TAG_OCTET_STRING);
        final byte[] text = contents(value, 0, TAG_IA5_STRING);
        return Optional.of(SpiffeId.parse(new String(text, StandardCharsets.US_ASCII)));
    }

    /**
     * @param scope the subtree.
     * @return the DER encoding of the extension's value (an IA5String), for a certificate builder.
     */
    public static byte[] encodeValue(final SpiffeId scope)
    {
        final byte[] text = scope.toString().getBytes(StandardCharsets.US_ASCII);
        final byte[] length = length(text.length);
        final byte[] der = new byte[1 + length.length + text.length];
        der[0] = TAG_IA5_STRING;
        System.arraycopy(length, 0, der, 1, length.length);
        System.arraycopy(text, 0, der, 1 + length.length, text.length);
        return der;
    }

    private static byte[] length(final int length)
    {
        if (length < 0x80)
        {
            return new byte[] {(byte)length};
        }
        if (length <= 0xFF)
        {
            return new byte[] {(byte)0x81, (byte)length};
        }
        return new byte[] {(byte)0x82, (byte)(length >> 8), (byte)length};
    }

    /** The contents of the DER element of {@code tag} at {@code offset}, which must end the array. */
    private static byte[] contents(final byte[] der, final int offset, final int tag)
    {
        if (der.length < offset + 2 || (der[offset] & 0xFF) != tag)
        {
            throw new IllegalArgumentException("signing scope extension: expected DER tag 0x"
                + Integer.toHexString(tag));
        }
        int length = der[offset + 1] & 0xFF;
        int start = offset + 2;
        if (length >= 0x80)
        {
            final int octets = length & 0x7F;
            if (octets < 1 || octets > 2 || der.length < start + octets)
            {
                throw new IllegalArgumentException("signing scope extension: unsupported DER length");
            }
            length = 0;
            for (int i = 0; i < octets; i++)
            {
                length = length << 8 | der[start + i] & 0xFF;
            }
            start += octets;
        }
        if (start + length != der.length)
        {
            throw new IllegalArgumentException("signing scope extension: DER length " + length + " does not match");
        }
        final byte[] contents = new byte[length];
        System.arraycopy(der, start, contents, 0, length);
        return contents;
    }
}
