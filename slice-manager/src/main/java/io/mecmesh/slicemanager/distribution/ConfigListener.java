package io.mecmesh.slicemanager.distribution;

/**
 * What a {@link ConfigSubscriberAdapter} hands to the node side, on the thread that polls it.
 */
public interface ConfigListener
{
    /**
     * A CONFIG for this node whose MAC verified. Its hash, version and content are not checked yet.
     *
     * @param version the configuration version.
     * @param sha256  the SHA-256 the message claims for the payload.
     * @param payload the payload (a copy, owned by the callee).
     */
    void onConfig(long version, byte[] sha256, byte[] payload);

    /**
     * A CONFIG naming this node whose MAC did not verify: nothing in it can be trusted but must be reported.
     *
     * @param claimedVersion the version it claims.
     */
    void onBadMac(long claimedVersion);
}
