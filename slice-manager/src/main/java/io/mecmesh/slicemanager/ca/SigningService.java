package io.mecmesh.slicemanager.ca;

import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException.Category;
import io.mecmesh.slicemanager.distribution.SignedConfig;
import io.mecmesh.slicemanager.model.NodeSpiffeIds;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The CA's side of node identity: a node proves it holds the join token and sends a PKCS#10 request for its own key;
 * the service issues the X.509-SVID of that node, and only that one, with the CA's profile. Pure: no I/O once
 * built, so that the HTTP handler ({@link IdentityHttpHandler}) only maps requests and errors.
 * <p>
 * A node's SPIFFE id is {@code spiffe://<trust-domain>/site/<site>/node/<node-id>} ({@link #nodeSpiffeId}); the
 * node must be registered for that site ({@code nodeSites}) and the id must lie in the issuer's scope (the root, or
 * the site's intermediate). The CSR's subject and extensions are ignored: the CA decides every field.
 */
public final class SigningService
{
    /** Lifetime of node SVIDs unless configured otherwise. */
    public static final Duration DEFAULT_TTL = CertificateAuthority.DEFAULT_LEAF_TTL;

    private static final Pattern CSR_BLOCK = Pattern.compile(
        "-----BEGIN CERTIFICATE REQUEST-----([A-Za-z0-9+/=\\s]+)-----END CERTIFICATE REQUEST-----");

    private final Supplier<CertificateAuthority> ca;
    private final Function<CertificateAuthority, SigningAuthority> issuer;
    private final Function<String, Optional<String>> siteOfNode;
    private final Supplier<List<X509Certificate>> bundle;
    private volatile Supplier<List<PublicKey>> configVerificationKeys = List::of;
    private final Optional<JoinToken> joinToken;
    private final Optional<EnrolmentTokens> enrolment;
    private final Duration ttl;

    /**
     * The node's answer.
     *
     * @param chainPem  the SVID then the issuer's chain up to, not including, the root.
     * @param bundlePem the trust bundle (the roots to validate peers with).
     * @param notAfter  the SVID's expiry.
     * @param configVerificationKeysPem the control plane's configuration-verification keys (PEM), handed out with
     *                  the trust bundle; empty when the service hands out none.
     */
    public record Signed(String chainPem, String bundlePem, Instant notAfter, String configVerificationKeysPem)
    {
        /**
         * An answer without configuration-verification keys.
         *
         * @param chainPem  the SVID then the issuer's chain.
         * @param bundlePem the trust bundle.
         * @param notAfter  the SVID's expiry.
         */
        public Signed(final String chainPem, final String bundlePem, final Instant notAfter)
        {
            this(chainPem, bundlePem, notAfter, "");
        }

        public Signed
        {
            requireNonNull(chainPem, "chainPem");
            requireNonNull(bundlePem, "bundlePem");
            requireNonNull(notAfter, "notAfter");
            requireNonNull(configVerificationKeysPem, "configVerificationKeysPem");
        }
    }

    /**
     * Hands out the control plane's configuration-verification keys with every SVID, beside the trust bundle (issue
     * 11: nodes verify their configurations' signatures with them).
     *
     * @param keys the keys, read at each request (a rotation is handed out at the next renewal).
     * @return this.
     */
    public SigningService handOutConfigVerificationKeys(final Supplier<List<PublicKey>> keys)
    {
        this.configVerificationKeys = requireNonNull(keys, "keys");
        return this;
    }

    /**
     * @param ca        the CA.
     * @param issuer    the root or a site intermediate of that CA that signs node SVIDs.
     * @param nodeSites the nodes allowed to ask, by node id, each with its site.
     * @param joinToken the shared secret nodes present (non-empty).
     * @param ttl       the SVIDs' lifetime.
     */
    public SigningService(final CertificateAuthority ca, final SigningAuthority issuer,
        final Map<String, String> nodeSites, final String joinToken, final Duration ttl)
    {
        this(ca, issuer, checkedSites(nodeSites), joinToken, ttl);
    }

    /**
     * @param ca         the CA.
     * @param issuer     the root or a site intermediate of that CA that signs node SVIDs.
     * @param siteOfNode the site of a node allowed to ask, empty for a node that is not (the slice manager answers
     *                   from its desired state, so a node declared with {@code mecmesh apply} can get its identity).
     * @param joinToken  the shared secret nodes present (non-empty).
     * @param ttl        the SVIDs' lifetime.
     */
    public SigningService(final CertificateAuthority ca, final SigningAuthority issuer,
        final Function<String, Optional<String>> siteOfNode, final String joinToken, final Duration ttl)
    {
        this(ca, issuer, siteOfNode, joinToken, ttl, requireNonNull(ca, "ca")::trustBundle);
    }

