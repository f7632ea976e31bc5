package io.mecmesh.slicemanager.model;

/**
 * A slice's maximum and guaranteed bit rates per direction, in bits per second; 0 means "none". Uplink is towards
 * the service (the caller's requests), downlink back to the caller.
 *
 * @param mbrUplinkBps   maximum uplink bit rate, 0 for not limited.
 * @param mbrDownlinkBps maximum downlink bit rate, 0 for not limited.
 * @param gbrUplinkBps   guaranteed uplink bit rate, 0 for none; not above the uplink MBR when that is set.
 * @param gbrDownlinkBps guaranteed downlink bit rate, 0 for none; not above the downlink MBR when that is set.
 */
public record BitRates(long mbrUplinkBps, long mbrDownlinkBps, long gbrUplinkBps, long gbrDownlinkBps)
{
    /** No maximum and no guarantee. */
    public static final BitRates NONE = new BitRates(0, 0, 0, 0);

    /** 100 Tbit/s: a sanity bound that catches unit mistakes (bytes vs bits, kbit vs bit) only at the far end. */
    private static final long MAX_BPS = 100_000_000_000_000L;

    public BitRates
    {
        Checks.requireRange("mbrUplinkBps", mbrUplinkBps, 0, MAX_BPS);
        Checks.requireRange("mbrDownlinkBps", mbrDownlinkBps, 0, MAX_BPS);
        Checks.requireRange("gbrUplinkBps", gbrUplinkBps, 0, MAX_BPS);
        Checks.requireRange("gbrDownlinkBps", gbrDownlinkBps, 0, MAX_BPS);
        if (mbrUplinkBps > 0 && gbrUplinkBps > mbrUplinkBps)
        {
            throw new IllegalArgumentException("gbrUplinkBps: " + gbrUplinkBps + " is above mbrUplinkBps "
                + mbrUplinkBps);
        }
        if (mbrDownlinkBps > 0 && gbrDownlinkBps > mbrDownlinkBps)
        {
            throw new IllegalArgumentException("gbrDownlinkBps: " + gbrDownlinkBps + " is above mbrDownlinkBps "
                + mbrDownlinkBps);
        }
    }

    /**
     * Whether any guaranteed bit rate is set.
     *
     * @return true if either GBR is more than 0.
     */
    public boolean hasGbr()
    {
        return gbrUplinkBps > 0 || gbrDownlinkBps > 0;
    }
}
