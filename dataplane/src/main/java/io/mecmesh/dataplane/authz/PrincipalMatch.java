package io.mecmesh.dataplane.authz;

import io.mecmesh.dataplane.identity.SpiffeId;

import static java.util.Objects.requireNonNull;

/**
 * Which callers a rule names, by the SPIFFE id of their certificate.
 *
 * @param kind how the caller's id is compared.
 * @param id   an exact id, a path prefix (segment-wise: {@code spiffe://td/slice/1} covers
 *             {@code spiffe://td/slice/1/app/x} but not {@code spiffe://td/slice/10}), or a trust domain
 *             ({@code spiffe://td}).
 */
public record PrincipalMatch(Kind kind, SpiffeId id)
{
    /**
     * How the caller's id is compared.
     */
    public enum Kind
    {
        EXACT,
        PREFIX,
        TRUST_DOMAIN
    }

    public PrincipalMatch
    {
        requireNonNull(kind, "kind");
        requireNonNull(id, "id");
    }

    /**
     * @param text an id ({@code spiffe://td/path} exact), a prefix ending in {@code /*}, or a trust domain
     *             ({@code spiffe://td}).
     * @return the match.
     */
    public static PrincipalMatch parse(final String text)
    {
        requireNonNull(text, "text");
        if (text.endsWith("/*"))
        {
            return new PrincipalMatch(Kind.PREFIX, SpiffeId.parse(text.substring(0, text.length() - 2)));
        }
        final SpiffeId id = SpiffeId.parse(text);
        return new PrincipalMatch(id.isTrustDomainId() ? Kind.TRUST_DOMAIN : Kind.EXACT, id);
    }

    boolean matches(final SpiffeId caller)
    {
        switch (kind)
        {
            case EXACT:
                return caller.equals(id);
            case PREFIX:
                return caller.isUnder(id);
            case TRUST_DOMAIN:
            default:
                return caller.trustDomain().equals(id.trustDomain());
        }
    }
}
