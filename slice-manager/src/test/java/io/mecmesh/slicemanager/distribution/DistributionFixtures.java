package io.mecmesh.slicemanager.distribution;

import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.Locality;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.slicemanager.compiler.CompilerSettings;
import io.mecmesh.slicemanager.compiler.MeshCompiler;
import io.mecmesh.slicemanager.compiler.NodeMeshConfig;
import io.mecmesh.slicemanager.model.ModelFixtures;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Configurations, keys and a bounded duty-cycle driver shared by the distribution and agent tests. */
public final class DistributionFixtures
{
    public static final byte[] KEY = "0123456789abcdef0123456789abcdef-shared".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] OTHER_KEY = "fedcba9876543210fedcba9876543210-forged".getBytes(StandardCharsets.US_ASCII);

    /** The control plane's configuration-signing key in tests. */
    public static final KeyPair SIGNING_KEY = SignedConfig.generateKeyPair();

    private static final long AWAIT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int MAX_CYCLES = 50_000_000;

    private DistributionFixtures()
    {
    }

    /**
     * @param nodeId  the node.
     * @param version the version.
     * @return node-a's compiled configuration of the model fixtures, relabelled.
     */
    public static NodeMeshConfig config(final String nodeId, final long version)
    {
        final NodeMeshConfig base = new MeshCompiler().compile(ModelFixtures.state(), CompilerSettings.DEFAULT)
            .nodes().get("node-a");
        return new NodeMeshConfig(nodeId, version, base.contentHash(),
            base.meshConfig().withRoutes(version, base.meshConfig().routes(), base.meshConfig().clusters()),
            base.routes(), base.policies(), base.authorizationSets());
    }

    /**
     * @param config a configuration.
     * @return it encoded and signed with {@link #SIGNING_KEY}: a CONFIG payload as the control plane sends it.
     */
    public static byte[] signed(final NodeMeshConfig config)
    {
        return SignedConfig.sign(MeshConfigCodec.encode(config), List.of(SIGNING_KEY));
    }

    /**
     * @param nodeId   the node.
     * @param version  the version.
     * @param clusters how many clusters (and routes); each adds roughly 150 bytes.
     * @return a configuration large enough to need fragmenting.
     */
    public static NodeMeshConfig largeConfig(final String nodeId, final long version, final int clusters)
    {
        final NodeMeshConfig base = config(nodeId, version);
        final List<ClusterConfig> clusterConfigs = new ArrayList<>(base.meshConfig().clusters());
        final List<RouteConfig> routes = new ArrayList<>(base.meshConfig().routes());
        for (int i = 0; i < clusters; i++)
        {
            clusterConfigs.add(ClusterConfig.of("generated-" + i, List.of(
                new Endpoint("10.0." + (i / 250) + "." + (i % 250 + 1), 8080, new Locality("site-a", "zone-1"), 1),
                new Endpoint("10.1." + (i / 250) + "." + (i % 250 + 1), 8080, new Locality("site-b", "zone-2"), 2))));
            routes.add(new RouteConfig("svc-" + i + ".example", "/", "generated-" + i));
        }
        return new NodeMeshConfig(nodeId, version, base.contentHash(),
            base.meshConfig().withRoutes(version, routes, clusterConfigs), base.routes(), base.policies(),
            base.authorizationSets());
    }

    /**
     * Runs duty cycles until a condition holds, bounded in time and count.
     *
     * @param what      what is awaited, for the failure message.
     * @param condition the condition.
     * @param agents    the agents to drive.
     */
    public static void awaitUntil(final String what, final BooleanSupplier condition, final Agent... agents)
    {
        awaitUntil(what, AWAIT_TIMEOUT_NS, condition, agents);
    }

    /**
     * Runs duty cycles until a condition holds, bounded in time and count.
     *
     * @param what      what is awaited, for the failure message.
     * @param timeoutNs how long at most.
     * @param condition the condition.
     * @param agents    the agents to drive.
     */
    public static void awaitUntil(final String what, final long timeoutNs, final BooleanSupplier condition,
        final Agent... agents)
    {
        final IdleStrategy idle = new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1),
            TimeUnit.MICROSECONDS.toNanos(200));
        final long deadline = System.nanoTime() + timeoutNs;
        for (int cycle = 0; cycle < MAX_CYCLES; cycle++)
        {
            if (condition.getAsBoolean())
            {
                return;
            }
            if (System.nanoTime() - deadline > 0)
            {
                break;
            }
            idle.idle(doWork(agents));
        }
        throw new AssertionError("timed out awaiting " + what);
    }

    /**
     * Runs duty cycles for a number of rounds (to show that something does not happen).
     *
     * @param rounds how many.
     * @param agents the agents.
     */
    public static void runFor(final int rounds, final Agent... agents)
    {
        final IdleStrategy idle = new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1),
            TimeUnit.MICROSECONDS.toNanos(200));
        for (int i = 0; i < rounds; i++)
        {
            idle.idle(doWork(agents));
        }
    }

    private static int doWork(final Agent... agents)
    {
        int work = 0;
        for (final Agent agent : agents)
        {
            try
            {
                work += agent.doWork();
            }
            catch (final Exception ex)
            {
                throw new AssertionError("duty cycle of " + agent.roleName() + " failed: " + ex, ex);
            }
        }
        return work;
    }

    /**
     * @param bytes bytes.
     * @return a copy with one bit flipped at {@code index}.
     */
    public static byte[] flip(final byte[] bytes, final int index)
    {
        final byte[] copy = Arrays.copyOf(bytes, bytes.length);
        copy[index] ^= 0x01;
        return copy;
    }
}
