package io.mecmesh.dataplane.cluster;

/**
 * How a cluster picks an endpoint among the healthy ones of its preferred locality.
 */
public enum LbPolicy
{
    /** In turn. */
    ROUND_ROBIN,
    /** Power of two choices: of two endpoints drawn at random, the one with the lower (active + 1) × EWMA latency. */
    LEAST_REQUEST,
    /** Consistent hashing of a request header on a ring (the same value goes to the same endpoint). */
    RING_HASH
}
