package io.mecmesh.slicemanager.identity;

import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.slicemanager.ca.SigningService;

import java.nio.file.Path;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * Settings of the node identity client.
 *
 * @param trustDomain  the mesh's trust domain.
 * @param site         this node's site.
 * @param nodeId       this node's id; the SPIFFE id is {@code spiffe://<trustDomain>/site/<site>/node/<nodeId>}.
 * @param directory    where the key, chain and bundle are persisted (created 0700 if missing; files 0600).
 * @param retryInitial the first delay before retrying a failed renewal (default 1 s); doubled on each failure.
 * @param retryMax     the longest delay between retries (default 30 s).
 */
public record NodeIdentityConfig(String trustDomain, String site, String nodeId, Path directory,
    Duration retryInitial, Duration retryMax)
{
    /** Default first retry delay. */
    public static final Duration DEFAULT_RETRY_INITIAL = Duration.ofSeconds(1);
    /** Default longest retry delay. */
    public static final Duration DEFAULT_RETRY_MAX = Duration.ofSeconds(30);

    public NodeIdentityConfig
    {
        requireNonNull(trustDomain, "trustDomain");
        requireNonNull(site, "site");
        requireNonNull(nodeId, "nodeId");
        requireNonNull(directory, "directory");
        requireNonNull(retryInitial, "retryInitial");
        requireNonNull(retryMax, "retryMax");
        if (retryInitial.isNegative() || retryInitial.isZero())
        {
            throw new IllegalArgumentException("retryInitial: must be positive, got " + retryInitial);
        }
        if (retryMax.compareTo(retryInitial) < 0)
        {
            throw new IllegalArgumentException("retryMax: must be at least retryInitial (" + retryInitial + "), got "
                + retryMax);
        }
        SigningService.nodeSpiffeId(trustDomain, site, nodeId);
    }

    /**
     * With the default retry delays.
     *
     * @param trustDomain the mesh's trust domain.
     * @param site        this node's site.
     * @param nodeId      this node's id.
     * @param directory   where the identity is persisted.
     */
    public NodeIdentityConfig(final String trustDomain, final String site, final String nodeId, final Path directory)
    {
        this(trustDomain, site, nodeId, directory, DEFAULT_RETRY_INITIAL, DEFAULT_RETRY_MAX);
    }

    /**
     * @return {@code spiffe://<trustDomain>/site/<site>/node/<nodeId>}.
     */
    public SpiffeId spiffeId()
    {
        return SigningService.nodeSpiffeId(trustDomain, site, nodeId);
    }
}
