package io.mecmesh.slicemanager.model;

import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The validation rules the model's records share. Every message starts with the field it is about.
 */
final class Checks
{
    /** Lower-case DNS-label-like names: they become cluster names, metric labels and SPIFFE id segments. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?");

    private Checks()
    {
    }

    static String requireName(final String field, final String value)
    {
        requireNonNull(value, field);
        if (!NAME.matcher(value).matches())
        {
            throw new IllegalArgumentException(field + ": expected 1 to 63 lower-case letters, digits, '.' or '-',"
                + " starting and ending with a letter or digit, got \"" + value + "\"");
        }
        return value;
    }

    static String requireOptionalName(final String field, final String value)
    {
        requireNonNull(value, field);
        return value.isEmpty() ? value : requireName(field, value);
    }

    static long requireRange(final String field, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(field + ": expected " + min + " to " + max + ", got " + value);
        }
        return value;
    }

    static int requireRange(final String field, final int value, final int min, final int max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(field + ": expected " + min + " to " + max + ", got " + value);
        }
        return value;
    }

    static <T> T element(final String field, final int index, final T value)
    {
        return requireNonNull(value, field + "[" + index + "]");
    }
}
