package io.mecmesh.slicemanager.model;

import java.net.InetAddress;
import java.net.UnknownHostException;

import static java.util.Objects.requireNonNull;

/**
 * An IPv4 or IPv6 prefix such as a UE address pool ({@code 10.45.0.0/16}, {@code 2001:db8:45::/48}). Only address
 * literals are accepted (never a name to resolve), and the host bits must be zero so that a typo is not taken for a
 * narrower or wider pool than meant.
 *
 * @param address      the network address, normalized ({@code 2001:db8:45:0:0:0:0:0} form for IPv6).
 * @param prefixLength 0 to 32 for IPv4, 0 to 128 for IPv6.
 */
public record Cidr(String address, int prefixLength)
{
    public Cidr
    {
        requireNonNull(address, "address");
        final byte[] bytes = literal(address);
        Checks.requireRange("prefixLength", prefixLength, 0, bytes.length * 8);
        for (int bit = prefixLength; bit < bytes.length * 8; bit++)
        {
            if ((bytes[bit / 8] & (0x80 >>> (bit % 8))) != 0)
            {
                throw new IllegalArgumentException("address: " + address + "/" + prefixLength
                    + " has host bits set (the network address of a /" + prefixLength + " ends in zero bits)");
            }
        }
        address = toText(bytes);
    }

    /**
     * Parses {@code address/prefixLength}.
     *
     * @param text the CIDR.
     * @return the prefix.
     */
    public static Cidr parse(final String text)
    {
        requireNonNull(text, "cidr");
        final int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1)
        {
            throw new IllegalArgumentException("cidr: expected address/prefix-length such as 10.45.0.0/16, got \""
                + text + "\"");
        }
        final int prefixLength;
        try
        {
            prefixLength = Integer.parseInt(text.substring(slash + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("cidr: prefix length is not a number in \"" + text + "\"", ex);
        }
        return new Cidr(text.substring(0, slash), prefixLength);
    }

    @Override
    public String toString()
    {
        return address + "/" + prefixLength;
    }

    private static byte[] literal(final String address)
    {
        if (address.indexOf(':') >= 0)
        {
            if (!address.matches("[0-9A-Fa-f:.]+"))
            {
                throw new IllegalArgumentException("address: expected an IPv6 literal, got \"" + address + "\"");
            }
            try
            {
                // A string with ':' is only ever parsed as an IPv6 literal, never resolved.
                return InetAddress.getByName(address).getAddress();
            }
            catch (final UnknownHostException ex)
            {
                throw new IllegalArgumentException("address: expected an IPv6 literal, got \"" + address + "\"", ex);
            }
        }
        final String[] parts = address.split("\\.", -1);
        if (parts.length != 4)
        {
            throw new IllegalArgumentException("address: expected an IPv4 or IPv6 literal, got \"" + address + "\"");
        }
        final byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++)
        {
            if (!parts[i].matches("\\d{1,3}") || Integer.parseInt(parts[i]) > 255)
            {
                throw new IllegalArgumentException("address: expected an IPv4 literal, got \"" + address + "\"");
            }
            bytes[i] = (byte)Integer.parseInt(parts[i]);
        }
        return bytes;
    }

    private static String toText(final byte[] bytes)
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
