package io.mecmesh.appliance.config;

import java.nio.file.Path;

import static java.util.Objects.requireNonNull;

/**
 * The access log ({@code accessLog} in appliance.yaml): one record per request, kept in a Chronicle Queue.
 *
 * @param enabled        whether records are written at all.
 * @param directory      the queue's directory ({@code <dataDirectory>/access-log} unless set).
 * @param retentionHours hourly files older than this are deleted.
 * @param maxBytes       the most the queue's files may take; beyond it the oldest hourly files are deleted (the
 *                       file being written is always kept).
 */
public record AccessLogConfig(boolean enabled, Path directory, long retentionHours, long maxBytes)
{
    public static final String DEFAULT_DIRECTORY_NAME = "access-log";
    public static final long DEFAULT_RETENTION_HOURS = 24;
    public static final long MIN_RETENTION_HOURS = 1;
    public static final long MAX_RETENTION_HOURS = 24L * 366;
    public static final long DEFAULT_MAX_BYTES = 1L << 30;
    public static final long MIN_MAX_BYTES = 1L << 20;
    public static final long MAX_MAX_BYTES = 1L << 44;

    public AccessLogConfig
    {
        requireNonNull(directory, "directory");
        if (retentionHours < MIN_RETENTION_HOURS || retentionHours > MAX_RETENTION_HOURS)
        {
            throw new IllegalArgumentException("retentionHours: expected " + MIN_RETENTION_HOURS + " to "
                + MAX_RETENTION_HOURS + ", got " + retentionHours);
        }
        if (maxBytes < MIN_MAX_BYTES || maxBytes > MAX_MAX_BYTES)
        {
            throw new IllegalArgumentException("maxBytes: expected " + MIN_MAX_BYTES + " to " + MAX_MAX_BYTES
                + ", got " + maxBytes);
        }
    }

    /**
     * @param dataDirectory the appliance's data directory.
     * @return no access log (the default), with the default directory under {@code dataDirectory}.
     */
    public static AccessLogConfig disabled(final Path dataDirectory)
    {
        return new AccessLogConfig(false, dataDirectory.resolve(DEFAULT_DIRECTORY_NAME), DEFAULT_RETENTION_HOURS,
            DEFAULT_MAX_BYTES);
    }
}
