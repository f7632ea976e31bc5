package io.mecmesh.dataplane.qos;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's guaranteed-bit-rate admission: a GBR flow (an L7 request or stream, an L4 connection) is admitted only
 * while the sum of the guaranteed rates admitted on the node, its own included, fits the node's link capacity
 * ({@code qos.linkCapacityBps}). Each admitted flow releases its rate exactly once when it ends. A capacity of 0 means
 * none configured: every flow is admitted (and counted), so that GBR slices compiled before a node declares its
 * capacity keep their traffic. Thread-safe (one compare-and-set per admission); allocates nothing.
 */
public final class GbrAdmission
{
    private volatile long capacityBps;
    private final AtomicLong admittedBps = new AtomicLong();

    /**
     * @param capacityBps the link capacity in bits per second; 0 for none configured (admission off).
     */
    public GbrAdmission(final long capacityBps)
    {
        if (capacityBps < 0)
        {
            throw new IllegalArgumentException("capacityBps: expected 0 or more, got " + capacityBps);
        }
        this.capacityBps = capacityBps;
    }

    /**
     * @param gbrBps the flow's guaranteed rate (uplink plus downlink), more than 0.
     * @return true if admitted: the caller must {@link #release} it once; false if it does not fit.
     */
    public boolean tryAdmit(final long gbrBps)
    {
        while (true)
        {
            final long admitted = admittedBps.get();
            final long capacity = capacityBps;
            if (capacity > 0 && admitted + gbrBps > capacity)
            {
                return false;
            }
            if (admittedBps.compareAndSet(admitted, admitted + gbrBps))
            {
                return true;
            }
        }
    }

    /**
     * @param gbrBps the rate of a flow this admission admitted.
     */
    public void release(final long gbrBps)
    {
        admittedBps.addAndGet(-gbrBps);
    }

    /**
     * Sets another capacity (a new configuration); flows admitted stay admitted, new ones are checked against it.
     *
     * @param newCapacityBps the link capacity in bits per second, 0 or more.
     */
    public void capacityBps(final long newCapacityBps)
    {
        if (newCapacityBps < 0)
        {
            throw new IllegalArgumentException("capacityBps: expected 0 or more, got " + newCapacityBps);
        }
        capacityBps = newCapacityBps;
    }

    public long capacityBps()
    {
        return capacityBps;
    }

    /**
     * @return the guaranteed rate admitted now, in bits per second.
     */
    public long admittedBps()
    {
        return admittedBps.get();
    }
}
