package io.mecmesh.perf.controlplane;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The smoke profile of the apply-to-acknowledgement benchmark: a few nodes and applies, so that it keeps wiring the
 * real journal, compiler, publisher and node agents together. No figure is asserted, only that every apply reached
 * every node exactly once and was acknowledged.
 */
class ApplyToAckBenchmarkTest
{
    private static final int NODES = 5;
    private static final int WARMUP = 2;
    private static final int APPLIES = 6;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldApplyEveryChangeOnEveryNodeOnceAndRecordEveryApply()
    {
        final ApplyToAckBenchmark.Result result = ApplyToAckBenchmark.run(
            new ApplyToAckBenchmark.Settings(NODES, 2, 1, WARMUP, APPLIES, 2, null, 20));

        assertThat(result.nodesPerApply()).as("one slice: every apply changes every node").isEqualTo(NODES);
        assertThat(result.services()).isEqualTo(NODES * 2);
        assertThat(result.configsApplied()).as("each node applied each change once")
            .isEqualTo((long)NODES * (WARMUP + APPLIES));
        assertThat(result.configBytes()).isPositive();
        final ApplyToAckBenchmark.Percentiles total = result.applyToLastAck();
        assertThat(total.p50Us()).isPositive().isLessThanOrEqualTo(total.p99Us());
        assertThat(total.p99Us()).isLessThanOrEqualTo(total.maxUs());
        assertThat(result.compile().p50Us()).isLessThanOrEqualTo(total.maxUs());
        assertThat(result.summary()).contains("last of " + NODES + " nodes", APPLIES + " applies after " + WARMUP);
    }

    @Test
    void shouldRefuseSettingsThatCannotRunNamingTheField()
    {
        assertThatThrownBy(() -> new ApplyToAckBenchmark.Settings(2, 1, 3, 0, 1, 1,
            null, 1)).hasMessageContaining("slices");
        assertThatThrownBy(() -> new ApplyToAckBenchmark.Settings(2, 1, 1, 0, 0, 1,
            null, 1)).hasMessageContaining("applies");
    }
}
