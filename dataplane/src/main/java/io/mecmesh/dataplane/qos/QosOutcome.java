package io.mecmesh.dataplane.qos;

/** What the admit stage decided for a request; each is counted per slice in {@link SliceQosStats}. */
public enum QosOutcome
{
    /** Forwarded (at once, or after waiting in the shaping queue). */
    ADMITTED,
    /** Over the slice's request rate: 429 with Retry-After (at once, or after the maximum shaping wait). */
    POLICED,
    /** Held in the shaping queue before its turn (counted when it enters the queue). */
    SHAPED,
    /** A GBR request refused because the node's admitted GBR would exceed its link capacity: 503. */
    REFUSED_GBR,
    /** Refused because the event loop's shaping queue was full: 429. */
    REFUSED_QUEUE_FULL,
    /** Its delay budget (the policy record's request timeout) passed while it waited: 504, never forwarded. */
    EXPIRED
}
