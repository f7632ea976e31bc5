package io.mecmesh.dataplane.upstream;

/**
 * One timer an exchange owns for its whole life (request timeout, per-try timeout, retry backoff): a node of a
 * {@link DeadlineWheel}, armed and disarmed as often as needed without allocating. Confined to the event loop of
 * its wheel.
 */
abstract class Deadline
{
    /** {@link #bucket} of a deadline that is not armed. */
    static final int DISARMED = -1;

    Deadline prev;
    Deadline next;
    long deadlineNs;
    int bucket = DISARMED;

    /**
     * @return true while armed (not yet expired, not disarmed).
     */
    final boolean isArmed()
    {
        return bucket != DISARMED;
    }

    /**
     * Called once by the wheel when the deadline passed; it is disarmed by then and may be armed again.
     */
    abstract void onExpired();
}
