package io.mecmesh.slicemanager.ca;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERIA5String;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Optional;

/**
 * What a caller of the control-plane API may do. Operators carry their role in their certificate (a private,
 * non-critical extension, {@link #OID}, whose value is an IA5String: {@code viewer}, {@code operator} or
 * {@code admin}); nodes are recognised by their SVID's path ({@code /site/SITE/node/ID}) and get {@link #NODE}.
 * <ul>
 *   <li>{@link #VIEWER}: read the desired state, the nodes' status and the journal.</li>
 *   <li>{@link #OPERATOR}: also apply, create, replace and delete objects.</li>
 *   <li>{@link #ADMIN}: also compact the journal, CA operations and node enrolment tokens.</li>
 *   <li>{@link #NODE}: renew its own SVID and read the status; nothing else.</li>
 * </ul>
 * The OID is UUID-derived ({@code 2.25.<uuid>}, ITU-T X.667), like {@code SigningScope}'s.
 */
public enum ApiRole
{
    VIEWER, OPERATOR, ADMIN, NODE;

    /** {@code 2.25.} followed by the decimal value of UUID bd1f9785-a6b7-4d5c-8211-0fcc66b0eb13. */
    public static final String OID = "2.25.251388125638755555818719579716830948115";

    /**
     * @return the name in certificates, configuration and the CLI ({@code viewer}, ...).
     */
    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param other another role.
     * @return whether this role may do everything {@code other} may ({@code NODE} includes only itself).
     */
    public boolean includes(final ApiRole other)
    {
        if (this == NODE || other == NODE)
        {
            return this == other;
        }
        return ordinal() >= other.ordinal();
    }

    /**
     * @param label {@code viewer}, {@code operator} or {@code admin} (any case).
     * @return the operator role.
     * @throws IllegalArgumentException for any other text, naming the choices.
     */
    public static ApiRole ofOperator(final String label)
    {
        for (final ApiRole role : new ApiRole[] {VIEWER, OPERATOR, ADMIN})
        {
            if (role.label().equalsIgnoreCase(label))
            {
                return role;
            }
        }
        throw new IllegalArgumentException("role: expected viewer, operator or admin, got \"" + label + "\"");
    }

    /**
     * @return the DER encoding of the extension's value, for a certificate builder.
     */
    byte[] encodeValue()
    {
        try
        {
            return new DERIA5String(label()).getEncoded();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot encode an IA5String", ex);
        }
    }

    /**
     * @param certificate an operator's certificate.
     * @return the role its extension carries; empty when it has none or the value is not a role.
     */
    public static Optional<ApiRole> of(final X509Certificate certificate)
    {
        final byte[] encoded = certificate.getExtensionValue(OID);
        if (encoded == null)
        {
            return Optional.empty();
        }
        try
        {
            final ASN1Primitive value = ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(encoded).getOctets());
            return Optional.of(ofOperator(DERIA5String.getInstance(value).getString()));
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            return Optional.empty();
        }
    }
}
