package io.mecmesh.slicemanager.distribution;

/**
 * Why a node rejected a configuration, as carried in an ACK's reason byte. Codes are part of the wire layout
 * ({@link DistributionMessageDescriptor}): never renumber, only add.
 */
public enum RejectReason
{
    /** Not rejected: the ACK reports an applied version. */
    NONE(0, DistributionCounter.CONFIG_APPLIED),
    /** The message's HMAC did not verify with the shared key. */
    BAD_MAC(1, DistributionCounter.CONFIG_REJECTED_BAD_MAC),
    /** The SHA-256 in the message does not match its payload. */
    HASH_MISMATCH(2, DistributionCounter.CONFIG_REJECTED_HASH_MISMATCH),
    /** The version is older than the applied one, or equal with another content. */
    VERSION_NOT_NEWER(3, DistributionCounter.CONFIG_REJECTED_VERSION_NOT_NEWER),
    /** The payload does not decode, or decodes to an invalid configuration or one for another node or version. */
    INVALID(4, DistributionCounter.CONFIG_REJECTED_INVALID),
    /** The last known good file could not be written. */
    PERSIST_FAILED(5, DistributionCounter.CONFIG_REJECTED_PERSIST_FAILED),
    /** The data plane refused the configuration. */
    APPLY_FAILED(6, DistributionCounter.CONFIG_REJECTED_APPLY_FAILED),
    /** No signature by a configuration-signing key the node trusts verifies. */
    BAD_SIGNATURE(7, DistributionCounter.CONFIG_REJECTED_BAD_SIGNATURE);

    private static final RejectReason[] BY_CODE = values();

    private final int code;
    private final DistributionCounter counter;

    RejectReason(final int code, final DistributionCounter counter)
    {
        this.code = code;
        this.counter = counter;
    }

    /**
     * @return the wire code, 0 to 255.
     */
    public int code()
    {
        return code;
    }

    /**
     * @return the node-side counter of this outcome.
     */
    public DistributionCounter counter()
    {
        return counter;
    }

    /**
     * @param code a wire code.
     * @return the reason, or {@code null} for a code this version does not know.
     */
    static RejectReason fromCode(final int code)
    {
        for (final RejectReason reason : BY_CODE)
        {
            if (reason.code == code)
            {
                return reason;
            }
        }
        return null;
    }
}
