package io.mecmesh.dataplane.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * A read view of a message's header fields by entry index, without allocation: what the stages after the codec
 * read. Implemented by the HTTP/1.1 codec's flyweight headers (over the head's bytes) and by
 * {@link NettyHeaderFields} (over Netty's {@link HttpHeaders}: HTTP/2-converted and other heads). An entry index is
 * valid until the fields are changed; change them through {@link #headers()}.
 */
public interface HeaderFields
{
    /**
     * @param name a field name (any case).
     * @param from the first entry to look at.
     * @return the index of the next field of that name at or after {@code from}, or -1.
     */
    int indexOf(CharSequence name, int from);

    /**
     * @param name a field name (any case).
     * @return how many fields have that name.
     */
    int count(CharSequence name);

    /**
     * @param entry an entry index from {@link #indexOf}.
     * @return the length of its value.
     */
    int valueLength(int entry);

    /**
     * @param entry an entry index from {@link #indexOf}.
     * @param index a position in its value.
     * @return the value's character there (0 to 255).
     */
    int valueCharAt(int entry, int index);

    /**
     * Views an entry's value without copying it.
     *
     * @param entry an entry index from {@link #indexOf}.
     * @param view  the view to wrap around it.
     * @return {@code view}.
     */
    TextFlyweight valueView(int entry, TextFlyweight view);

    /**
     * Views part of an entry's value without copying it.
     *
     * @param entry an entry index from {@link #indexOf}.
     * @param from  where the view starts in the value.
     * @param to    where it ends.
     * @param view  the view to wrap around it.
     * @return {@code view}.
     */
    TextFlyweight valueView(int entry, int from, int to, TextFlyweight view);

    /**
     * @param entry      an entry index from {@link #indexOf}.
     * @param value      the value to compare with.
     * @param ignoreCase whether ASCII case is ignored.
     * @return whether the entry's whole value equals {@code value}.
     */
    boolean valueEquals(int entry, CharSequence value, boolean ignoreCase);

    /**
     * @return the value of the one {@code Content-Length} field as a non-negative number of 1 to 18 digits, -1
     * when there is none, -2 when there are several or it is not such a number.
     */
    long contentLength();

    /**
     * @return the fields as Netty headers, to change them (entry indexes taken before are then stale).
     */
    HttpHeaders headers();

    /**
     * Views the value of the first field of a name.
     *
     * @param name a field name (any case).
     * @param view the view to wrap around its value.
     * @return {@code view}, or {@code null} when there is no such field.
     */
    default TextFlyweight first(final CharSequence name, final TextFlyweight view)
    {
        final int entry = indexOf(name, 0);
        return entry < 0 ? null : valueView(entry, view);
    }

    /**
     * The view of a message's headers: the headers themselves when they are one (the HTTP/1.1 codec's), else
     * {@code scratch} wrapped around them.
     *
     * @param headers the headers.
     * @param scratch the caller's reusable adapter.
     * @return the view, valid until {@code scratch} is wrapped again.
     */
    static HeaderFields of(final HttpHeaders headers, final NettyHeaderFields scratch)
    {
        return headers instanceof HeaderFields fields ? fields : scratch.wrap(headers);
    }

    /**
     * Parses a Content-Length value the way {@link #contentLength()} does.
     *
     * @param fields the fields.
     * @return the length, -1 when absent, -2 when several or not 1 to 18 digits.
     */
    static long contentLength(final HeaderFields fields)
    {
        final CharSequence name = HttpHeaderNames.CONTENT_LENGTH;
        final int first = fields.indexOf(name, 0);
        if (first < 0)
        {
            return -1;
        }
        if (fields.indexOf(name, first + 1) >= 0)
        {
            return -2;
        }
        final int valueLength = fields.valueLength(first);
        if (valueLength == 0 || valueLength > 18)
        {
            return -2;
        }
        long value = 0;
        for (int i = 0; i < valueLength; i++)
        {
            final int c = fields.valueCharAt(first, i);
            if (c < '0' || c > '9')
            {
                return -2;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
