package io.mecmesh.appliance.demo;

import io.mecmesh.mecapi.MecApiOAuth2;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

import static java.util.Objects.requireNonNull;

/**
 * The demo's stand-in for an operator's OAuth 2.0 authorization server: an RSA key made at start, its public half
 * written as the JWK set the MEC API validates tokens against, and one client-credentials access token (RS256) for
 * the demo MEC application, printed so that a script can call Mp1 without a certificate. Not a token endpoint.
 */
public final class DemoAuthorizationServer
{
    /** The {@code iss} of the demo's tokens. */
    public static final String ISSUER = "https://as.demo.mecmesh";
    /** The {@code aud} of the demo's tokens. */
    public static final String AUDIENCE = "mecmesh-mp1";

    private final KeyPair key;
    private final MecApiOAuth2 oauth2;

    private DemoAuthorizationServer(final KeyPair key, final MecApiOAuth2 oauth2)
    {
        this.key = key;
        this.oauth2 = oauth2;
    }

    /**
     * Makes the key and writes {@code oauth2-jwks.json} into {@code directory}.
     *
     * @param directory the demo's state directory.
     * @return the authorization server.
     * @throws IOException if the key set cannot be written.
     */
    public static DemoAuthorizationServer create(final Path directory) throws IOException
    {
        requireNonNull(directory, "directory");
        final KeyPair key;
        try
        {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            key = generator.generateKeyPair();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("RSA is missing from this JVM", ex);
        }
        final RSAPublicKey rsa = (RSAPublicKey)key.getPublic();
        final Path jwks = Files.writeString(directory.resolve("oauth2-jwks.json"), "{\"keys\":[{\"kty\":\"RSA\","
            + "\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"demo\",\"n\":\"" + base64(unsigned(rsa.getModulus()))
            + "\",\"e\":\"" + base64(unsigned(rsa.getPublicExponent())) + "\"}]}");
        return new DemoAuthorizationServer(key, new MecApiOAuth2(jwks, ISSUER, AUDIENCE, MecApiOAuth2.DEFAULT_CLAIM));
    }

    /**
     * @return the MEC API's {@code oauth2} settings that trust this server.
     */
    public MecApiOAuth2 oauth2()
    {
        return oauth2;
    }

    /**
     * @param clientId the application instance id ({@code client_id}).
     * @param lifetime how long the token is valid from now.
     * @return a signed access token.
     */
    public String clientToken(final String clientId, final Duration lifetime)
    {
        requireNonNull(clientId, "clientId");
        final long now = Instant.now().getEpochSecond();
        final String input = base64("{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"demo\"}"
            .getBytes(StandardCharsets.UTF_8)) + "." + base64(("{\"iss\":\"" + ISSUER + "\",\"aud\":\"" + AUDIENCE
            + "\",\"sub\":\"" + clientId + "\",\"client_id\":\"" + clientId + "\",\"iat\":" + now + ",\"exp\":"
            + (now + lifetime.toSeconds()) + "}").getBytes(StandardCharsets.UTF_8));
        try
        {
            final Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key.getPrivate());
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + base64(signature.sign());
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("cannot sign the demo token", ex);
        }
    }

    private static String base64(final byte[] bytes)
    {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] unsigned(final BigInteger value)
    {
        final byte[] bytes = value.toByteArray();
        return bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }
}
