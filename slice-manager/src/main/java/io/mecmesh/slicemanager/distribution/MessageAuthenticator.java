package io.mecmesh.slicemanager.distribution;

import org.agrona.DirectBuffer;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static java.util.Objects.requireNonNull;

/**
 * HMAC-SHA256 with the distribution key shared by the slice manager and its nodes, and SHA-256 of payloads. Keeps one
 * {@link Mac} and scratch space: confined to one thread (each agent has its own).
 */
public final class MessageAuthenticator
{
    /** Shortest key accepted: 256 bits, the HMAC-SHA256 block security level. */
    public static final int MIN_KEY_LENGTH = 32;

    private static final int CHUNK = 4096;

    private final Mac mac;
    private final MessageDigest sha256;
    private final byte[] scratch = new byte[CHUNK];

    /**
     * @param key the shared key, at least {@link #MIN_KEY_LENGTH} bytes (copied).
     */
    public MessageAuthenticator(final byte[] key)
    {
        requireNonNull(key, "key");
        if (key.length < MIN_KEY_LENGTH)
        {
            throw new IllegalArgumentException("key: expected at least " + MIN_KEY_LENGTH + " bytes, got " + key.length);
        }
        try
        {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Arrays.copyOf(key, key.length), "HmacSHA256"));
            sha256 = MessageDigest.getInstance("SHA-256");
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HmacSHA256 / SHA-256 are not available in this JVM", ex);
        }
    }

    /**
     * Computes the HMAC of a range into {@code out}.
     *
     * @param buffer    the bytes.
     * @param offset    first byte.
     * @param length    number of bytes.
     * @param out       receives the 32-byte MAC.
     * @param outOffset where in {@code out}.
     */
    void mac(final DirectBuffer buffer, final int offset, final int length, final byte[] out, final int outOffset)
    {
        update(buffer, offset, length, true);
        try
        {
            mac.doFinal(out, outOffset);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HMAC output does not fit", ex);
        }
    }

    /**
     * Checks the MAC stored after a range, in constant time.
     *
     * @param buffer    the bytes.
     * @param offset    first byte covered.
     * @param length    number of bytes covered; the MAC follows them.
     * @return whether the stored MAC is the HMAC of the range.
     */
    boolean verify(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] expected = new byte[DistributionMessageDescriptor.MAC_LENGTH];
        mac(buffer, offset, length, expected, 0);
        final byte[] actual = new byte[DistributionMessageDescriptor.MAC_LENGTH];
        buffer.getBytes(offset + length, actual);
        return MessageDigest.isEqual(expected, actual);
    }

    /**
     * @param buffer the bytes.
     * @param offset first byte.
     * @param length number of bytes.
     * @return their SHA-256.
     */
    byte[] sha256(final DirectBuffer buffer, final int offset, final int length)
    {
        update(buffer, offset, length, false);
        return sha256.digest();
    }

    /**
     * @param bytes the bytes.
     * @return their SHA-256.
     */
    public byte[] sha256(final byte[] bytes)
    {
        return sha256.digest(requireNonNull(bytes, "bytes"));
    }

    private void update(final DirectBuffer buffer, final int offset, final int length, final boolean toMac)
    {
        int position = offset;
        final int end = offset + length;
        while (position < end)
        {
            final int n = Math.min(CHUNK, end - position);
            buffer.getBytes(position, scratch, 0, n);
            if (toMac)
            {
                mac.update(scratch, 0, n);
            }
            else
            {
                sha256.update(scratch, 0, n);
            }
            position += n;
        }
    }
}
