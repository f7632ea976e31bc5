package io.mecmesh.slicemanager.compiler;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Feeds values into SHA-256 in a canonical form: fixed-width big-endian integers, strings as their UTF-8 length and
 * bytes ({@link DataOutputStream#writeUTF} is modified UTF-8 and limited to 64 KiB, so it is not used), each value
 * preceded by a one-byte tag so that adjacent fields cannot be confused. Encoding version 2 (2 added the
 * classification rules).
 */
final class CanonicalEncoder
{
    static final int ENCODING_VERSION = 2;

    private final MessageDigest digest;
    private final DataOutputStream out;

    CanonicalEncoder()
    {
        try
        {
            digest = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is not available in this JVM", ex);
        }
        out = new DataOutputStream(new OutputStream()
        {
            @Override
            public void write(final int b)
            {
                digest.update((byte)b);
            }

            @Override
            public void write(final byte[] bytes, final int offset, final int length)
            {
                digest.update(bytes, offset, length);
            }
        });
        putInt(ENCODING_VERSION);
    }

    CanonicalEncoder putInt(final int value)
    {
        try
        {
            out.writeByte('i');
            out.writeInt(value);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return this;
    }

    CanonicalEncoder putLong(final long value)
    {
        try
        {
            out.writeByte('l');
            out.writeLong(value);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return this;
    }

    CanonicalEncoder putString(final String value)
    {
        try
        {
            final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            out.writeByte('s');
            out.writeInt(bytes.length);
            out.write(bytes);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return this;
    }

    String sha256Hex()
    {
        return HexFormat.of().formatHex(digest.digest());
    }
}
