package io.mecmesh.dataplane.lifecycle;

/**
 * Fired through every downstream pipeline when the data plane drains (shutdown): a connection with no request in
 * flight closes now; one with a request in flight answers it with {@code Connection: close} and closes after it.
 */
public final class DrainEvent
{
    /** The one instance; the event carries no data. */
    public static final DrainEvent INSTANCE = new DrainEvent();

    private DrainEvent()
    {
    }
}
