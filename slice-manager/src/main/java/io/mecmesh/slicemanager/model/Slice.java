package io.mecmesh.slicemanager.model;

import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A network slice as the mesh enforces it: its S-NSSAI, its QoS (from its 5QI), its bit rates, the DSCP its traffic is
 * marked with, and the rules that put traffic into it. Build one with {@link #builder(Snssai, String, FiveQi)}, which
 * derives the priority level and DSCP from the 5QI.
 *
 * @param snssai         the slice's identifier.
 * @param name           a name for operators and metrics (lower-case DNS label).
 * @param fiveQi         the 5QI row, as resolved from the operator's 5QI table when the slice was defined.
 * @param priorityLevel  the priority level, 1 (highest) to 127; the 5QI's default unless overridden.
 * @param bitRates       MBR and GBR per direction; a GBR needs a GBR or delay-critical GBR 5QI.
 * @param dscp           the DSCP, 0 to 63; from the DSCP table unless overridden.
 * @param classification the rules that put traffic into the slice (any one matching is enough).
 * @param authorization  which mesh callers may call the slice's services, for each service that sets no
 *                       {@code allowedCallerPrefixes} of its own ({@link AuthorizationPolicy#ANY_AUTHENTICATED} by
 *                       default).
 * @param qos            police or shape, requests/s, shaping wait, priority weight ({@link SliceQos#DEFAULT}).
 */
public record Slice(
    Snssai snssai,
    String name,
    FiveQi fiveQi,
    int priorityLevel,
    BitRates bitRates,
    int dscp,
    List<ClassificationRule> classification,
    AuthorizationPolicy authorization,
    SliceQos qos)
{
    public Slice
    {
        requireNonNull(snssai, "snssai");
        requireNonNull(qos, "qos");
        Checks.requireName("name", name);
        requireNonNull(fiveQi, "fiveQi");
        requireNonNull(bitRates, "bitRates");
        classification = List.copyOf(requireNonNull(classification, "classification"));
        requireNonNull(authorization, "authorization");
        Checks.requireRange("priorityLevel", priorityLevel, 1, 127);
        Checks.requireRange("dscp", dscp, 0, 63);
        if (bitRates.hasGbr() && !fiveQi.resourceType().isGbr())
        {
            throw new IllegalArgumentException("bitRates: a guaranteed bit rate needs a GBR 5QI; 5QI "
                + fiveQi.value() + " is " + fiveQi.resourceType().text());
        }
    }

    /**
     * A slice with the default QoS settings ({@link SliceQos#DEFAULT}).
     *
     * @param snssai         the slice's identifier.
     * @param name           its name.
     * @param fiveQi         the 5QI row.
     * @param priorityLevel  the priority level.
     * @param bitRates       MBR and GBR per direction.
     * @param dscp           the DSCP.
     * @param classification the rules that put traffic into the slice.
     * @param authorization  which mesh callers may call the slice's services.
     */
    public Slice(final Snssai snssai, final String name, final FiveQi fiveQi, final int priorityLevel,
        final BitRates bitRates, final int dscp, final List<ClassificationRule> classification,
        final AuthorizationPolicy authorization)
    {
        this(snssai, name, fiveQi, priorityLevel, bitRates, dscp, classification, authorization, SliceQos.DEFAULT);
    }

    /**
     * The packet delay budget, from the 5QI.
     *
     * @return the one-way budget in milliseconds.
     */
    public int packetDelayBudgetMs()
    {
        return fiveQi.packetDelayBudgetMs();
    }

    /**
     * Starts a slice whose priority level and DSCP are derived from its 5QI.
     *
     * @param snssai the S-NSSAI.
     * @param name   the name.
     * @param fiveQi the 5QI row (from {@link FiveQiTable#get(int)}).
     * @return the builder.
     */
    public static Builder builder(final Snssai snssai, final String name, final FiveQi fiveQi)
    {
        return new Builder(snssai, name, fiveQi);
    }

    /**
     * Collects a slice's optional settings; {@link #build()} derives what was not set and validates the whole.
     */
    public static final class Builder
    {
        private final Snssai snssai;
        private final String name;
        private final FiveQi fiveQi;
        private final List<ClassificationRule> classification = new ArrayList<>();
        private int priorityLevel;
        private BitRates bitRates = BitRates.NONE;
        private int dscp = -1;
        private DscpTable dscpTable = DscpTable.defaultTable();
        private AuthorizationPolicy authorization = AuthorizationPolicy.ANY_AUTHENTICATED;
        private SliceQos qos = SliceQos.DEFAULT;

        private Builder(final Snssai snssai, final String name, final FiveQi fiveQi)
        {
            this.snssai = requireNonNull(snssai, "snssai");
            this.name = requireNonNull(name, "name");
            this.fiveQi = requireNonNull(fiveQi, "fiveQi");
            this.priorityLevel = fiveQi.priorityLevel();
        }

        /**
         * Overrides the 5QI's default priority level.
         *
         * @param priorityLevel 1 (highest) to 127.
         * @return this builder.
         */
        public Builder priorityLevel(final int priorityLevel)
        {
            this.priorityLevel = priorityLevel;
            return this;
        }

        public Builder bitRates(final BitRates bitRates)
        {
            this.bitRates = requireNonNull(bitRates, "bitRates");
            return this;
        }

        /**
         * Sets the DSCP explicitly instead of taking it from the DSCP table.
         *
         * @param dscp 0 to 63.
         * @return this builder.
         */
        public Builder dscp(final int dscp)
        {
            this.dscp = Checks.requireRange("dscp", dscp, 0, 63);
            return this;
        }

        /**
         * The operator's 5QI-to-DSCP table ({@link DscpTable#defaultTable()} unless set).
         *
         * @param dscpTable the table.
         * @return this builder.
         */
        public Builder dscpTable(final DscpTable dscpTable)
        {
            this.dscpTable = requireNonNull(dscpTable, "dscpTable");
            return this;
        }

        /**
         * Which mesh callers may call the slice's services that set no callers of their own.
         *
         * @param authorization the allowed caller prefixes.
         * @return this builder.
         */
        public Builder authorization(final AuthorizationPolicy authorization)
        {
            this.authorization = requireNonNull(authorization, "authorization");
            return this;
        }

        /**
         * How the nodes admit the slice's requests ({@link SliceQos#DEFAULT} unless set).
         *
         * @param qos the settings.
         * @return this builder.
         */
        public Builder qos(final SliceQos qos)
        {
            this.qos = requireNonNull(qos, "qos");
            return this;
        }

        public Builder classify(final ClassificationRule rule)
        {
            classification.add(requireNonNull(rule, "rule"));
            return this;
        }

        public Slice build()
        {
            return new Slice(snssai, name, fiveQi, priorityLevel, bitRates, dscp >= 0 ? dscp : dscpTable.dscpFor(fiveQi),
                classification, authorization, qos);
        }
    }
}
