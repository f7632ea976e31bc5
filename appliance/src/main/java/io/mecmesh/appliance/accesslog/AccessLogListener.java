package io.mecmesh.appliance.accesslog;

import io.mecmesh.dataplane.accesslog.AccessLogRecord;

/**
 * Told of every record the access-log agent drains from the ring, on the agent's thread, before the record is
 * written to the queue (if the queue is on). The record is a view over the ring: valid only during the call.
 */
@FunctionalInterface
public interface AccessLogListener
{
    /** Does nothing. */
    AccessLogListener NONE = record ->
    {
    };

    /**
     * @param record the drained record (a view, valid during the call only).
     */
    void onRecord(AccessLogRecord record);
}
