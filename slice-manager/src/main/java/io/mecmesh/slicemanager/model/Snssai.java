package io.mecmesh.slicemanager.model;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A network slice's identifier, the S-NSSAI (3GPP TS 23.003 §28.4.2, TS 29.571 {@code Snssai}): an 8-bit slice/service
 * type (SST; 0-127 standardized: 1 eMBB, 2 URLLC, 3 MIoT, 4 V2X, 5 HMTC; 128-255 operator specific) and an optional
 * 24-bit slice differentiator (SD). {@link #NO_SD} ({@code FFFFFF}) means "no SD", as in the standard. Text form:
 * {@code 1-0000a1}, or {@code 1} without SD.
 *
 * @param sst the slice/service type, 0 to 255.
 * @param sd  the slice differentiator, 0 to {@code 0xFFFFFE}, or {@link #NO_SD}.
 */
public record Snssai(int sst, int sd) implements Comparable<Snssai>
{
    /** The SD value that means "this S-NSSAI has no SD". */
    public static final int NO_SD = 0xFF_FFFF;

    private static final Pattern TEXT = Pattern.compile("(\\d{1,3})(?:-([0-9A-Fa-f]{6}))?");

    public Snssai
    {
        Checks.requireRange("sst", sst, 0, 255);
        if (sd < 0 || sd > NO_SD)
        {
            throw new IllegalArgumentException("sd: expected 24 bits (000000 to FFFFFF, FFFFFF for none), got " + sd);
        }
    }

    /**
     * An S-NSSAI without SD.
     *
     * @param sst the slice/service type.
     * @return the S-NSSAI.
     */
    public static Snssai of(final int sst)
    {
        return new Snssai(sst, NO_SD);
    }

    /**
     * An S-NSSAI with an SD in its 6-hex-digit form.
     *
     * @param sst the slice/service type.
     * @param sd  six hex digits, as in TS 29.571 ({@code ^[A-Fa-f0-9]{6}$}).
     * @return the S-NSSAI.
     */
    public static Snssai of(final int sst, final String sd)
    {
        requireNonNull(sd, "sd");
        if (!sd.matches("[0-9A-Fa-f]{6}"))
        {
            throw new IllegalArgumentException("sd: expected 6 hex digits such as 0000a1, got \"" + sd + "\"");
        }
        return new Snssai(sst, Integer.parseInt(sd, 16));
    }

    /**
     * Parses the text form {@code SST} or {@code SST-SD}, e.g. {@code 1-0000a1}.
     *
     * @param text the text.
     * @return the S-NSSAI.
     * @throws IllegalArgumentException naming the field {@code snssai}.
     */
    public static Snssai parse(final String text)
    {
        requireNonNull(text, "snssai");
        final Matcher matcher = TEXT.matcher(text);
        if (!matcher.matches())
        {
            throw new IllegalArgumentException(
                "snssai: expected SST or SST-SD (SST 0-255, SD 6 hex digits) such as 1-0000a1, got \"" + text + "\"");
        }
        final int sst = Integer.parseInt(matcher.group(1));
        if (sst > 255)
        {
            throw new IllegalArgumentException("snssai: SST expected 0 to 255, got " + sst + " in \"" + text + "\"");
        }
        return matcher.group(2) == null ? of(sst) : of(sst, matcher.group(2));
    }

    /**
     * Whether this S-NSSAI has an SD.
     *
     * @return false when the SD is {@link #NO_SD}.
     */
    public boolean hasSd()
    {
        return sd != NO_SD;
    }

    /**
     * The SD as six lower-case hex digits.
     *
     * @return the SD, or empty without SD.
     */
    public Optional<String> sdHex()
    {
        return hasSd() ? Optional.of(String.format("%06x", sd)) : Optional.empty();
    }

    /**
     * The S-NSSAI packed in 32 bits, {@code sst << 24 | sd}: the slice id of the data plane's policy table.
     *
     * @return the slice id.
     */
    public int sliceId()
    {
        return (sst << 24) | sd;
    }

    @Override
    public int compareTo(final Snssai other)
    {
        final int bySst = Integer.compare(sst, other.sst);
        return bySst != 0 ? bySst : Integer.compare(sd, other.sd);
    }

    @Override
    public String toString()
    {
        return hasSd() ? sst + "-" + String.format("%06x", sd) : Integer.toString(sst);
    }
}
