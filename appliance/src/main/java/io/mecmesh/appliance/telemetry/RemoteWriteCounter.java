package io.mecmesh.appliance.telemetry;

/**
 * What remote-write store-and-forward counts, exported as {@code mecmesh_remote_write_*} by {@code MetricsExport}.
 */
public enum RemoteWriteCounter
{
    /** Batches the receiver accepted (2xx). */
    BATCHES_SENT,
    /** Samples in those batches. */
    SAMPLES_SENT,
    /** Batches the receiver refused for good (4xx other than 429): dropped, since sending them again cannot help. */
    BATCHES_REJECTED,
    /** Samples in those batches. */
    SAMPLES_REJECTED,
    /** Batches dropped, oldest first, to keep the spool under {@code diskQuotaBytes}. */
    BATCHES_DROPPED,
    /** Samples in those batches. */
    SAMPLES_DROPPED,
    /** Attempts that failed and will be retried: receiver unreachable, timed out, 5xx or 429. */
    SEND_FAILURES,
    /** Collections that could not be spooled (disk full, unwritable directory): those samples are lost. */
    COLLECT_FAILURES
}
