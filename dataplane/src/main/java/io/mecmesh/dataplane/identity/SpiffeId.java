package io.mecmesh.dataplane.identity;

import java.nio.charset.StandardCharsets;

import static java.util.Objects.requireNonNull;

/**
 * A SPIFFE ID ({@code spiffe://<trust-domain><path>}) checked against the SPIFFE-ID standard: scheme {@code spiffe},
 * a trust domain of lowercase letters, digits, {@code .}, {@code -} and {@code _}, a path of {@code /}-separated
 * segments of letters, digits, {@code .}, {@code -} and {@code _} (no empty, {@code .} or {@code ..} segment, no
 * trailing slash), no query, fragment, port or user info, and at most 2048 bytes in all.
 *
 * @param trustDomain the trust domain name, for example {@code example.org}.
 * @param path        the path including its leading {@code /}, or the empty string for the trust domain's own id.
 */
public record SpiffeId(String trustDomain, String path)
{
    /** The scheme and separator every SPIFFE ID starts with. */
    public static final String PREFIX = "spiffe://";

    /** The maximum length of a SPIFFE ID in bytes (SPIFFE-ID section 2.3). */
    public static final int MAX_LENGTH_BYTES = 2048;

    public SpiffeId
    {
        requireNonNull(trustDomain, "trustDomain");
        requireNonNull(path, "path");
        final String trustDomainProblem = trustDomainProblem(trustDomain);
        if (null != trustDomainProblem)
        {
            throw new IllegalArgumentException(trustDomainProblem);
        }
        final String pathProblem = pathProblem(path);
        if (null != pathProblem)
        {
            throw new IllegalArgumentException(pathProblem);
        }
        final int length = PREFIX.length() + trustDomain.length() + path.getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_LENGTH_BYTES)
        {
            throw new IllegalArgumentException(
                "SPIFFE ID is " + length + " bytes long: the maximum is " + MAX_LENGTH_BYTES + " bytes");
        }
    }

    /**
     * Parses a SPIFFE ID from its text form.
     *
     * @param text for example {@code spiffe://example.org/slice/1-000001/app/video}.
     * @return the SPIFFE ID.
     * @throws IllegalArgumentException naming the rule the text breaks.
     */
    public static SpiffeId parse(final String text)
    {
        requireNonNull(text, "text");
        if (text.isEmpty())
        {
            throw new IllegalArgumentException("SPIFFE ID is empty");
        }
        final int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_LENGTH_BYTES)
        {
            throw new IllegalArgumentException(
                "SPIFFE ID is " + bytes + " bytes long: the maximum is " + MAX_LENGTH_BYTES + " bytes");
        }
        if (!text.startsWith(PREFIX))
        {
            throw new IllegalArgumentException(
                "SPIFFE ID must start with \"" + PREFIX + "\" (lowercase scheme spiffe), got \"" + text + "\"");
        }
        final String rest = text.substring(PREFIX.length());
        if (rest.indexOf('?') >= 0)
        {
            throw new IllegalArgumentException("SPIFFE ID must not contain a query: \"" + text + "\"");
        }
        if (rest.indexOf('#') >= 0)
        {
            throw new IllegalArgumentException("SPIFFE ID must not contain a fragment: \"" + text + "\"");
        }
        final int slash = rest.indexOf('/');
        final String trustDomain = slash < 0 ? rest : rest.substring(0, slash);
        final String path = slash < 0 ? "" : rest.substring(slash);
        return new SpiffeId(trustDomain, path);
    }

    /**
     * The SPIFFE ID of a trust domain itself ({@code spiffe://example.org}, no path).
     *
     * @param trustDomain the trust domain name.
     * @return the SPIFFE ID with an empty path.
     */
    public static SpiffeId ofTrustDomain(final String trustDomain)
    {
        return new SpiffeId(trustDomain, "");
    }

    /**
     * Whether this is a trust domain's own id (no path), which a leaf X.509-SVID must not carry.
     *
     * @return true when the path is empty.
     */
    public boolean isTrustDomainId()
    {
        return path.isEmpty();
    }

    /**
     * Whether this id is {@code prefix} itself or lies below it, segment-wise: {@code /site/a} is under
     * {@code /site} but {@code /sitea} is not.
     *
     * @param prefix an id in the same trust domain.
     * @return true when this id is in the subtree rooted at {@code prefix}.
     */
    public boolean isUnder(final SpiffeId prefix)
    {
        requireNonNull(prefix, "prefix");
        if (!trustDomain.equals(prefix.trustDomain))
        {
            return false;
        }
        final int length = prefix.path.length();
        return length == 0 || path.equals(prefix.path)
            || (path.length() > length && path.startsWith(prefix.path) && path.charAt(length) == '/');
    }

    @Override
    public String toString()
    {
        return PREFIX + trustDomain + path;
    }

    private static String trustDomainProblem(final String trustDomain)
    {
        if (trustDomain.isEmpty())
        {
            return "SPIFFE ID trust domain is missing";
        }
        if (trustDomain.indexOf('@') >= 0)
        {
            return "SPIFFE ID must not contain user info: trust domain \"" + trustDomain + "\"";
        }
        if (trustDomain.indexOf(':') >= 0)
        {
            return "SPIFFE ID must not contain a port: trust domain \"" + trustDomain + "\"";
        }
        for (int i = 0; i < trustDomain.length(); i++)
        {
            final char c = trustDomain.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
            {
                return "SPIFFE ID trust domain \"" + trustDomain + "\" has the character '" + c + "' at " + i +
                    ": only lowercase letters, digits, '.', '-' and '_' are allowed";
            }
        }
        return null;
    }

    private static String pathProblem(final String path)
    {
        if (path.isEmpty())
        {
            return null;
        }
        if (path.charAt(0) != '/')
        {
            return "SPIFFE ID path \"" + path + "\" must start with '/'";
        }
        if (path.endsWith("/"))
        {
            return "SPIFFE ID path \"" + path + "\" must not end with '/'";
        }
        int segmentStart = 1;
        for (int i = 1; i <= path.length(); i++)
        {
            if (i == path.length() || path.charAt(i) == '/')
            {
                final String segment = path.substring(segmentStart, i);
                if (segment.isEmpty())
                {
                    return "SPIFFE ID path \"" + path + "\" has an empty segment";
                }
                if (segment.equals(".") || segment.equals(".."))
                {
                    return "SPIFFE ID path \"" + path + "\" has a '" + segment + "' segment";
                }
                segmentStart = i + 1;
                continue;
            }
            final char c = path.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-' || c == '_'))
            {
                return "SPIFFE ID path \"" + path + "\" has the character '" + c + "' at " + i +
                    ": only letters, digits, '.', '-' and '_' are allowed in a segment";
            }
        }
        return null;
    }
}
