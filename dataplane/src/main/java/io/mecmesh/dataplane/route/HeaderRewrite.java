package io.mecmesh.dataplane.route;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * Headers set and removed on a message a route forwards.
 *
 * @param set    headers set (replacing any value the message had), names lower-cased.
 * @param remove headers removed, names lower-cased.
 */
public record HeaderRewrite(Map<String, String> set, List<String> remove)
{
    /** Changes nothing. */
    public static final HeaderRewrite NONE = new HeaderRewrite(Map.of(), List.of());

    public HeaderRewrite
    {
        requireNonNull(set, "set");
        requireNonNull(remove, "remove");
        final Map<String, String> lower = new TreeMap<>();
        set.forEach((name, value) ->
        {
            checkName(name);
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0)
            {
                throw new IllegalArgumentException("set." + name + ": a header value must not contain CR, LF or NUL");
            }
            lower.put(name.toLowerCase(Locale.ROOT), value);
        });
        set = Map.copyOf(lower);
        remove = remove.stream().map(name ->
        {
            checkName(name);
            return name.toLowerCase(Locale.ROOT);
        }).toList();
    }

    public boolean isEmpty()
    {
        return set.isEmpty() && remove.isEmpty();
    }

    /**
     * Applies the rewrite to a message's headers in place: removals first, then the values set.
     *
     * @param headers the message's headers.
     */
    public void applyTo(final HttpHeaders headers)
    {
        if (isEmpty())
        {
            return;
        }
        for (final String name : remove)
        {
            headers.remove(name);
        }
        for (final Map.Entry<String, String> header : set.entrySet())
        {
            headers.set(header.getKey(), header.getValue());
        }
    }

    private static void checkName(final String name)
    {
        if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+"))
        {
            throw new IllegalArgumentException("not a valid header name: \"" + name + "\"");
        }
    }
}
