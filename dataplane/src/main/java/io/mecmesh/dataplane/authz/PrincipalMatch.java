package io.mecmesh.dataplane.authz;

import io.mecmesh.dataplane.identity.SpiffeId;

import static java.util.Objects.requireNonNull;

/**
 * Which callers a rule names, by the SPIFFE id of their certificate.
 *
 * @param kind how the caller's id is compared.
 * @param id   an exact id, a path prefix (segment-wise: {@code spiffe://td/slice/1} covers
 *             {@code spiffe://td/slice/1/app/x} but not {@code spiffe://td/slice/10}), or a trust domain
 *             ({@code spiffe://td}); for {@link Kind#UNAUTHENTICATED} the fixed {@link #UNAUTHENTICATED_ID}.
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
        TRUST_DOMAIN,
        /**
         * Callers without a certificate: requests on this appliance's plain-text listeners (its own workloads, or
         * clients outside the mesh). Never matches a caller that has a SPIFFE id.
         */
        UNAUTHENTICATED
    }

    /** The keyword that names {@link Kind#UNAUTHENTICATED} in a configuration's {@code principals}. */
    public static final String UNAUTHENTICATED_KEYWORD = "unauthenticated";

    /** The id an {@link Kind#UNAUTHENTICATED} match carries (it is never compared). */
    public static final SpiffeId UNAUTHENTICATED_ID = SpiffeId.ofTrustDomain(UNAUTHENTICATED_KEYWORD);

    /** Matches the callers that have no certificate. */
    public static final PrincipalMatch UNAUTHENTICATED = new PrincipalMatch(Kind.UNAUTHENTICATED, UNAUTHENTICATED_ID);

    public PrincipalMatch
    {
        requireNonNull(kind, "kind");
        requireNonNull(id, "id");
        if (kind == Kind.UNAUTHENTICATED && !id.equals(UNAUTHENTICATED_ID))
        {
            throw new IllegalArgumentException("an unauthenticated match carries no id, got " + id);
        }
    }

    /**
     * A match of every id at or below a prefix (segment-wise), or of a whole trust domain when the prefix has no
     * path. A trailing {@code /} or {@code /*} is ignored: {@code spiffe://td/site/a/} covers
     * {@code spiffe://td/site/a} and {@code spiffe://td/site/a/node/x}.
     *
     * @param prefix the prefix.
     * @return the match.
     * @throws IllegalArgumentException when the prefix is not a SPIFFE id once the trailing part is removed.
     */
    public static PrincipalMatch prefix(final String prefix)
    {
        requireNonNull(prefix, "prefix");
        String text = prefix.endsWith("/*") ? prefix.substring(0, prefix.length() - 2) : prefix;
        while (text.endsWith("/") && !text.endsWith("//"))
        {
            text = text.substring(0, text.length() - 1);
        }
        final SpiffeId id = SpiffeId.parse(text);
        return new PrincipalMatch(id.isTrustDomainId() ? Kind.TRUST_DOMAIN : Kind.PREFIX, id);
    }

    /**
     * @param text an id ({@code spiffe://td/path} exact), a prefix ending in {@code /*}, a trust domain
     *             ({@code spiffe://td}), or {@code unauthenticated} for callers without a certificate.
     * @return the match.
     */
    public static PrincipalMatch parse(final String text)
    {
        requireNonNull(text, "text");
        if (text.equals(UNAUTHENTICATED_KEYWORD))
        {
            return UNAUTHENTICATED;
        }
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
            case UNAUTHENTICATED:
                return false;
            case TRUST_DOMAIN:
            default:
                return caller.trustDomain().equals(id.trustDomain());
        }
    }
}
