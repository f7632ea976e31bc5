package io.mecmesh.mecapi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;

/**
 * The operator's authorization server, as far as a test needs it: an RSA key made here, its public half written as a
 * JWK set file, and RS256 access tokens signed with the JDK (not with the library under test).
 */
final class TokenIssuer
{
    static final String ISSUER = "https://as.operator.test";
    static final String AUDIENCE = "mecmesh-mp1";

    private final KeyPair key;
    private final String keyId;

    TokenIssuer(final String keyId)
    {
        this.keyId = keyId;
        try
        {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            this.key = generator.generateKeyPair();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Writes this issuer's public key as a JWK set to {@code file}. */
    Path writeJwks(final Path file)
    {
        final RSAPublicKey rsa = (RSAPublicKey)key.getPublic();
        final String jwks = "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"" + keyId
            + "\",\"n\":\"" + base64(unsigned(rsa.getModulus())) + "\",\"e\":\""
            + base64(unsigned(rsa.getPublicExponent())) + "\"}]}";
        try
        {
            return Files.writeString(file, jwks);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** A token with this payload (JSON text), signed RS256. */
    String sign(final String payload)
    {
        final String signingInput = base64(("{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"" + keyId + "\"}")
            .getBytes(StandardCharsets.UTF_8)) + "." + base64(payload.getBytes(StandardCharsets.UTF_8));
        try
        {
            final Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key.getPrivate());
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + base64(signature.sign());
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** A client-credentials token for {@code clientId}, valid for {@code lifetimeSeconds} from now (negative: expired). */
    String clientToken(final String clientId, final long lifetimeSeconds)
    {
        final long now = System.currentTimeMillis() / 1000;
        return sign("{\"iss\":\"" + ISSUER + "\",\"aud\":\"" + AUDIENCE + "\",\"sub\":\"" + clientId
            + "\",\"client_id\":\"" + clientId + "\",\"iat\":" + Math.min(now, now + lifetimeSeconds - 60)
            + ",\"exp\":" + (now + lifetimeSeconds) + "}");
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
