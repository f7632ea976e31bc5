package io.mecmesh.slicemanager.ca;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException.Category;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * One-time node enrolment tokens ({@code mecmesh node token create NODE}): each is bound to one node id and its site,
 * expires, and gets exactly one first SVID signed. Only the SHA-256 of a token's secret is kept, in a JSON file of
 * the control plane's data directory (0600, written atomically with fsync at each change), so tokens survive a
 * restart and a copy of the file cannot be used to enrol.
 * <p>
 * A token reads {@code mmt1.<secret>.<sha256 of the root CA certificate, hex>}: the secret is 32 random bytes
 * (base64url); the fingerprint lets the node pin the CA on its first TLS connection, before it has a trust bundle
 * (like kubeadm's discovery-token-ca-cert-hash). Refusals (unknown, reused, expired, node mismatch) are counted.
 * Thread safe: every operation holds the store's lock, so a token cannot be redeemed twice concurrently.
 */
public final class EnrolmentTokens
{
    /** The file name in the directory given to {@link #open}. */
    public static final String FILE = "enrolment-tokens.json";

    private static final Pattern TOKEN = Pattern.compile("mmt1\\.([A-Za-z0-9_-]{43})\\.([0-9a-f]{64})");
    private static final int SECRET_BYTES = 32;
    private static final Duration KEEP_AFTER_EXPIRY = Duration.ofDays(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Why a token was refused. */
    public enum Refusal
    {
        /** Not a token this control plane made (or not one at all). */
        UNKNOWN,
        /** Already used for a first SVID. */
        REUSED,
        /** Past its expiry. */
        EXPIRED,
        /** Presented for another node id or site than it is bound to. */
        NODE_MISMATCH;

        /**
         * @return the metric label.
         */
        public String label()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A parsed token.
     *
     * @param secret          the secret part.
     * @param rootFingerprint the SHA-256 of the root CA certificate's DER, lower-case hex.
     */
    public record Token(String secret, String rootFingerprint)
    {
        public Token
        {
            requireNonNull(secret, "secret");
            requireNonNull(rootFingerprint, "rootFingerprint");
        }

        /**
         * @param text a token, as printed by {@code mecmesh node token create}.
         * @return the token, or empty when the text is not one (e.g. a shared join token).
         */
        public static Optional<Token> parse(final String text)
        {
            final Matcher matcher = TOKEN.matcher(requireNonNull(text, "text").trim());
            return matcher.matches() ? Optional.of(new Token(matcher.group(1), matcher.group(2))) : Optional.empty();
        }

        @Override
        public String toString()
        {
            return "mmt1." + secret + "." + rootFingerprint;
        }
    }

    private record Entry(String hash, String nodeId, String site, Instant expiresAt, Optional<Instant> usedAt)
    {
    }

    private final Path file;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();
    private final List<Entry> entries;
    private final Map<Refusal, LongAdder> refusals = new EnumMap<>(Refusal.class);
    private final LongAdder redeemed = new LongAdder();

    private EnrolmentTokens(final Path file, final InstantSource clock, final List<Entry> entries)
    {
        this.file = file;
        this.clock = clock;
        this.entries = entries;
        for (final Refusal refusal : Refusal.values())
        {
            refusals.put(refusal, new LongAdder());
        }
    }

    /**
     * Opens (or starts) the store in a directory.
     *
     * @param directory the control plane's directory for it (created if missing).
     * @param clock     the time tokens expire by.
     * @return the store.
     * @throws CertificateAuthorityException (KEY_STORE) if the file cannot be read or is not a token store.
     */
    public static EnrolmentTokens open(final Path directory, final InstantSource clock)
    {
        requireNonNull(directory, "directory");
        requireNonNull(clock, "clock");
        final Path file = directory.resolve(FILE);
        final List<Entry> entries = new ArrayList<>();
        try
        {
            Files.createDirectories(directory);
            if (Files.exists(file))
            {
                final JsonNode root = JSON.readTree(Files.readAllBytes(file));
                for (final JsonNode node : root.path("tokens"))
                {
                    entries.add(new Entry(node.get("sha256").asText(), node.get("nodeId").asText(),
                        node.get("site").asText(), Instant.parse(node.get("expiresAt").asText()),
                        node.hasNonNull("usedAt") ? Optional.of(Instant.parse(node.get("usedAt").asText()))
                            : Optional.empty()));
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, file + ": cannot read the enrolment tokens: "
                + ex.getMessage(), ex);
        }
        return new EnrolmentTokens(file, clock, entries);
    }

    /**
     * Makes a token for one node.
     *
     * @param nodeId the node it enrols.
     * @param site   the node's site.
     * @param ttl    how long it may be used.
     * @param root   the root CA certificate the node is to pin.
     * @return the token to hand to the node (shown once; only its hash is kept).
     */
    public synchronized Token create(final String nodeId, final String site, final Duration ttl,
        final X509Certificate root)
    {
        SigningService.segment(nodeId, "nodeId");
        SigningService.segment(site, "site");
        requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero())
        {
            throw new IllegalArgumentException("ttl: must be positive, got " + ttl);
        }
        final byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(secret);
        final Token token = new Token(Base64.getUrlEncoder().withoutPadding().encodeToString(secret),
            fingerprint(requireNonNull(root, "root")));
        final Instant now = clock.instant();
        entries.removeIf(entry -> entry.expiresAt().plus(KEEP_AFTER_EXPIRY).isBefore(now));
        entries.add(new Entry(hash(token.secret()), nodeId, site, now.plus(ttl), Optional.empty()));
        persist();
        return token;
    }

    /**
     * Redeems a token for a node's first SVID: checks it, issues, and marks it used, all under one lock.
     *
     * @param token  the token the node presented.
     * @param nodeId the node id it asks for.
     * @param site   the site it asks for.
     * @param issue  issues the SVID (not called when the token is refused).
     * @param <T>    what {@code issue} returns.
     * @return what {@code issue} returned.
     * @throws CertificateAuthorityException UNAUTHENTICATED (unknown, reused or expired token) or FORBIDDEN (another
     *                                       node or site), counted by {@link Refusal}; or what {@code issue} throws
     *                                       (the token then stays unused).
     */
    public synchronized <T> T redeem(final Token token, final String nodeId, final String site,
        final Supplier<T> issue)
    {
        requireNonNull(token, "token");
        requireNonNull(issue, "issue");
        final String hash = hash(token.secret());
        final Entry entry = entries.stream().filter(e -> MessageDigest.isEqual(
            e.hash().getBytes(StandardCharsets.US_ASCII), hash.getBytes(StandardCharsets.US_ASCII)))
            .findFirst().orElse(null);
        if (entry == null)
        {
            throw refuse(Refusal.UNKNOWN, Category.UNAUTHENTICATED, "the enrolment token is unknown");
        }
        if (entry.usedAt().isPresent())
        {
            throw refuse(Refusal.REUSED, Category.UNAUTHENTICATED, "the enrolment token of node " + entry.nodeId()
                + " was already used at " + entry.usedAt().get() + " (a token enrols once: create a new one)");
        }
        if (!clock.instant().isBefore(entry.expiresAt()))
        {
            throw refuse(Refusal.EXPIRED, Category.UNAUTHENTICATED, "the enrolment token of node " + entry.nodeId()
                + " expired at " + entry.expiresAt());
        }
        if (!entry.nodeId().equals(nodeId) || !entry.site().equals(site))
        {
            throw refuse(Refusal.NODE_MISMATCH, Category.FORBIDDEN, "nodeId: the enrolment token is for node "
                + entry.nodeId() + " at site " + entry.site() + ", not " + nodeId + " at " + site);
        }
        final T issued = issue.get();
        entries.set(entries.indexOf(entry), new Entry(entry.hash(), entry.nodeId(), entry.site(), entry.expiresAt(),
            Optional.of(clock.instant())));
        persist();
        redeemed.increment();
        return issued;
    }

    /**
     * @param refusal a reason.
     * @return how many tokens were refused for it.
     */
    public long refusals(final Refusal refusal)
    {
        return refusals.get(refusal).sum();
    }

    /**
     * @return how many tokens got a first SVID issued.
     */
    public long redeemed()
    {
        return redeemed.sum();
    }

    /**
     * @param certificate a CA certificate.
     * @return the SHA-256 of its DER encoding, lower-case hex (what a token pins).
     */
    public static String fingerprint(final X509Certificate certificate)
    {
        try
        {
            return HexFormat.of().formatHex(sha256(certificate.getEncoded()));
        }
        catch (final CertificateEncodingException ex)
        {
            throw new CertificateAuthorityException(Category.CRYPTO, "cannot encode " + certificate
                .getSubjectX500Principal(), ex);
        }
    }

    private CertificateAuthorityException refuse(final Refusal refusal, final Category category, final String message)
    {
        refusals.get(refusal).increment();
        return new CertificateAuthorityException(category, message);
    }

    private void persist()
    {
        final ObjectNode root = JSON.createObjectNode();
        final ArrayNode tokens = root.putArray("tokens");
        for (final Entry entry : entries)
        {
            final ObjectNode node = tokens.addObject();
            node.put("sha256", entry.hash());
            node.put("nodeId", entry.nodeId());
            node.put("site", entry.site());
            node.put("expiresAt", entry.expiresAt().toString());
            node.put("usedAt", entry.usedAt().map(Instant::toString).orElse(null));
        }
        try
        {
            CaKeyStore.writeOwnerOnly(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        }
        catch (final IOException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, file + ": cannot write: " + ex, ex);
        }
    }

    private static String hash(final String secret)
    {
        return HexFormat.of().formatHex(sha256(secret.getBytes(StandardCharsets.US_ASCII)));
    }

    private static byte[] sha256(final byte[] bytes)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is missing from the JDK", ex);
        }
    }
}
