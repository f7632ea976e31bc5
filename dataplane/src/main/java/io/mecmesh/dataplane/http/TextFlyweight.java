package io.mecmesh.dataplane.http;

import java.nio.charset.StandardCharsets;

/**
 * A reusable {@link CharSequence} view over ISO-8859-1 bytes (a region of a head's bytes) or over another
 * {@code CharSequence}: lets the hot path hand a request-target or a header value to code that takes text
 * without allocating a {@code String}. {@link #toString()} and {@link #subSequence} allocate.
 *
 * <p>A view is valid only until it is wrapped again or the head it points into is recycled: callers keep one per
 * handler and never store the view itself. Confined to its event loop.
 */
public final class TextFlyweight implements CharSequence
{
    private byte[] bytes;
    private int offset;
    private int length;
    private CharSequence text;
    private int textOffset;

    /**
     * @param bytes  the bytes.
     * @param offset where the text starts.
     * @param length its length.
     * @return this view.
     */
    public TextFlyweight wrap(final byte[] bytes, final int offset, final int length)
    {
        this.bytes = bytes;
        this.offset = offset;
        this.length = length;
        this.text = null;
        return this;
    }

    /**
     * @param text text to view as it is.
     * @return this view.
     */
    public TextFlyweight wrap(final CharSequence text)
    {
        return wrap(text, 0, text.length());
    }

    /**
     * @param text   text to view.
     * @param offset where the view starts in it.
     * @param length the view's length.
     * @return this view.
     */
    public TextFlyweight wrap(final CharSequence text, final int offset, final int length)
    {
        this.text = text;
        this.textOffset = offset;
        this.bytes = null;
        this.length = length;
        return this;
    }

    @Override
    public int length()
    {
        return length;
    }

    @Override
    public char charAt(final int index)
    {
        if (index < 0 || index >= length)
        {
            throw new IndexOutOfBoundsException("index " + index + " of " + length);
        }
        return text != null ? text.charAt(textOffset + index) : (char)(bytes[offset + index] & 0xff);
    }

    @Override
    public CharSequence subSequence(final int start, final int end)
    {
        return toString().substring(start, end);
    }

    @Override
    public String toString()
    {
        return text != null ? text.subSequence(textOffset, textOffset + length).toString() : new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
    }
}
