package io.mecmesh.dataplane.policy;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyTablesConcurrencyTest
{
    private static final int ROUTES = 64;
    private static final int SLICE = PolicyTableTest.sliceId(2, 0xB2);
    private static final long MAX_DURATION_NS = 2_000_000_000L;
    private static final int MAX_SWAPS = 20_000;

    /** Every field of a generation-g record is derived from g and the route, so a mix of two generations shows. */
    private static SlicePolicy generation(final long g, final int route)
    {
        final int small = (int)(g % 100);
        return new SlicePolicy(SLICE, route, 1 + small, small % 64, g * 1000 + route, g * 2000 + route,
            g * 3000 + route, g * 4000 + route + 1, small % 11, small, small + route);
    }

    private static PolicyTable table(final long g)
    {
        final PolicyTableWriter writer = new PolicyTableWriter(ROUTES);
        for (int route = 1; route <= ROUTES; route++)
        {
            writer.add(generation(g, route));
        }
        return writer.build(g);
    }

    @Test
    void shouldNeverShowReadersATornRecordWhileTablesAreSwapped() throws InterruptedException
    {
        final PolicyTables tables = new PolicyTables();
        tables.publish(table(1));
        final AtomicBoolean done = new AtomicBoolean();
        final AtomicReference<String> torn = new AtomicReference<>();
        final AtomicLong reads = new AtomicLong();
        final List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 3; r++)
        {
            final Thread reader = new Thread(() ->
            {
                final PolicyFlyweight flyweight = new PolicyFlyweight();
                long count = 0;
                int route = 1;
                while (!done.get() && torn.get() == null)
                {
                    final PolicyTable table = tables.current();
                    final long g = table.version();
                    if (!table.lookup(SLICE, route, flyweight))
                    {
                        torn.set("route " + route + " missing from table version " + g);
                    }
                    else if (!flyweight.toPolicy().equals(generation(g, route)))
                    {
                        torn.set("table version " + g + " route " + route + " read " + flyweight.toPolicy());
                    }
                    route = route == ROUTES ? 1 : route + 1;
                    count++;
                }
                reads.addAndGet(count);
            }, "policy-reader-" + r);
            readers.add(reader);
            reader.start();
        }

        final long deadline = System.nanoTime() + MAX_DURATION_NS;
        long swaps = 0;
        for (long g = 2; g < 2 + MAX_SWAPS && System.nanoTime() - deadline < 0 && torn.get() == null; g++)
        {
            tables.publish(table(g));
            swaps++;
        }
        done.set(true);
        for (final Thread reader : readers)
        {
            reader.join(10_000);
        }

        assertThat(torn.get()).isNull();
        assertThat(swaps).isGreaterThan(100);
        assertThat(reads.get()).isGreaterThan(swaps);
    }
}
