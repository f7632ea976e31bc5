package io.mecmesh.slicemanager.distribution;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A compiled node configuration ({@link MeshConfigCodec} bytes) with the control plane's Ed25519 signatures over it:
 * the CONFIG payload and, unchanged, the content of the node's last-known-good file, so the file keeps the signatures
 * as received and a node verifies them again whenever it loads the file.
 *
 * <p>Layout, little-endian:
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                    magic 0x4753434D ("MCSG")                  |  0
 * +---------------------------------------------------------------+
 * |                  signature count (int32, 1..4)                |  4
 * +---------------------------------------------------------------+
 * |  per signature: the signer's public key, X.509 encoded (44)   |  8
 * |                 its Ed25519 signature (64)                    |
 * +---------------------------------------------------------------+
 * |                     content length (int32)                    |  8 + 108 * count
 * +---------------------------------------------------------------+
 * |                 content (MeshConfigCodec bytes)             ...
 * +---------------------------------------------------------------+
 * </pre>
 * Each signature covers {@value #DOMAIN} followed by the content, so a signature made for something else with the
 * same key never verifies here. Several signatures exist only while the signing key is rotated (the new key and the
 * previous one both sign), so a node that knows only one of them still accepts the configuration.
 *
 * <p>Stateless; thread-safe.
 */
public final class SignedConfig
{
    /** The signature algorithm (in the JDK since 15). */
    public static final String ALGORITHM = "Ed25519";
    /** Most signatures on one configuration. */
    public static final int MAX_SIGNATURES = 4;

    static final int MAGIC = 0x4753434D;
    static final int PUBLIC_KEY_LENGTH = 44;
    static final int SIGNATURE_LENGTH = 64;
    static final int ENTRY_LENGTH = PUBLIC_KEY_LENGTH + SIGNATURE_LENGTH;
    static final String DOMAIN = "mecmesh node configuration v1\0";

    private static final byte[] DOMAIN_BYTES = DOMAIN.getBytes(StandardCharsets.US_ASCII);
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private SignedConfig()
    {
    }

    /**
     * One signature as carried.
     *
     * @param publicKey the signer's public key, X.509 encoded.
     * @param signature the Ed25519 signature.
     */
    public record Entry(byte[] publicKey, byte[] signature)
    {
        public Entry
        {
            requireNonNull(publicKey, "publicKey");
            requireNonNull(signature, "signature");
        }
    }

    /**
     * A decoded envelope (signatures not verified yet).
     *
     * @param content    the configuration bytes.
     * @param signatures the signatures carried, at least one.
     */
    public record Parsed(byte[] content, List<Entry> signatures)
    {
        public Parsed
        {
            requireNonNull(content, "content");
            signatures = List.copyOf(signatures);
        }
    }

    /**
     * Signs {@code content} with every key given and wraps it.
     *
     * @param content the configuration bytes.
     * @param keys    the signing key pairs, 1 to {@value #MAX_SIGNATURES}, in order.
     * @return the envelope.
     * @throws IllegalArgumentException if a key is not an Ed25519 key.
     */
    public static byte[] sign(final byte[] content, final List<KeyPair> keys)
    {
        requireNonNull(content, "content");
        requireNonNull(keys, "keys");
        if (keys.isEmpty() || keys.size() > MAX_SIGNATURES)
        {
            throw new IllegalArgumentException("keys: expected 1 to " + MAX_SIGNATURES + ", got " + keys.size());
        }
        final ByteBuffer out = ByteBuffer.allocate(8 + ENTRY_LENGTH * keys.size() + 4 + content.length).order(ORDER);
        out.putInt(MAGIC).putInt(keys.size());
        for (final KeyPair key : keys)
        {
            final byte[] encoded = key.getPublic().getEncoded();
            if (encoded.length != PUBLIC_KEY_LENGTH)
            {
                throw new IllegalArgumentException("not an Ed25519 public key: " + key.getPublic().getAlgorithm());
            }
            out.put(encoded).put(signature(key.getPrivate(), content));
        }
        out.putInt(content.length).put(content);
        return out.array();
    }

    /**
     * Decodes an envelope without verifying it.
     *
     * @param envelope the bytes.
     * @return the content and signatures.
     * @throws IllegalArgumentException if the bytes are not a well-formed envelope (for example an unsigned
     *                                  configuration written by an older version).
     */
    public static Parsed parse(final byte[] envelope)
    {
        requireNonNull(envelope, "envelope");
        if (envelope.length < 12)
        {
            throw new IllegalArgumentException("not signed: " + envelope.length + " bytes, shorter than a signed "
                + "configuration's header");
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(envelope);
        if (buffer.getInt(0, ORDER) != MAGIC)
        {
            throw new IllegalArgumentException("not signed (no signature header: written by a version without "
                + "signed configurations, or not a configuration)");
        }
        final int count = buffer.getInt(4, ORDER);
        if (count < 1 || count > MAX_SIGNATURES)
        {
            throw new IllegalArgumentException("signature count " + count + ", expected 1 to " + MAX_SIGNATURES);
        }
        final int lengthOffset = 8 + ENTRY_LENGTH * count;
        if (envelope.length < lengthOffset + 4)
        {
            throw new IllegalArgumentException("truncated signature block");
        }
        final int length = buffer.getInt(lengthOffset, ORDER);
        if (length < 0 || length != envelope.length - lengthOffset - 4)
        {
            throw new IllegalArgumentException("content length " + length + " does not match the "
                + (envelope.length - lengthOffset - 4) + " bytes that follow");
        }
        final List<Entry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final int offset = 8 + ENTRY_LENGTH * i;
            entries.add(new Entry(Arrays.copyOfRange(envelope, offset, offset + PUBLIC_KEY_LENGTH),
                Arrays.copyOfRange(envelope, offset + PUBLIC_KEY_LENGTH, offset + ENTRY_LENGTH)));
        }
        return new Parsed(Arrays.copyOfRange(envelope, lengthOffset + 4, envelope.length), entries);
    }

    /**
     * @param key       an Ed25519 public key.
     * @param content   the configuration bytes.
     * @param signature a signature.
     * @return whether the signature is the key's over the content.
     */
    public static boolean verify(final PublicKey key, final byte[] content, final byte[] signature)
    {
        try
        {
            final Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(key);
            verifier.update(DOMAIN_BYTES);
            verifier.update(content);
            return verifier.verify(signature);
        }
        catch (final GeneralSecurityException ex)
        {
            return false;
        }
    }

    /**
     * @param encoded an X.509-encoded Ed25519 public key.
     * @return the key.
     * @throws IllegalArgumentException if it is not one.
     */
    public static PublicKey publicKey(final byte[] encoded)
    {
        try
        {
            final PublicKey key = KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(encoded));
            if (key.getEncoded().length != PUBLIC_KEY_LENGTH)
            {
                throw new IllegalArgumentException("not an Ed25519 public key");
            }
            return key;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalArgumentException("not an Ed25519 public key: " + ex.getMessage(), ex);
        }
    }

    /**
     * @return a new Ed25519 key pair.
     */
    public static KeyPair generateKeyPair()
    {
        try
        {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("Ed25519 is not available in this JVM", ex);
        }
    }

    /**
     * @param key a public key.
     * @return a short fingerprint for logs: the first 16 hex digits of the SHA-256 of its encoding.
     */
    public static String fingerprint(final PublicKey key)
    {
        return fingerprint(key.getEncoded());
    }

    /**
     * @param encoded an X.509-encoded public key.
     * @return a short fingerprint for logs: the first 16 hex digits of the SHA-256 of the encoding.
     */
    public static String fingerprint(final byte[] encoded)
    {
        final byte[] digest;
        try
        {
            digest = MessageDigest.getInstance("SHA-256").digest(encoded);
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is not available in this JVM", ex);
        }
        final StringBuilder hex = new StringBuilder(16);
        for (int i = 0; i < 8; i++)
        {
            hex.append(Character.forDigit((digest[i] >> 4) & 0xF, 16)).append(Character.forDigit(digest[i] & 0xF, 16));
        }
        return hex.toString();
    }

    /**
     * @param keys public keys.
     * @return them as PEM {@code PUBLIC KEY} blocks (RFC 7468).
     */
    public static String toPem(final List<PublicKey> keys)
    {
        final StringBuilder pem = new StringBuilder();
        final Base64.Encoder encoder = Base64.getMimeEncoder(64, new byte[] {'\n'});
        for (final PublicKey key : keys)
        {
            pem.append("-----BEGIN PUBLIC KEY-----\n").append(encoder.encodeToString(key.getEncoded()))
                .append("\n-----END PUBLIC KEY-----\n");
        }
        return pem.toString();
    }

    /**
     * Reads every {@code PUBLIC KEY} block (other blocks are skipped).
     *
     * @param pem    the text.
     * @param source what it came from, for messages.
     * @return the Ed25519 keys, in order.
     * @throws IllegalArgumentException if a block is not an Ed25519 public key.
     */
    public static List<PublicKey> fromPem(final String pem, final String source)
    {
        requireNonNull(pem, "pem");
        final List<PublicKey> keys = new ArrayList<>();
        int from = 0;
        final String begin = "-----BEGIN PUBLIC KEY-----";
        final String end = "-----END PUBLIC KEY-----";
        int start;
        while ((start = pem.indexOf(begin, from)) >= 0)
        {
            final int stop = pem.indexOf(end, start);
            if (stop < 0)
            {
                throw new IllegalArgumentException(source + ": PUBLIC KEY block " + (keys.size() + 1)
                    + " has no END line");
            }
            try
            {
                keys.add(publicKey(Base64.getMimeDecoder().decode(pem.substring(start + begin.length(), stop))));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(source + ": PUBLIC KEY block " + (keys.size() + 1) + ": "
                    + ex.getMessage(), ex);
            }
            from = stop + end.length();
        }
        return keys;
    }

    private static byte[] signature(final PrivateKey key, final byte[] content)
    {
        try
        {
            final Signature signer = Signature.getInstance(ALGORITHM);
            signer.initSign(key);
            signer.update(DOMAIN_BYTES);
            signer.update(content);
            return signer.sign();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalArgumentException("cannot sign with " + key.getAlgorithm() + ": " + ex.getMessage(), ex);
        }
    }
}
