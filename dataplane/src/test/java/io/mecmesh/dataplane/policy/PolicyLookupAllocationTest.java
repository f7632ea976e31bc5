package io.mecmesh.dataplane.policy;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyLookupAllocationTest
{
    private static final int LOOKUPS = 100_000;
    private static final int WARM_UP_ROUNDS = 20;
    private static final int MEASURED_ROUNDS = 5;

    @Test
    void shouldAllocateNothingWhenLookingUp100kPolicies()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        threads.setThreadAllocatedMemoryEnabled(true);
        final long threadId = Thread.currentThread().getId();

        final PolicyTableWriter writer = new PolicyTableWriter(1024);
        for (int route = 0; route < 1024; route++)
        {
            writer.add(PolicyTableTest.policy(PolicyTableTest.sliceId(1 + route % 4, 0xA1), route));
        }
        final PolicyTables tables = new PolicyTables();
        tables.publish(writer.build(3));
        final PolicyFlyweight flyweight = new PolicyFlyweight();

        for (int i = 0; i < WARM_UP_ROUNDS; i++)
        {
            lookUp(tables, flyweight);
        }
        final long calibrationStart = threads.getThreadAllocatedBytes(threadId);
        final long measuringCost = threads.getThreadAllocatedBytes(threadId) - calibrationStart;

        // A lookup that allocated even one 16-byte object would show as at least 1.6 MB per round. What the JVM
        // itself may charge to the thread now and then (a deoptimization, an OSR transition: tens of bytes) is
        // kept apart by requiring every round under 1 KiB and at least one round at exactly zero.
        long fewest = Long.MAX_VALUE;
        long most = 0;
        long checksum = 0;
        for (int round = 0; round < MEASURED_ROUNDS; round++)
        {
            final long before = threads.getThreadAllocatedBytes(threadId);
            checksum += lookUp(tables, flyweight);
            final long allocated = threads.getThreadAllocatedBytes(threadId) - before - measuringCost;
            fewest = Math.min(fewest, allocated);
            most = Math.max(most, allocated);
        }

        assertThat(checksum).isPositive();
        assertThat(most).as("bytes allocated by the worst round of %d lookups", LOOKUPS).isLessThan(1024);
        assertThat(fewest).as("bytes allocated by the best round of %d lookups", LOOKUPS).isZero();
    }

    private static long lookUp(final PolicyTables tables, final PolicyFlyweight flyweight)
    {
        long checksum = 0;
        for (int i = 0; i < LOOKUPS; i++)
        {
            final int route = i & 2047;
            final PolicyTable table = tables.current();
            if (table.lookup(PolicyTableTest.sliceId(1 + route % 4, 0xA1), route, flyweight))
            {
                checksum += flyweight.requestTimeoutNs() + flyweight.maxRetries();
            }
        }
        return checksum;
    }
}
