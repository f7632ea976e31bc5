package io.mecmesh.dataplane.classify;

import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * A request header that must be present with exactly this value (the first value when it is repeated).
 *
 * @param name  the header name, an HTTP token, kept in lower case.
 * @param value the exact value, not empty.
 */
public record HeaderValue(String name, String value)
{
    public HeaderValue
    {
        requireNonNull(name, "name");
        requireNonNull(value, "value");
        if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+"))
        {
            throw new IllegalArgumentException("header.name: expected an HTTP header name, got \"" + name + "\"");
        }
        name = name.toLowerCase(Locale.ROOT);
        if (value.isEmpty())
        {
            throw new IllegalArgumentException("header.value: expected a non-empty value for header " + name);
        }
    }
}
