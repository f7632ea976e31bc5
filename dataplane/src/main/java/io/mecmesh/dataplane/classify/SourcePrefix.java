package io.mecmesh.dataplane.classify;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

import static java.util.Objects.requireNonNull;

/**
 * An IPv4 or IPv6 source prefix ({@code 10.45.0.0/16}, {@code 2001:db8:45::/48}), parsed once into its network
 * bytes so that matching a connection's address compares bytes and allocates nothing. Only address literals are
 * accepted, never a name to resolve. Immutable.
 */
public final class SourcePrefix
{
    private final byte[] network;
    private final int prefixLength;
    private final String text;

    private SourcePrefix(final byte[] network, final int prefixLength)
    {
        this.network = network;
        this.prefixLength = prefixLength;
        this.text = textOf(network) + "/" + prefixLength;
    }

    /**
     * Parses {@code address/prefixLength}. Host bits must be zero.
     *
     * @param text the CIDR.
     * @return the prefix.
     * @throws IllegalArgumentException naming the field when the text is not a valid CIDR.
     */
    public static SourcePrefix parse(final String text)
    {
        return parse("sourceCidrs", text);
    }

    /**
     * Parses {@code address/prefixLength} read from a field other than {@code sourceCidrs}. Host bits must be zero.
     *
     * @param field the field named in the error, e.g. {@code destinationCidrs}.
     * @param text  the CIDR.
     * @return the prefix.
     * @throws IllegalArgumentException naming the field when the text is not a valid CIDR.
     */
    public static SourcePrefix parse(final String field, final String text)
    {
        requireNonNull(field, "field");
        requireNonNull(text, field);
        try
        {
            return parseSource(text);
        }
        catch (final IllegalArgumentException ex)
        {
            if ("sourceCidrs".equals(field))
            {
                throw ex;
            }
            throw new IllegalArgumentException(field + ex.getMessage().substring("sourceCidrs".length()), ex);
        }
    }

    private static SourcePrefix parseSource(final String text)
    {
        final int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1)
        {
            throw new IllegalArgumentException("sourceCidrs: expected address/prefix-length such as 10.45.0.0/16,"
                + " got \"" + text + "\"");
        }
        final byte[] bytes = literal(text.substring(0, slash), text);
        final int prefixLength;
        try
        {
            prefixLength = Integer.parseInt(text.substring(slash + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("sourceCidrs: prefix length is not a number in \"" + text + "\"", ex);
        }
        if (prefixLength < 0 || prefixLength > bytes.length * 8)
        {
            throw new IllegalArgumentException("sourceCidrs: prefix length expected 0 to " + bytes.length * 8
                + ", got " + prefixLength + " in \"" + text + "\"");
        }
        for (int bit = prefixLength; bit < bytes.length * 8; bit++)
        {
            if ((bytes[bit / 8] & (0x80 >>> (bit % 8))) != 0)
            {
                throw new IllegalArgumentException("sourceCidrs: \"" + text + "\" has host bits set");
            }
        }
        return new SourcePrefix(bytes, prefixLength);
    }

    /**
     * Whether an address is in this prefix. An IPv4 address never matches an IPv6 prefix and the other way round
     * (IPv4-mapped IPv6 addresses are unwrapped by the JDK into IPv4 ones before they get here). Allocates nothing.
     *
     * @param address the address bytes (4 or 16).
     * @return true when the first {@code prefixLength} bits are equal.
     */
    public boolean matches(final byte[] address)
    {
        if (address.length != network.length)
        {
            return false;
        }
        final int whole = prefixLength >>> 3;
        for (int i = 0; i < whole; i++)
        {
            if (address[i] != network[i])
            {
                return false;
            }
        }
        final int rest = prefixLength & 7;
        if (rest == 0)
        {
            return true;
        }
        final int mask = (0xFF << (8 - rest)) & 0xFF;
        return (address[whole] & mask) == (network[whole] & mask);
    }

    public int prefixLength()
    {
        return prefixLength;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof SourcePrefix that && prefixLength == that.prefixLength
            && Arrays.equals(network, that.network);
    }

    @Override
    public int hashCode()
    {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    /**
     * @return the canonical {@code address/prefixLength} text (IPv6 in the JDK's full form).
     */
    @Override
    public String toString()
    {
        return text;
    }

    private static byte[] literal(final String address, final String text)
    {
        if (address.indexOf(':') >= 0)
        {
            if (!address.matches("[0-9A-Fa-f:.]+"))
            {
                throw new IllegalArgumentException("sourceCidrs: expected an IPv6 literal in \"" + text + "\"");
            }
            try
            {
                // A string with ':' is only ever parsed as an IPv6 literal, never resolved.
                final byte[] bytes = InetAddress.getByName(address).getAddress();
                if (bytes.length != 16)
                {
                    throw new IllegalArgumentException("sourceCidrs: write an IPv4 prefix in dotted form, not as an"
                        + " IPv4-mapped IPv6 address, in \"" + text + "\"");
                }
                return bytes;
            }
            catch (final UnknownHostException ex)
            {
                throw new IllegalArgumentException("sourceCidrs: expected an IPv6 literal in \"" + text + "\"", ex);
            }
        }
        final String[] parts = address.split("\\.", -1);
        if (parts.length != 4)
        {
            throw new IllegalArgumentException("sourceCidrs: expected an IPv4 or IPv6 literal in \"" + text + "\"");
        }
        final byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++)
        {
            if (!parts[i].matches("\\d{1,3}") || Integer.parseInt(parts[i]) > 255)
            {
                throw new IllegalArgumentException("sourceCidrs: expected an IPv4 literal in \"" + text + "\"");
            }
            bytes[i] = (byte)Integer.parseInt(parts[i]);
        }
        return bytes;
    }

    private static String textOf(final byte[] bytes)
    {
        try
        {
            return InetAddress.getByAddress(bytes).getHostAddress();
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException("address of " + bytes.length + " bytes", ex);
        }
    }
}
