package io.mecmesh.mecapi;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Where the MEC APIs are served ({@code controlPlane.mecApi} in the appliance's configuration).
 *
 * @param address the address to bind.
 * @param port    the TCP port, 0 for one the kernel chooses.
 * @param apiRoot the path before the API names ({@code /mec_app_support/v2/...}): empty, or starting with {@code /}
 *                and not ending with one.
 * @param oauth2  bearer tokens accepted besides client certificates, empty for certificates only.
 */
public record MecApiConfig(String address, int port, String apiRoot, Optional<MecApiOAuth2> oauth2)
{
    /** The MEC API's default TCP port (the control-plane API's is 9902). */
    public static final int DEFAULT_PORT = 9903;

    public MecApiConfig
    {
        requireNonNull(address, "address");
        requireNonNull(apiRoot, "apiRoot");
        requireNonNull(oauth2, "oauth2");
        if (address.isBlank())
        {
            throw new IllegalArgumentException("address: expected an address, got an empty one");
        }
        if (port < 0 || port > 65_535)
        {
            throw new IllegalArgumentException("port: expected 0 to 65535, got " + port);
        }
        if (!apiRoot.isEmpty() && (!apiRoot.startsWith("/") || apiRoot.endsWith("/")
            || !apiRoot.matches("[A-Za-z0-9._~/-]+")))
        {
            throw new IllegalArgumentException("apiRoot: expected empty or a path like /mec (starting with /, not "
                + "ending with /, letters, digits and ._~-), got \"" + apiRoot + "\"");
        }
    }

    /**
     * Client certificates only.
     *
     * @param address the address to bind.
     * @param port    the TCP port, 0 for one the kernel chooses.
     * @param apiRoot the path before the API names.
     */
    public MecApiConfig(final String address, final int port, final String apiRoot)
    {
        this(address, port, apiRoot, Optional.empty());
    }
}
