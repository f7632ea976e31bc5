package io.mecmesh.appliance.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

import static java.util.Objects.requireNonNull;

/**
 * Writes a gzip-compressed POSIX ustar archive of regular files (what {@code mecmesh diagnose} needs: a few text
 * files under one directory). Hand-written rather than a dependency: the format is one 512-byte header per file, the
 * content padded to 512 bytes, and two zero blocks at the end; {@code tar xzf} and every archive tool read it.
 *
 * <pre>
 *   header (512 bytes, ASCII, numbers in octal, NUL-terminated):
 *   0 name[100] | 100 mode[8] | 108 uid[8] | 116 gid[8] | 124 size[12] | 136 mtime[12] | 148 chksum[8]
 *   156 typeflag | 157 linkname[100] | 257 "ustar\0" | 263 "00" | 265 uname[32] | 297 gname[32] | ... | 345 prefix
 * </pre>
 */
final class TarGzWriter implements AutoCloseable
{
    private static final int BLOCK = 512;
    private static final int NAME_OFFSET = 0;
    private static final int NAME_LENGTH = 100;
    private static final int MODE_OFFSET = 100;
    private static final int UID_OFFSET = 108;
    private static final int GID_OFFSET = 116;
    private static final int SIZE_OFFSET = 124;
    private static final int MTIME_OFFSET = 136;
    private static final int CHECKSUM_OFFSET = 148;
    private static final int CHECKSUM_LENGTH = 8;
    private static final int TYPE_OFFSET = 156;
    private static final int MAGIC_OFFSET = 257;
    private static final byte REGULAR_FILE = '0';

    private final GZIPOutputStream out;
    private final long mtimeSeconds;

    /**
     * @param out          where the archive goes (closed with this writer).
     * @param mtimeSeconds every entry's modification time, seconds since the epoch.
     */
    TarGzWriter(final OutputStream out, final long mtimeSeconds) throws IOException
    {
        this.out = new GZIPOutputStream(requireNonNull(out, "out"));
        this.mtimeSeconds = mtimeSeconds;
    }

    /**
     * Adds a file, mode 0600.
     *
     * @param name    its path in the archive (ASCII, at most 99 bytes).
     * @param content its bytes.
     */
    void add(final String name, final byte[] content) throws IOException
    {
        requireNonNull(content, "content");
        final byte[] nameBytes = requireNonNull(name, "name").getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length >= NAME_LENGTH)
        {
            throw new IllegalArgumentException("name: at most " + (NAME_LENGTH - 1) + " bytes, got " + name);
        }
        final byte[] header = new byte[BLOCK];
        System.arraycopy(nameBytes, 0, header, NAME_OFFSET, nameBytes.length);
        octal(header, MODE_OFFSET, 8, 0600);
        octal(header, UID_OFFSET, 8, 0);
        octal(header, GID_OFFSET, 8, 0);
        octal(header, SIZE_OFFSET, 12, content.length);
        octal(header, MTIME_OFFSET, 12, mtimeSeconds);
        header[TYPE_OFFSET] = REGULAR_FILE;
        final byte[] magic = "ustar\u000000".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(magic, 0, header, MAGIC_OFFSET, magic.length);
        for (int i = 0; i < CHECKSUM_LENGTH; i++)
        {
            header[CHECKSUM_OFFSET + i] = ' ';
        }
        long checksum = 0;
        for (final byte b : header)
        {
            checksum += b & 0xff;
        }
        octal(header, CHECKSUM_OFFSET, 7, checksum);
        out.write(header);
        out.write(content);
        final int padding = (BLOCK - content.length % BLOCK) % BLOCK;
        out.write(new byte[padding]);
    }

    /**
     * Adds a text file in UTF-8.
     *
     * @param name its path in the archive.
     * @param text its content.
     */
    void add(final String name, final String text) throws IOException
    {
        add(name, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException
    {
        out.write(new byte[2 * BLOCK]);
        out.close();
    }

    /** Writes {@code value} as zero-padded octal digits in {@code length - 1} bytes and a NUL. */
    private static void octal(final byte[] header, final int offset, final int length, final long value)
    {
        final String digits = Long.toOctalString(value);
        if (digits.length() > length - 1)
        {
            throw new IllegalArgumentException("too large for a tar header: " + value);
        }
        final String padded = "0".repeat(length - 1 - digits.length()) + digits;
        System.arraycopy(padded.getBytes(StandardCharsets.US_ASCII), 0, header, offset, length - 1);
        header[offset + length - 1] = 0;
    }
}
