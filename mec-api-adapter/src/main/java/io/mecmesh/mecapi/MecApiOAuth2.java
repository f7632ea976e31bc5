package io.mecmesh.mecapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * OAuth 2.0 bearer tokens on the MEC APIs ({@code controlPlane.mecApi.oauth2}): besides its X.509-SVID, an application
 * may authenticate with {@code Authorization: Bearer JWT}, an access token the operator's authorization server issued
 * (client credentials), validated here against a local JWK set: signature, {@code exp} (required), {@code nbf},
 * {@code iss} and {@code aud}.
 *
 * @param jwksFile the authorization server's public keys, a JWK set ({@code {"keys": [...]}}), read at start.
 * @param issuer   the {@code iss} every token must carry.
 * @param audience a value the token's {@code aud} must contain.
 * @param claim    the claim whose value is the application instance id the token stands for ({@code client_id}
 *                 by default, as RFC 9068 access tokens carry it; {@code sub} also fits client credentials).
 */
public record MecApiOAuth2(Path jwksFile, String issuer, String audience, String claim)
{
    /** The default {@link #claim()}. */
    public static final String DEFAULT_CLAIM = "client_id";
    /** Key types taken: an authorization server signs with a private key; a shared secret ({@code oct}) is refused. */
    private static final Set<String> KEY_TYPES = Set.of("RSA", "EC", "OKP");

    public MecApiOAuth2
    {
        requireNonNull(jwksFile, "jwksFile");
        requireNonNull(issuer, "issuer");
        requireNonNull(audience, "audience");
        requireNonNull(claim, "claim");
        for (final String[] field : new String[][] {{"issuer", issuer}, {"audience", audience}, {"claim", claim}})
        {
            if (field[1].isBlank())
            {
                throw new IllegalArgumentException(field[0] + ": expected a value, got an empty one");
            }
        }
    }

    /**
     * Reads {@link #jwksFile()}.
     *
     * @return its keys, each a JWK object (JSON text), at least one.
     * @throws IllegalArgumentException starting with {@code jwksFile} if it cannot be read, is not a JWK set, has no
     *                                  key, or a key that is not a public signing key of type RSA, EC or OKP.
     */
    public List<String> readKeys()
    {
        final JsonNode set;
        try
        {
            set = new ObjectMapper().readTree(Files.readString(jwksFile));
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("jwksFile: " + jwksFile + ": cannot be read as JSON: " + ex.getMessage(),
                ex);
        }
        final JsonNode keys = set == null ? null : set.get("keys");
        if (keys == null || !keys.isArray() || keys.isEmpty())
        {
            throw new IllegalArgumentException("jwksFile: " + jwksFile + ": expected a JWK set ({\"keys\": [...]}) "
                + "with at least one key");
        }
        final List<String> read = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++)
        {
            final JsonNode key = keys.get(i);
            final String at = "jwksFile: " + jwksFile + ": keys[" + i + "]";
            if (!key.isObject() || !KEY_TYPES.contains(key.path("kty").asText()))
            {
                throw new IllegalArgumentException(at + ".kty: expected RSA, EC or OKP (a public signing key)");
            }
            if (key.has("d") || key.has("p"))
            {
                throw new IllegalArgumentException(at + ": a private key: give the authorization server's public keys");
            }
            if (key.has("use") && !"sig".equals(key.get("use").asText()))
            {
                throw new IllegalArgumentException(at + ".use: expected sig, got " + key.get("use"));
            }
            read.add(key.toString());
        }
        return List.copyOf(read);
    }
}