    /**
     * @param ca         the CA.
     * @param issuer     the root or a site intermediate of that CA that signs node SVIDs.
     * @param siteOfNode the site of a node allowed to ask, empty for a node that is not.
     * @param joinToken  the shared secret nodes present (non-empty).
     * @param ttl        the SVIDs' lifetime.
     * @param bundle     the trust bundle handed to nodes with each SVID, read at each request (during a root
     *                   rotation, the CA directory's {@code bundle.pem} with the old and the new root).
     */
    public SigningService(final CertificateAuthority ca, final SigningAuthority issuer,
        final Function<String, Optional<String>> siteOfNode, final String joinToken, final Duration ttl,
        final Supplier<List<X509Certificate>> bundle)
    {
        this(constant(requireNonNull(ca, "ca")), fixed(requireNonNull(issuer, "issuer")), siteOfNode,
            Optional.of(new JoinToken(joinToken)), Optional.empty(), ttl, bundle);
    }

    /**
     * A service that signs with the current root of a CA directory: after {@code mecmesh cert rotate} the next SVID
     * is signed by the new root, without a restart, and the bundle handed out is the directory's {@code bundle.pem}
     * (both roots during the overlap).
     *
     * @param directory  the running CA directory.
     * @param siteOfNode the site of a node allowed to ask, empty for a node that is not.
     * @param joinToken  the shared secret nodes present (non-empty).
     * @param ttl        the SVIDs' lifetime.
     */
    public SigningService(final CaDirectory directory, final Function<String, Optional<String>> siteOfNode,
        final String joinToken, final Duration ttl)
    {
        this(requireNonNull(directory, "directory")::authority, CertificateAuthority::root, siteOfNode,
            Optional.of(new JoinToken(joinToken)), Optional.empty(), ttl, directory::trustBundle);
    }

    /**
     * A service that signs with the current root of a CA directory, for nodes that enrol with a one-time token
     * ({@link EnrolmentTokens}) and renew with their current SVID ({@link #signForCaller}).
     *
     * @param directory  the running CA directory.
     * @param siteOfNode the site of a node allowed to ask, empty for a node that is not.
     * @param joinToken  a shared join token still accepted for a first SVID (deprecated: any node holding it may
     *                   enrol as any declared node), or empty.
     * @param enrolment  the one-time node tokens.
     * @param ttl        the SVIDs' lifetime.
     */
    public SigningService(final CaDirectory directory, final Function<String, Optional<String>> siteOfNode,
        final Optional<String> joinToken, final EnrolmentTokens enrolment, final Duration ttl)
    {
        this(requireNonNull(directory, "directory")::authority, CertificateAuthority::root, siteOfNode,
            requireNonNull(joinToken, "joinToken").map(JoinToken::new), Optional.of(requireNonNull(enrolment,
            "enrolment")), ttl, directory::trustBundle);
    }

