package io.mecmesh.appliance.accesslog;

import io.mecmesh.dataplane.accesslog.AccessLogRecord;

import java.util.List;

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

    /**
     * Called once per duty cycle of the agent, records or not (a listener that batches sends from here).
     *
     * @param nowMs the agent's clock, epoch milliseconds.
     * @return the work done (0 when idle).
     */
    default int doWork(final long nowMs)
    {
        return 0;
    }

    /** The agent stops: what is still batched may be sent (the last call). */
    default void onClose()
    {
    }

    /**
     * @param listeners told in this order.
     * @return one listener telling each of {@code listeners}.
     */
    static AccessLogListener all(final List<AccessLogListener> listeners)
    {
        final AccessLogListener[] each = listeners.toArray(new AccessLogListener[0]);
        if (each.length == 1)
        {
            return each[0];
        }
        return new AccessLogListener()
        {
            @Override
            public void onRecord(final AccessLogRecord record)
            {
                for (final AccessLogListener listener : each)
                {
                    listener.onRecord(record);
                }
            }

            @Override
            public int doWork(final long nowMs)
            {
                int work = 0;
                for (final AccessLogListener listener : each)
                {
                    work += listener.doWork(nowMs);
                }
                return work;
            }

            @Override
            public void onClose()
            {
                for (final AccessLogListener listener : each)
                {
                    listener.onClose();
                }
            }
        };
    }
}
