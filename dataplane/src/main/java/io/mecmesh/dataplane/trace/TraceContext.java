package io.mecmesh.dataplane.trace;

/**
 * A W3C trace context ({@code traceparent}, version 00) as four longs and a flag, parsed from and formatted to its
 * 55 characters without allocation beyond the formatted text. Mutable, reused per channel; confined to one thread.
 *
 * <pre>
 *   00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
 *   ^^ ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ ^^^^^^^^^^^^^^^^ ^^
 *   version       trace id (16 bytes)   parent/span id  flags (01 = sampled)
 * </pre>
 */
public final class TraceContext
{
    /** Length of a version-00 {@code traceparent}. */
    public static final int TRACEPARENT_LENGTH = 55;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private long traceIdHigh;
    private long traceIdLow;
    private long spanId;
    private boolean sampled;

    /**
     * Parses a {@code traceparent} value (RFC W3C Trace Context level 1: version 00, lowercase hex, trace id and
     * span id not all zeros; a higher version is read by its first 55 characters, as the spec says).
     *
     * @param value the header's value.
     * @return whether it was valid; when not, this context is unchanged.
     */
    public boolean parse(final CharSequence value)
    {
        final int length = value.length();
        if (length < TRACEPARENT_LENGTH || value.charAt(2) != '-' || value.charAt(35) != '-'
            || value.charAt(52) != '-')
        {
            return false;
        }
        final int version = hex(value, 0, 2);
        if (version < 0 || version == 0xFF || version == 0 && length != TRACEPARENT_LENGTH
            || version > 0 && length > TRACEPARENT_LENGTH && value.charAt(TRACEPARENT_LENGTH) != '-')
        {
            return false;
        }
        final long high = hexLong(value, 3);
        final long low = hexLong(value, 19);
        final long span = hexLong(value, 36);
        final int flags = hex(value, 53, 55);
        if (high == -1 && !allF(value, 3) || low == -1 && !allF(value, 19) || span == -1 && !allF(value, 36)
            || flags < 0 || high == 0 && low == 0 || span == 0)
        {
            return false;
        }
        traceIdHigh = high;
        traceIdLow = low;
        spanId = span;
        sampled = (flags & 1) != 0;
        return true;
    }

    /**
     * @param traceIdHigh the trace id's first 8 bytes.
     * @param traceIdLow  its last 8 bytes.
     * @param spanId      the span id.
     * @param sampled     the sampled flag.
     * @return this.
     */
    public TraceContext set(final long traceIdHigh, final long traceIdLow, final long spanId, final boolean sampled)
    {
        this.traceIdHigh = traceIdHigh;
        this.traceIdLow = traceIdLow;
        this.spanId = spanId;
        this.sampled = sampled;
        return this;
    }

    public long traceIdHigh()
    {
        return traceIdHigh;
    }

    public long traceIdLow()
    {
        return traceIdLow;
    }

    public long spanId()
    {
        return spanId;
    }

    public boolean sampled()
    {
        return sampled;
    }

    /**
     * @return the {@code traceparent} value (version 00) of this context.
     */
    public String toTraceparent()
    {
        final char[] text = new char[TRACEPARENT_LENGTH];
        text[0] = '0';
        text[1] = '0';
        text[2] = '-';
        putHex(text, 3, traceIdHigh);
        putHex(text, 19, traceIdLow);
        text[35] = '-';
        putHex(text, 36, spanId);
        text[52] = '-';
        text[53] = '0';
        text[54] = sampled ? '1' : '0';
        return new String(text);
    }

    /**
     * @param high the first 8 bytes of an id (0 for a span id).
     * @param low  the last 8 bytes.
     * @param bytes 16 for a trace id, 8 for a span id.
     * @return the id in lowercase hex.
     */
    public static String hex(final long high, final long low, final int bytes)
    {
        final char[] text = new char[bytes * 2];
        if (bytes == 16)
        {
            putHex(text, 0, high);
            putHex(text, 16, low);
        }
        else
        {
            putHex(text, 0, low);
        }
        return new String(text);
    }

    private static void putHex(final char[] text, final int at, final long value)
    {
        for (int i = 0; i < 16; i++)
        {
            text[at + i] = HEX[(int)(value >>> (60 - 4 * i)) & 0xF];
        }
    }

    /** 16 hex digits at {@code from}; -1 also when invalid (callers tell them apart with {@link #allF}). */
    private static long hexLong(final CharSequence value, final int from)
    {
        long result = 0;
        for (int i = from; i < from + 16; i++)
        {
            final int digit = digit(value.charAt(i));
            if (digit < 0)
            {
                return -1;
            }
            result = result << 4 | digit;
        }
        return result;
    }

    private static boolean allF(final CharSequence value, final int from)
    {
        for (int i = from; i < from + 16; i++)
        {
            if (value.charAt(i) != 'f')
            {
                return false;
            }
        }
        return true;
    }

    private static int hex(final CharSequence value, final int from, final int to)
    {
        int result = 0;
        for (int i = from; i < to; i++)
        {
            final int digit = digit(value.charAt(i));
            if (digit < 0)
            {
                return -1;
            }
            result = result << 4 | digit;
        }
        return result;
    }

    private static int digit(final char c)
    {
        if (c >= '0' && c <= '9')
        {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f')
        {
            return c - 'a' + 10;
        }
        return -1;
    }
}