    private SigningService(final Supplier<CertificateAuthority> ca,
        final Function<CertificateAuthority, SigningAuthority> issuer,
        final Function<String, Optional<String>> siteOfNode, final Optional<JoinToken> joinToken,
        final Optional<EnrolmentTokens> enrolment, final Duration ttl, final Supplier<List<X509Certificate>> bundle)
    {
        this.enrolment = enrolment;
        this.bundle = requireNonNull(bundle, "bundle");
        this.ca = ca;
        this.issuer = issuer;
        this.siteOfNode = requireNonNull(siteOfNode, "siteOfNode");
        this.joinToken = joinToken;
        this.ttl = requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero())
        {
            throw new IllegalArgumentException("ttl: must be positive, got " + ttl);
        }
    }

    private static Supplier<CertificateAuthority> constant(final CertificateAuthority ca)
    {
        return () -> ca;
    }

    private static Function<CertificateAuthority, SigningAuthority> fixed(final SigningAuthority issuer)
    {
        return ca -> issuer;
    }

    private static Function<String, Optional<String>> checkedSites(final Map<String, String> nodeSites)
    {
        final Map<String, String> sites = Map.copyOf(requireNonNull(nodeSites, "nodeSites"));
        sites.forEach((node, site) ->
        {
            segment(node, "nodeSites key");
            segment(site, "nodeSites[" + node + "]");
        });
        return node -> Optional.ofNullable(sites.get(node));
    }

    /**
     * Reads a join token file: its content, trimmed; the file should be mode 0600 on both sides.
     *
     * @param file the token file.
     * @return the token.
     * @throws CertificateAuthorityException (KEY_STORE) if it cannot be read or is empty.
     */
    public static String readJoinToken(final Path file)
    {
        requireNonNull(file, "file");
        try
        {
            final String token = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (token.isEmpty())
            {
                throw new CertificateAuthorityException(Category.KEY_STORE, file + ": the join token file is empty");
            }
            return token;
        }
        catch (final IOException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, file + ": cannot read the join token: " + ex,
                ex);
        }
    }

    /**
     * The SPIFFE id of a node: {@code spiffe://<trust-domain>/site/<site>/node/<node-id>}.
     *
     * @param trustDomain the trust domain.
     * @param site        the node's site.
     * @param nodeId      the node's id.
     * @return the id.
     * @throws IllegalArgumentException if site or node id is not a valid path segment ({@code [A-Za-z0-9._-]}).
     */
    public static SpiffeId nodeSpiffeId(final String trustDomain, final String site, final String nodeId)
    {
        return NodeSpiffeIds.of(trustDomain, site, nodeId);
    }

    /**
     * Signs a node's request.
     *
     * @param nodeId        the node's id.
     * @param site          the node's site.
     * @param csrPem        its PKCS#10 request, PEM.
     * @param bearerToken   the token the node presented (empty when none).
     * @return the chain and bundle.
     * @throws CertificateAuthorityException UNAUTHENTICATED (token), MALFORMED_REQUEST (syntax), FORBIDDEN (node,
     *                                       site or scope), REQUEST_REFUSED (the CSR breaks the profile: signature,
     *                                       key type) or UNAVAILABLE (the issuer cannot sign now).
     */
    public Signed sign(final String nodeId, final String site, final String csrPem, final String bearerToken)
    {
        final Optional<EnrolmentTokens.Token> nodeToken = bearerToken == null ? Optional.empty()
            : EnrolmentTokens.Token.parse(bearerToken);
        if (nodeToken.isPresent() && enrolment.isPresent())
        {
            precheck(nodeId, site, csrPem);
            return enrolment.get().redeem(nodeToken.get(), nodeId, site, () -> issue(nodeId, site, csrPem));
        }
        authenticate(bearerToken);
        return issue(nodeId, site, csrPem);
    }

    /**
     * Signs a node's renewal: the caller authenticated with its current SVID (mutual TLS), and may be issued only
     * that same identity.
     *
     * @param nodeId the node's id.
     * @param site   the node's site.
     * @param csrPem its PKCS#10 request, PEM.
     * @param caller the SPIFFE id of the caller's verified client certificate.
     * @return the chain and bundle.
     * @throws CertificateAuthorityException FORBIDDEN when the caller is another node, else as {@link #sign}.
     */
    public Signed signForCaller(final String nodeId, final String site, final String csrPem, final SpiffeId caller)
    {
        requireNonNull(caller, "caller");
        final SpiffeId wanted;
        try
        {
            wanted = nodeSpiffeId(ca.get().trustDomain(), requireField(site, "site"), requireField(nodeId, "nodeId"));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CertificateAuthorityException(Category.MALFORMED_REQUEST, ex.getMessage(), ex);
        }
        if (!wanted.equals(caller))
        {
            throw new CertificateAuthorityException(Category.FORBIDDEN, "nodeId: " + caller + " may renew only its"
                + " own SVID, not " + wanted);
        }
        return issue(nodeId, site, csrPem);
    }

    /** The checks that need no token, so that a malformed request does not use up a node's one-time token. */
    private void precheck(final String nodeId, final String site, final String csrPem)
    {
        try
        {
            nodeSpiffeId(ca.get().trustDomain(), requireField(site, "site"), requireField(nodeId, "nodeId"));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CertificateAuthorityException(Category.MALFORMED_REQUEST, ex.getMessage(), ex);
        }
        csrDer(requireField(csrPem, "csr"));
    }

    private Signed issue(final String nodeId, final String site, final String csrPem)
    {
        final CertificateAuthority ca = this.ca.get();
        final SigningAuthority issuer = this.issuer.apply(ca);
        final SpiffeId id;
        try
        {
            id = nodeSpiffeId(ca.trustDomain(), requireField(site, "site"), requireField(nodeId, "nodeId"));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CertificateAuthorityException(Category.MALFORMED_REQUEST, ex.getMessage(), ex);
        }
        final byte[] csrDer = csrDer(requireField(csrPem, "csr"));
        final String registeredSite = siteOfNode.apply(nodeId).orElse(null);
        if (registeredSite == null)
        {
            throw new CertificateAuthorityException(Category.FORBIDDEN, "nodeId: node " + nodeId
                + " is not registered with this CA");
        }
        if (!registeredSite.equals(site))
        {
            throw new CertificateAuthorityException(Category.FORBIDDEN, "site: node " + nodeId + " belongs to site "
                + registeredSite + ", not " + site);
        }
        if (!id.isUnder(issuer.scope()))
        {
            throw new CertificateAuthorityException(Category.FORBIDDEN, "SPIFFE ID " + id
                + " is outside the issuer's scope " + issuer.scope());
        }
        final List<X509Certificate> chain;
        try
        {
            chain = ca.issue(issuer, csrDer, id, ttl);
        }
        catch (final CertificateAuthorityException ex)
        {
            if (ex.category() == Category.REQUEST_REFUSED && ex.getMessage().contains("expired"))
            {
                throw new CertificateAuthorityException(Category.UNAVAILABLE, ex.getMessage(), ex);
            }
            if (ex.category() == Category.CRYPTO)
            {
                throw new CertificateAuthorityException(Category.UNAVAILABLE, ex.getMessage(), ex);
            }
            throw ex;
        }
        return new Signed(Pem.encodeCertificates(chain), Pem.encodeCertificates(bundle.get()),
            chain.get(0).getNotAfter().toInstant(), SignedConfig.toPem(configVerificationKeys.get()));
    }

    /**
     * Checks the join token, in constant time (the digests of the expected and presented tokens are compared).
     *
     * @param bearerToken the token presented; null or empty when none.
     * @throws CertificateAuthorityException (UNAUTHENTICATED) if it is missing or wrong.
     */
    public void authenticate(final String bearerToken)
    {
        if (joinToken.isEmpty())
        {
            throw new CertificateAuthorityException(Category.UNAUTHENTICATED, bearerToken == null
                ? "an enrolment token (mecmesh node token create) or the node's current SVID is required"
                : "the enrolment token is not a node token (mmt1....) and no shared join token is configured");
        }
        joinToken.get().authenticate(bearerToken);
    }

    /**
     * Makes a one-time enrolment token for a node declared in the desired state, bound to its id and site.
     *
     * @param nodeId the node.
     * @param ttl    how long the token may be used.
     * @return the token, pinning the current root.
     * @throws CertificateAuthorityException MALFORMED_REQUEST (node id syntax, ttl), FORBIDDEN (node not declared,
     *                                       or this service takes no node tokens).
     */
    public EnrolmentTokens.Token createToken(final String nodeId, final Duration ttl)
    {
        if (enrolment.isEmpty())
        {
            throw new CertificateAuthorityException(Category.FORBIDDEN, "this control plane takes no node tokens");
        }
        try
        {
            segment(nodeId, "nodeId");
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CertificateAuthorityException(Category.MALFORMED_REQUEST, ex.getMessage(), ex);
        }
        final String site = siteOfNode.apply(nodeId).orElseThrow(() -> new CertificateAuthorityException(
            Category.FORBIDDEN, "nodeId: node " + nodeId + " is not declared in the desired state (apply it first)"));
        try
        {
            return enrolment.get().create(nodeId, site, ttl, root());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CertificateAuthorityException(Category.MALFORMED_REQUEST, ex.getMessage(), ex);
        }
    }

    /**
     * @return the one-time node tokens, when this service takes them.
     */
    public Optional<EnrolmentTokens> enrolment()
    {
        return enrolment;
    }

    /**
     * @return the current root CA certificate (the one node tokens pin).
     */
    public X509Certificate root()
    {
        return ca.get().root().certificate();
    }

    static String requireField(final String value, final String name)
    {
        if (value == null || value.isEmpty())
        {
            throw new CertificateAuthorityException(Category.MALFORMED_REQUEST, name + ": missing");
        }
        return value;
    }

    static byte[] csrDer(final String csrPem)
    {
        final Matcher matcher = CSR_BLOCK.matcher(csrPem);
        if (!matcher.find())
        {
            throw new CertificateAuthorityException(Category.MALFORMED_REQUEST,
                "csr: expected one PEM block BEGIN CERTIFICATE REQUEST");
        }
        try
        {
            return Base64.getMimeDecoder().decode(matcher.group(1).replaceAll("\\s", ""));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CertificateAuthorityException(Category.MALFORMED_REQUEST, "csr: not valid base64", ex);
        }
    }

    static void segment(final String value, final String name)
    {
        NodeSpiffeIds.segment(value, name);
    }
}
