package io.mecmesh.slicemanager.model;

import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * A request header that must be present with an exact value.
 *
 * @param name  the header name, an HTTP token, stored in lower case.
 * @param value the exact value, not empty, no control characters.
 */
public record HeaderMatch(String name, String value)
{
    public HeaderMatch
    {
        requireNonNull(name, "name");
        requireNonNull(value, "value");
        if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+"))
        {
            throw new IllegalArgumentException("name: expected an HTTP header name (token characters), got \""
                + name + "\"");
        }
        name = name.toLowerCase(Locale.ROOT);
        if (value.isEmpty() || value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7F))
        {
            throw new IllegalArgumentException("value: expected a non-empty header value without control"
                + " characters, got \"" + value.replaceAll("\\p{Cntrl}", "?") + "\"");
        }
    }
}
