package io.mecmesh.perf.controlplane;

import io.mecmesh.slicemanager.model.BitRates;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.FiveQiTable;
import io.mecmesh.slicemanager.model.Node;
import io.mecmesh.slicemanager.model.Service;
import io.mecmesh.slicemanager.model.Slice;
import io.mecmesh.slicemanager.model.Snssai;

import java.util.ArrayList;
import java.util.List;

/**
 * A synthetic desired state for the control-plane benchmarks: {@code services} services spread over {@code slices}
 * slices and {@code nodes} nodes, every service placed on exactly one node, every node hosting the same number of
 * services (± 1), and every node seeing {@code slicesPerNode} slices.
 *
 * <p>Layout: service {@code s} is placed on node {@code n = s % nodes} in slot {@code r = s / nodes}; its slice is
 * {@code (n * slices / nodes + r % slicesPerNode) % slices}. With 10,000 services, 100 slices, 100 nodes and two
 * slices per node, node {@code n} hosts 50 services of slice {@code n} and 50 of slice {@code n + 1}, so its
 * configuration holds the 200 services of those two slices, and a change to one service recompiles the two nodes
 * that see its slice. Each service has one endpoint and one route ({@code svc-S.example /}); slices use the standard
 * 5QI 9 with an MBR of 100 Mbit/s each way.
 *
 * @param services      services, at least 1.
 * @param slices        slices, 1 to 255 × 2^24 (SST 1, SD = index).
 * @param nodes         nodes, at least 1.
 * @param slicesPerNode slices each node sees, 1 to {@code slices}.
 */
public record SyntheticMesh(int services, int slices, int nodes, int slicesPerNode)
{
    /** The shape of issue 6's compile benchmark. */
    public static final SyntheticMesh ISSUE_6 = new SyntheticMesh(10_000, 100, 100, 2);

    private static final long DEFAULT_MBR_BPS = 100_000_000L;
    private static final int DEFAULT_PORT = 8080;

    public SyntheticMesh
    {
        requirePositive("services", services);
        requirePositive("slices", slices);
        requirePositive("nodes", nodes);
        if (slicesPerNode < 1 || slicesPerNode > slices)
        {
            throw new IllegalArgumentException("slicesPerNode: expected 1 to slices (" + slices + "), got "
                + slicesPerNode);
        }
    }

    /**
     * @return the desired state: every slice, service and node, one command each (the commands of
     *     {@link #commands()} applied in order).
     */
    public DesiredState state()
    {
        DesiredState state = DesiredState.empty();
        for (final Command command : commands())
        {
            state = state.apply(command);
        }
        return state;
    }

    /**
     * @return the commands that build the state: the slices, then the services, then the nodes.
     */
    public List<Command> commands()
    {
        final List<Command> commands = new ArrayList<>(slices + services + nodes);
        for (int j = 0; j < slices; j++)
        {
            commands.add(putSlice(j, DEFAULT_MBR_BPS));
        }
        final List<List<String>> placed = new ArrayList<>(nodes);
        for (int n = 0; n < nodes; n++)
        {
            placed.add(new ArrayList<>());
        }
        for (int s = 0; s < services; s++)
        {
            commands.add(putService(s, DEFAULT_PORT));
            placed.get(s % nodes).add(serviceName(s));
        }
        for (int n = 0; n < nodes; n++)
        {
            if (!placed.get(n).isEmpty())
            {
                commands.add(new Command.PutNode(new Node(nodeId(n), "site-" + n % 10, "zone-" + n % 3,
                    placed.get(n))));
            }
        }
        return commands;
    }

    /**
     * @param s    the service index.
     * @param port its endpoint's port: change it to change the service.
     * @return the command that puts service {@code s} with that port.
     */
    public Command putService(final int s, final int port)
    {
        return new Command.PutService(service(s, port));
    }

    /**
     * @param j       the slice index.
     * @param mbrBps  its MBR each way: change it to change the slice (and every node that sees it).
     * @return the command that puts slice {@code j} with that MBR.
     */
    public Command putSlice(final int j, final long mbrBps)
    {
        return new Command.PutSlice(slice(j, mbrBps));
    }

    /**
     * @param s the service index.
     * @return the index of its slice.
     */
    public int sliceOf(final int s)
    {
        final int n = s % nodes;
        final int r = s / nodes;
        return (int)(((long)n * slices / nodes + r % slicesPerNode) % slices);
    }

    /**
     * @param n the node index.
     * @return its id.
     */
    public static String nodeId(final int n)
    {
        return "node-" + n;
    }

    /**
     * @param s the service index.
     * @return its name.
     */
    public static String serviceName(final int s)
    {
        return "svc-" + s;
    }

    private Slice slice(final int j, final long mbrBps)
    {
        return Slice.builder(new Snssai(1, j), "slice-" + j, FiveQiTable.standard().get(9))
            .bitRates(new BitRates(mbrBps, mbrBps, 0, 0))
            .build();
    }

    private Service service(final int s, final int port)
    {
        final int address = s + 1;
        return Service.builder(serviceName(s), slice(sliceOf(s), DEFAULT_MBR_BPS))
            .endpoint("10." + (address >>> 16 & 0xFF) + "." + (address >>> 8 & 0xFF) + "." + (address & 0xFF), port,
                "site-" + s % 10, "zone-" + s % 3)
            .route(serviceName(s) + ".example", "/")
            .build();
    }

    private static void requirePositive(final String name, final int value)
    {
        if (value < 1)
        {
            throw new IllegalArgumentException(name + ": expected at least 1, got " + value);
        }
    }
}
