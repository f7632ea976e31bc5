package io.mecmesh.dataplane.policy;

import io.mecmesh.dataplane.error.DataPlaneException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicyTableTest
{
    static int sliceId(final int sst, final int sd)
    {
        return (sst << 24) | sd;
    }

    static SlicePolicy policy(final int sliceId, final int routeId)
    {
        return new SlicePolicy(sliceId, routeId, 1 + Math.floorMod(routeId, 127), routeId % 64, 1000L + routeId,
            2000L + routeId, 4096L + routeId, 1_000_000L * (routeId + 1), routeId % 4, routeId % 101, routeId % 7);
    }

    @Test
    void shouldFindEveryInsertedKeyWithItsFields()
    {
        final Random random = new Random(42);
        final Set<Long> keys = new HashSet<>();
        final List<SlicePolicy> policies = new ArrayList<>();
        while (policies.size() < 5000)
        {
            final SlicePolicy policy = policy(sliceId(random.nextInt(256), random.nextInt(0x100_0000)),
                random.nextInt(100_000));
            if (keys.add(policy.key()))
            {
                policies.add(policy);
            }
        }
        final PolicyTableWriter writer = new PolicyTableWriter(policies.size());
        policies.forEach(writer::add);
        final PolicyTable table = writer.build(7);

        assertThat(table.version()).isEqualTo(7);
        assertThat(table.recordCount()).isEqualTo(5000);
        final PolicyFlyweight flyweight = new PolicyFlyweight();
        for (final SlicePolicy policy : policies)
        {
            final int offset = table.find(policy.sliceId(), policy.routeId());
            assertThat(offset).as("offset of %s", policy).isNotEqualTo(PolicyTable.NOT_FOUND);
            assertThat(flyweight.wrap(table.buffer(), offset).toPolicy()).isEqualTo(policy);
        }
    }

    @Test
    void shouldMissKeysThatWereNotInserted()
    {
        final PolicyTable table = new PolicyTableWriter(4)
            .add(policy(sliceId(1, 0xA1), 1))
            .add(policy(sliceId(1, 0xA1), 2))
            .build(1);

        assertThat(table.find(sliceId(1, 0xA1), 3)).isEqualTo(PolicyTable.NOT_FOUND);
        assertThat(table.find(sliceId(1, 0xA2), 1)).isEqualTo(PolicyTable.NOT_FOUND);
        assertThat(table.find(sliceId(2, 0xA1), 1)).isEqualTo(PolicyTable.NOT_FOUND);
        assertThat(PolicyTable.empty().find(sliceId(1, 0xA1), 1)).isEqualTo(PolicyTable.NOT_FOUND);
        assertThat(table.lookup(sliceId(1, 0xA1), 3, new PolicyFlyweight())).isFalse();
    }

    @Test
    void shouldFallBackToTheSliceDefaultRecordWhenTheRouteHasNone()
    {
        final int slice = sliceId(2, 0xFF_FFFF);
        final PolicyTable table = new PolicyTableWriter(2)
            .add(policy(slice, SlicePolicy.SLICE_DEFAULT_ROUTE_ID))
            .add(policy(slice, 5))
            .build(1);
        final PolicyFlyweight flyweight = new PolicyFlyweight();

        assertThat(table.lookup(slice, 5, flyweight)).isTrue();
        assertThat(flyweight.routeId()).isEqualTo(5);
        assertThat(table.lookup(slice, 9, flyweight)).isTrue();
        assertThat(flyweight.routeId()).isEqualTo(SlicePolicy.SLICE_DEFAULT_ROUTE_ID);
    }

    @Test
    void shouldRefuseARecordBeyondCapacityNamingTheCapacityAndTheKey()
    {
        final PolicyTableWriter writer = new PolicyTableWriter(2)
            .add(policy(sliceId(1, 0xA1), 1))
            .add(policy(sliceId(1, 0xA1), 2));

        assertThatThrownBy(() -> writer.add(policy(sliceId(1, 0xA1), 3)))
            .isInstanceOf(DataPlaneException.class)
            .hasMessage("policy table is full: capacity 2 records, cannot add slice 1-0000a1 route 3"
                + " (build the table with a larger capacity)")
            .extracting(ex -> ((DataPlaneException)ex).category()).isEqualTo(DataPlaneException.Category.CONFIG);
    }

    @Test
    void shouldRefuseTwoRecordsForTheSameKey()
    {
        final PolicyTableWriter writer = new PolicyTableWriter(4).add(policy(sliceId(3, 0xFF_FFFF), 1));

        assertThatThrownBy(() -> writer.add(policy(sliceId(3, 0xFF_FFFF), 1)))
            .isInstanceOf(DataPlaneException.class)
            .hasMessage("policy table already has a record for slice 3 route 1");
    }

    @Test
    void shouldRejectInvalidRecordFieldsNamingTheField()
    {
        assertThatThrownBy(() -> new SlicePolicy(1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0))
            .hasMessage("priorityLevel: expected 1 to 127, got 0");
        assertThatThrownBy(() -> new SlicePolicy(1, 0, 1, 64, 0, 0, 0, 1, 0, 0, 0))
            .hasMessage("dscp: expected 0 to 63, got 64");
        assertThatThrownBy(() -> new SlicePolicy(1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0))
            .hasMessage("requestTimeoutNs: expected more than 0, got 0");
        assertThatThrownBy(() -> new SlicePolicy(1, -1, 1, 0, 0, 0, 0, 1, 0, 0, 0))
            .hasMessage("routeId: expected 0 (slice default) or more, got -1");
    }

    @Test
    void shouldLayOutEveryRecordOnItsOwnCacheLine()
    {
        final PolicyTable table = new PolicyTableWriter(3).add(policy(sliceId(1, 1), 1)).build(1);

        assertThat(PolicyTableDescriptor.RECORD_LENGTH).isEqualTo(64);
        assertThat(table.buffer().addressOffset() % PolicyTableDescriptor.ALIGNMENT).isZero();
        assertThat(table.slotCount()).isEqualTo(8);
        assertThat(table.buffer().capacity()).isEqualTo(PolicyTableDescriptor.tableLength(8));
        assertThat(table.buffer().getInt(PolicyTableDescriptor.MAGIC_OFFSET)).isEqualTo(PolicyTableDescriptor.MAGIC);
    }

    @Test
    void shouldNotAcceptRecordsAfterTheTableIsBuilt()
    {
        final PolicyTableWriter writer = new PolicyTableWriter(2);
        writer.build(1);

        assertThatThrownBy(() -> writer.add(policy(1, 1))).isInstanceOf(IllegalStateException.class);
    }
}
