package io.mecmesh.slicemanager.ca;

import io.mecmesh.slicemanager.ca.CertificateAuthorityException.Category;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import static java.util.Objects.requireNonNull;

/**
 * The shared secret a requester presents to an identity endpoint, checked in constant time: the SHA-256 digests of
 * the expected and presented tokens are compared, so neither the token's length nor its prefix leaks through timing.
 * Shared by {@link SigningService} (node SVIDs) and {@link WorkloadSigningHandler} (workload SVIDs of a site).
 */
final class JoinToken
{
    private final byte[] digest;

    /**
     * @param token the expected token; not blank.
     */
    JoinToken(final String token)
    {
        requireNonNull(token, "joinToken");
        if (token.isBlank())
        {
            throw new IllegalArgumentException("joinToken: must not be empty");
        }
        this.digest = digest(token);
    }

    /**
     * @param presented the token presented; null when none.
     * @throws CertificateAuthorityException (UNAUTHENTICATED) if it is missing or wrong.
     */
    void authenticate(final String presented)
    {
        if (presented == null || !MessageDigest.isEqual(digest, digest(presented)))
        {
            throw new CertificateAuthorityException(Category.UNAUTHENTICATED, "the join token is missing or wrong");
        }
    }

    private static byte[] digest(final String token)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is missing from the JDK", ex);
        }
    }
}
