package io.mecmesh.dataplane.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.util.Iterator;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * {@link HeaderFields} over Netty's {@link HttpHeaders} (heads not built by the HTTP/1.1 codec: HTTP/2 requests,
 * tests with Netty's codec). Reusable: {@link #wrap} takes the fields' entries into arrays it keeps (the values
 * are not copied), and {@link #headers()} marks them stale so that the next read takes them again. The arrays are
 * made at the first read, not before: a stage's scratch adapter that never wraps anything (its heads view
 * themselves) costs an HTTP/2 stream nothing. Confined to one event loop.
 */
public final class NettyHeaderFields implements HeaderFields
{
    private static final int INITIAL_ENTRIES = 16;

    private HttpHeaders headers;
    private static final CharSequence[] NONE = new CharSequence[0];

    private CharSequence[] names = NONE;
    private CharSequence[] values = NONE;
    private int entries;
    private boolean stale;

    /**
     * @param headers the headers to view.
     * @return this view.
     */
    public NettyHeaderFields wrap(final HttpHeaders headers)
    {
        this.headers = requireNonNull(headers, "headers");
        this.stale = true;
        return this;
    }

    @Override
    public int indexOf(final CharSequence name, final int from)
    {
        refresh();
        for (int i = Math.max(from, 0); i < entries; i++)
        {
            if (AsciiString.contentEqualsIgnoreCase(names[i], name))
            {
                return i;
            }
        }
        return -1;
    }

    @Override
    public int count(final CharSequence name)
    {
        refresh();
        int count = 0;
        for (int i = 0; i < entries; i++)
        {
            if (AsciiString.contentEqualsIgnoreCase(names[i], name))
            {
                count++;
            }
        }
        return count;
    }

    @Override
    public int valueLength(final int entry)
    {
        refresh();
        return values[entry].length();
    }

    @Override
    public int valueCharAt(final int entry, final int index)
    {
        refresh();
        return values[entry].charAt(index);
    }

    @Override
    public TextFlyweight valueView(final int entry, final TextFlyweight view)
    {
        refresh();
        return view.wrap(values[entry]);
    }

    @Override
    public TextFlyweight valueView(final int entry, final int from, final int to, final TextFlyweight view)
    {
        refresh();
        return view.wrap(values[entry], from, to - from);
    }

    @Override
    public boolean valueEquals(final int entry, final CharSequence value, final boolean ignoreCase)
    {
        refresh();
        return ignoreCase ? AsciiString.contentEqualsIgnoreCase(values[entry], value)
            : AsciiString.contentEquals(values[entry], value);
    }

    @Override
    public long contentLength()
    {
        return HeaderFields.contentLength(this);
    }

    @Override
    public HttpHeaders headers()
    {
        stale = true;
        return headers;
    }

    /**
     * Drops the references to the headers and their values (a pooled adapter between uses).
     */
    public void clear()
    {
        headers = null;
        for (int i = 0; i < entries; i++)
        {
            names[i] = null;
            values[i] = null;
        }
        entries = 0;
        stale = false;
    }

    private void refresh()
    {
        if (!stale)
        {
            return;
        }
        stale = false;
        final int size = headers.size();
        if (size > names.length)
        {
            names = new CharSequence[Math.max(size, Math.max(INITIAL_ENTRIES, names.length * 2))];
            values = new CharSequence[names.length];
        }
        int i = 0;
        final Iterator<Map.Entry<CharSequence, CharSequence>> fields = headers.iteratorCharSequence();
        while (fields.hasNext() && i < names.length)
        {
            final Map.Entry<CharSequence, CharSequence> field = fields.next();
            names[i] = field.getKey();
            values[i] = field.getValue();
            i++;
        }
        for (int j = i; j < entries; j++)
        {
            names[j] = null;
            values[j] = null;
        }
        entries = i;
    }
}
