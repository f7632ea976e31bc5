package io.mecmesh.slicemanager;

import io.mecmesh.slicemanager.agent.NodeAgent;
import io.mecmesh.slicemanager.agent.NodeConfigConductor;
import io.mecmesh.slicemanager.distribution.DistributionCounters;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The edge side of the control path, assembled: the {@link NodeAgent} on its own agent thread (sleeping 1 ms when
 * idle). Starting it loads the last known good configuration into the data plane before returning, so a node
 * restarted while the control plane is away serves its last configuration as soon as {@link #start} returns.
 */
public final class EdgeNode implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(EdgeNode.class);
    private static final long START_TIMEOUT_S = 30;

    private final NodeAgent agent;
    private final AgentRunner runner;
    private final NanoClock clock;

    private EdgeNode(final NodeAgent agent, final AgentRunner runner, final NanoClock clock)
    {
        this.agent = agent;
        this.runner = runner;
        this.clock = clock;
    }

    /**
     * Starts the node agent and waits until it has loaded its last known good configuration (if any) and bound its
     * channels.
     *
     * @param context the node agent's settings.
     * @return the running edge node.
     * @throws IllegalStateException naming the address when a channel cannot bind (the agent is stopped).
     */
    public static EdgeNode start(final NodeAgent.Context context)
    {
        requireNonNull(context, "context");
        final NodeAgent agent = new NodeAgent(context);
        final AgentRunner runner = StartedAgent.start(agent, ex -> LOG.error("node agent {} failed",
            context.nodeId(), ex), START_TIMEOUT_S);
        final NodeConfigConductor.StartOutcome outcome = agent.startOutcome();
        if (outcome.problems().isEmpty())
        {
            LOG.info("node {}: {}", context.nodeId(), outcome.describe());
        }
        else
        {
            LOG.error("node {}: {}", context.nodeId(), outcome.describe());
        }
        return new EdgeNode(agent, runner, context.clock());
    }

    /**
     * @return what loading the last known good configuration gave.
     */
    public NodeConfigConductor.StartOutcome startOutcome()
    {
        return agent.startOutcome();
    }

    /**
     * @return the version running, -1 for none.
     */
    public long runningVersion()
    {
        return agent.runningVersion();
    }

    /**
     * @return why the node runs the previous last known good configuration (or none) although it had a current one,
     *     until a configuration from the control plane applies; empty otherwise. For {@code /ready} (degraded).
     */
    public Optional<String> fallback()
    {
        return agent.fallback();
    }

    /**
     * @return whether the control plane is reachable now.
     */
    public boolean isConnected()
    {
        return agent.isConnected();
    }

    /**
     * @return seconds since the last contact with the control plane, or -1 before the first.
     */
    public double secondsSinceContact()
    {
        final long last = agent.lastContactNs();
        return last == NodeAgent.NEVER ? -1 : (clock.nanoTime() - last) / 1e9;
    }

    /**
     * @return the node's distribution counters.
     */
    public DistributionCounters counters()
    {
        return agent.counters();
    }

    @Override
    public void close()
    {
        runner.close();
    }
}
