package io.mecmesh.slicemanager.distribution;

/**
 * Every outcome of configuration distribution, on the slice-manager side (publisher) and on the node side (node
 * agent). One enum for both so that {@code /metrics} exports one family; each side increments only its own.
 */
public enum DistributionCounter
{
    /** Publisher: a CONFIG message was offered successfully (first send, resend or catch-up answer). */
    CONFIG_SENT,
    /** Publisher: a CONFIG was resent because it was not acknowledged within the resend interval. */
    CONFIG_RESENT,
    /** Publisher: a timed resend waited for the resend rate limit (counted once per wait and node). */
    CONFIG_RESEND_DEFERRED,
    /** Publisher: offering a CONFIG failed (not connected, back pressure, admin action); it is retried. */
    CONFIG_SEND_FAILED,
    /** Publisher: a configuration larger than the publication's maximum message length; it is never sent. */
    CONFIG_TOO_LARGE,
    /** Publisher: a held configuration signed again after a signing-key change (sent again at its version). */
    CONFIG_RESIGNED,
    /** Publisher: a configuration not newer than the one already held for its node; ignored. */
    CONFIG_NOT_NEWER_IGNORED,
    /** Publisher: a node acknowledged a version as applied. */
    ACK_ACCEPTED_RECEIVED,
    /** Publisher: a node reported that it rejected a version. */
    ACK_REJECTED_RECEIVED,
    /** Publisher: a node asked for its latest configuration. */
    CATCH_UP_RECEIVED,
    /** Publisher: a catch-up request from a node the publisher holds no configuration for. */
    CATCH_UP_UNKNOWN_NODE,
    /** Publisher: a node's heartbeat (refreshes its last contact in {@code mecmesh status}). */
    HEARTBEAT_RECEIVED,

    /** Both sides: a message that is not a well-formed distribution message (size, magic, layout, type). */
    MESSAGE_MALFORMED,
    /** Both sides: a message whose HMAC does not verify with the shared key; dropped (node: reported). */
    MESSAGE_BAD_MAC,

    /** Node: a configuration validated, persisted as last known good and applied. */
    CONFIG_APPLIED,
    /** Node: the configuration already applied arrived again (a resend); acknowledged again, nothing changed. */
    CONFIG_DUPLICATE,
    /** Node: rejected, the SHA-256 in the message does not match its payload. */
    CONFIG_REJECTED_HASH_MISMATCH,
    /** Node: rejected, the version is not newer than the one applied. */
    CONFIG_REJECTED_VERSION_NOT_NEWER,
    /** Node: rejected, the payload does not decode or the decoded configuration is invalid or for another node. */
    CONFIG_REJECTED_INVALID,
    /** Node: rejected, the last known good file could not be written. */
    CONFIG_REJECTED_PERSIST_FAILED,
    /** Node: rejected, the data plane refused the configuration (the previous last known good was restored). */
    CONFIG_REJECTED_APPLY_FAILED,
    /** Node: a message for this node failed its MAC check and was rejected. */
    CONFIG_REJECTED_BAD_MAC,
    /** Node: rejected, no signature by a trusted configuration-signing key verifies (forged, altered, unknown key). */
    CONFIG_REJECTED_BAD_SIGNATURE,
    /** Node: a configuration-signing key was pinned (first authenticated contact, or co-signed during a rotation). */
    SIGNING_KEY_PINNED,
    /** Node: an ACK was offered successfully. */
    ACK_SENT,
    /** Node: offering an ACK failed; it is retried. */
    ACK_SEND_FAILED,
    /** Node: a catch-up request was offered successfully. */
    CATCH_UP_SENT,
    /** Node: a heartbeat was offered successfully. */
    HEARTBEAT_SENT,
    /** Node: a duty cycle came more than two heartbeat intervals after the previous one; a catch-up follows. */
    STALL_DETECTED,
    /** Node: the last known good configuration was loaded and applied at start. */
    LKG_LOADED,
    /** Node: the current last known good file was unusable and the previous one was loaded instead. */
    LKG_LOADED_PREVIOUS,
    /** Node: a last known good file failed its integrity check or did not decode (one per file). */
    LKG_CORRUPT,
    /** Node: no last known good file was usable at start (none, or all corrupt); nothing was applied. */
    LKG_NONE_USABLE,
    /** Node: a last known good file whose signature does not verify with a trusted key was refused (one per file). */
    LKG_REFUSED_SIGNATURE;

    /**
     * @param publisher {@code true} for the slice manager's side, {@code false} for a node's.
     * @return whether that side ever counts this outcome (the export leaves the other side's out).
     */
    public boolean isCountedBy(final boolean publisher)
    {
        if (this == MESSAGE_MALFORMED || this == MESSAGE_BAD_MAC)
        {
            return true;
        }
        return publisher == ordinal() < MESSAGE_MALFORMED.ordinal();
    }
}
