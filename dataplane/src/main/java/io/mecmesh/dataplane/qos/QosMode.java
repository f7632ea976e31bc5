package io.mecmesh.dataplane.qos;

/** What a slice does with a request over its rate. */
public enum QosMode
{
    /** Refuse it at once: 429 with Retry-After. */
    POLICE,
    /** Hold it in the shaping queue (by priority) up to the slice's maximum shaping wait, then police it. */
    SHAPE
}
