package io.mecmesh.perf.controlplane;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.aeron.Aeron;
import io.mecmesh.slicemanager.agent.NodeAgent;
import io.mecmesh.slicemanager.compiler.CompiledMesh;
import io.mecmesh.slicemanager.compiler.CompilerSettings;
import io.mecmesh.slicemanager.compiler.MeshCompiler;
import io.mecmesh.slicemanager.distribution.ConfigPublisherAgent;
import io.mecmesh.slicemanager.distribution.DistributionChannels;
import io.mecmesh.slicemanager.distribution.DistributionCounter;
import io.mecmesh.slicemanager.distribution.EmbeddedMediaDriver;
import io.mecmesh.slicemanager.distribution.MeshConfigCodec;
import io.mecmesh.slicemanager.distribution.NodeStatus;
import io.mecmesh.slicemanager.journal.DesiredStateConductor;
import io.mecmesh.slicemanager.model.Command;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SystemNanoClock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import static io.mecmesh.perf.controlplane.BenchmarkSupport.deleteRecursively;
import static io.mecmesh.perf.controlplane.BenchmarkSupport.intOption;
import static java.util.Objects.requireNonNull;

/**
 * Time from an apply to the acknowledgement of the last node, with the slice manager's real components and
 * {@code nodes} real {@link NodeAgent}s in one process over Aeron IPC with an embedded media driver.
 *
 * <p>One apply, timed from its start to the moment the publisher's status shows every affected node acknowledging
 * the new version:
 * <ol>
 *   <li>{@link DesiredStateConductor#submit} of a {@code PutService} that changes one service's endpoint port
 *       (validated and appended to the Chronicle Queue journal in a temporary directory);</li>
 *   <li>{@link MeshCompiler#compile(io.mecmesh.slicemanager.model.DesiredState, CompiledMesh, CompilerSettings)}, the
 *       incremental path, against the previous result;</li>
 *   <li>{@link ConfigPublisherAgent#publish(CompiledMesh)}; the publisher's duty cycle (its own thread) encodes,
 *       MACs and offers each changed node's configuration;</li>
 *   <li>each node agent (on {@code nodeThreads} threads, the agents split evenly) checks MAC, hash and version,
 *       persists the configuration as last known good (written to a temporary file, forced, renamed, directory
 *       forced), hands it to its applier (a counter here: no data plane) and acknowledges;</li>
 *   <li>the publisher reads the acknowledgements; the main thread sees them in {@link ConfigPublisherAgent#status()}.
 *   </li>
 * </ol>
 * By default every node sees the one slice, so every apply changes all {@code nodes} configurations (each holding
 * every service: {@code nodes × servicesPerNode} clusters and routes) and the time is to the last of {@code nodes}
 * acknowledgements. Applies run one after the other (the next starts when the previous is fully acknowledged), after
 * unmeasured warm-up applies. Leaves out: the admin API and CLI in front of {@code submit}, a real data plane swap,
 * and the network (IPC, one host); all nodes' disk writes share one disk and the machine's cores.
 */
public final class ApplyToAckBenchmark
{
    private static final byte[] KEY = "apply-to-ack-benchmark-hmac-key-0123456789".getBytes(StandardCharsets.US_ASCII);
    private static final int TERM_LENGTH = 16 * 1024 * 1024;
    private static final int FIRST_PORT = 1024;
    private static final int PORTS = 60_000;
    private static final long POLL_PARK_NS = TimeUnit.MICROSECONDS.toNanos(20);
    private static final long MAX_TRACKABLE_US = TimeUnit.MINUTES.toMicros(5);

    private ApplyToAckBenchmark()
    {
    }

    /**
     * Runs the benchmark with the options given, prints a summary and optionally writes it as JSON.
     *
     * <pre>
     *   --nodes N              node agents (default 100)
     *   --services-per-node N  services placed on each node (default 1)
     *   --slices N             slices (default 1: every node sees every service and every apply reaches all nodes)
     *   --warmup N             unmeasured applies first (default 50)
     *   --applies N            measured applies (default 200)
     *   --node-threads N       threads the node agents are split over (default 4)
     *   --lkg-dir DIR          where the nodes' last-known-good files go (default: the temporary directory)
     *   --timeout-s N          most seconds one apply may take before the run fails (default 30)
     *   --json FILE            also write the result as JSON
     * </pre>
     *
     * @param args the options.
     * @throws IOException if the temporary directory or the JSON file cannot be written.
     */
    public static void main(final String[] args) throws IOException
    {
        final Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++)
        {
            if (!args[i].startsWith("--") || i + 1 >= args.length)
            {
                System.err.println("usage: ApplyToAckBenchmark [--nodes N] [--services-per-node N] [--slices N] "
                    + "[--warmup N] [--applies N] [--node-threads N] [--lkg-dir DIR] [--timeout-s N] [--json FILE]");
                System.exit(2);
            }
            options.put(args[i], args[++i]);
        }
        final Settings settings = new Settings(
            intOption(options, "--nodes", 100), intOption(options, "--services-per-node", 1),
            intOption(options, "--slices", 1), intOption(options, "--warmup", 50), intOption(options, "--applies", 200),
            intOption(options, "--node-threads", 4),
            options.containsKey("--lkg-dir") ? Path.of(options.get("--lkg-dir")) : null,
            intOption(options, "--timeout-s", 30));
        final Result result = run(settings);
        System.out.println(result.summary());
        if (options.containsKey("--json"))
        {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(Path.of(options.get("--json")).toFile(), result);
        }
    }

    /**
     * Runs the benchmark.
     *
     * @param settings the settings.
     * @return the figures.
     */
    public static Result run(final Settings settings)
    {
        requireNonNull(settings, "settings");
        final Path work;
        try
        {
            work = Files.createTempDirectory("mecmesh-apply-to-ack");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a temporary directory", ex);
        }
        final Deque<AutoCloseable> resources = new ArrayDeque<>();
        try
        {
            return run(settings, work, resources);
        }
        finally
        {
            while (!resources.isEmpty())
            {
                CloseHelper.quietClose(resources.pop());
            }
            deleteRecursively(work);
        }
    }

    private static Result run(final Settings settings, final Path work, final Deque<AutoCloseable> resources)
    {
        final SyntheticMesh mesh = new SyntheticMesh(settings.nodes() * settings.servicesPerNode(), settings.slices(),
            settings.nodes(), 1);
        final EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(new EmbeddedMediaDriver.Context()
            .dataDirectory(work.resolve("driver")).termLength(TERM_LENGTH));
        resources.push(driver);
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        resources.push(aeron);
        final DesiredStateConductor conductor = DesiredStateConductor.open(work.resolve("control"));
        resources.push(conductor);
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        final ConfigPublisherAgent publisher = new ConfigPublisherAgent(new ConfigPublisherAgent.Context(aeron,
            DistributionChannels.ipc(), KEY, SystemNanoClock.INSTANCE, ConfigPublisherAgent.DEFAULT_RESEND_INTERVAL_NS));
        start(publisher, failure, resources);
        final Path lkg = settings.lastKnownGoodDirectory() != null ? settings.lastKnownGoodDirectory()
            : work.resolve("lkg");
        final LongAdder applied = new LongAdder();
        final List<List<Agent>> groups = new ArrayList<>();
        for (int t = 0; t < Math.min(settings.nodeThreads(), settings.nodes()); t++)
        {
            groups.add(new ArrayList<>());
        }
        for (int n = 0; n < settings.nodes(); n++)
        {
            final String nodeId = SyntheticMesh.nodeId(n);
            groups.get(n % groups.size()).add(new NodeAgent(new NodeAgent.Context(nodeId, aeron,
                DistributionChannels.ipc(), KEY, lkg.resolve(nodeId), config -> applied.increment())));
        }
        for (final List<Agent> group : groups)
        {
            start(new CompositeAgent(group), failure, resources);
        }

        final MeshCompiler compiler = new MeshCompiler();
        for (final Command command : mesh.commands())
        {
            conductor.submit(command);
        }
        CompiledMesh previous = compiler.compile(conductor.state(), CompilerSettings.DEFAULT);
        publisher.publish(previous);
        awaitAcknowledged(publisher, previous, previous.nodes().keySet(), settings, failure);
        final int configBytes = previous.nodes().values().stream()
            .mapToInt(config -> MeshConfigCodec.encode(config).length).max().orElse(0);

        final Histogram total = new Histogram(MAX_TRACKABLE_US, 3);
        final Histogram submit = new Histogram(MAX_TRACKABLE_US, 3);
        final Histogram compile = new Histogram(MAX_TRACKABLE_US, 3);
        int nodesPerApply = Integer.MAX_VALUE;
        final int applies = settings.warmup() + settings.applies();
        final long appliedBefore = applied.sum();
        for (int i = 0; i < applies; i++)
        {
            final Command change = mesh.putService(i % mesh.services(), FIRST_PORT + i % PORTS);
            final long startNs = System.nanoTime();
            final long sequence = conductor.submit(change);
            final long submittedNs = System.nanoTime();
            final CompiledMesh next = compiler.compile(conductor.state(), previous, CompilerSettings.DEFAULT);
            final long compiledNs = System.nanoTime();
            publisher.publish(next);
            final Set<String> changed = new HashSet<>();
            next.nodes().forEach((id, config) ->
            {
                if (config.version() == sequence)
                {
                    changed.add(id);
                }
            });
            if (changed.isEmpty())
            {
                throw new IllegalStateException("apply " + i + " changed no node's configuration");
            }
            awaitAcknowledged(publisher, next, changed, settings, failure);
            final long endNs = System.nanoTime();
            if (i >= settings.warmup())
            {
                total.recordValue(TimeUnit.NANOSECONDS.toMicros(endNs - startNs));
                submit.recordValue(TimeUnit.NANOSECONDS.toMicros(submittedNs - startNs));
                compile.recordValue(TimeUnit.NANOSECONDS.toMicros(compiledNs - submittedNs));
                nodesPerApply = Math.min(nodesPerApply, changed.size());
            }
            previous = next;
        }
        return new Result(settings, mesh.services(), configBytes, nodesPerApply, settings.applies(),
            applied.sum() - appliedBefore,
            publisher.counters().get(DistributionCounter.CONFIG_SENT),
            publisher.counters().get(DistributionCounter.CONFIG_RESENT),
            publisher.counters().get(DistributionCounter.CONFIG_SEND_FAILED),
            Percentiles.of(total), Percentiles.of(submit), Percentiles.of(compile));
    }

    private static void start(final Agent agent, final AtomicReference<Throwable> failure,
        final Deque<AutoCloseable> resources)
    {
        final IdleStrategy idle = new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1),
            TimeUnit.MICROSECONDS.toNanos(100));
        final AgentRunner runner = new AgentRunner(idle, error -> failure.compareAndSet(null, error), null, agent);
        AgentRunner.startOnThread(runner);
        resources.push(runner);
    }

    private static void awaitAcknowledged(
        final ConfigPublisherAgent publisher,
        final CompiledMesh mesh,
        final Set<String> nodeIds,
        final Settings settings,
        final AtomicReference<Throwable> failure)
    {
        final Set<String> waiting = new HashSet<>(nodeIds);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.timeoutSeconds());
        Map<String, NodeStatus> seen = null;
        while (!waiting.isEmpty())
        {
            final Map<String, NodeStatus> status = publisher.status();
            if (status != seen)
            {
                seen = status;
                waiting.removeIf(id ->
                {
                    final NodeStatus node = status.get(id);
                    return node != null && node.appliedVersion() >= mesh.nodes().get(id).version();
                });
                continue;
            }
            if (failure.get() != null)
            {
                throw new IllegalStateException("an agent failed: " + failure.get(), failure.get());
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException(waiting.size() + " nodes did not acknowledge version "
                    + mesh.source().sequence() + " within " + settings.timeoutSeconds() + " s, e.g. "
                    + waiting.iterator().next());
            }
            LockSupport.parkNanos(POLL_PARK_NS);
        }
    }

    /**
     * The benchmark's settings.
     *
     * @param nodes                  node agents, at least 1.
     * @param servicesPerNode        services placed on each node, at least 1.
     * @param slices                 slices, 1 to {@code nodes × servicesPerNode}.
     * @param warmup                 unmeasured applies, 0 or more.
     * @param applies                measured applies, at least 1.
     * @param nodeThreads            threads the node agents are split over, at least 1.
     * @param lastKnownGoodDirectory where the nodes' last-known-good files go, or {@code null} for the temporary
     *                               directory.
     * @param timeoutSeconds         most seconds one apply may take, at least 1.
     */
    public record Settings(int nodes, int servicesPerNode, int slices, int warmup, int applies, int nodeThreads,
        Path lastKnownGoodDirectory, int timeoutSeconds)
    {
        public Settings
        {
            atLeast("nodes", nodes, 1);
            atLeast("servicesPerNode", servicesPerNode, 1);
            atLeast("slices", slices, 1);
            atLeast("warmup", warmup, 0);
            atLeast("applies", applies, 1);
            atLeast("nodeThreads", nodeThreads, 1);
            atLeast("timeoutSeconds", timeoutSeconds, 1);
            if (slices > nodes * servicesPerNode)
            {
                throw new IllegalArgumentException("slices: expected at most nodes × servicesPerNode ("
                    + nodes * servicesPerNode + "), got " + slices);
            }
        }

        private static void atLeast(final String name, final int value, final int min)
        {
            if (value < min)
            {
                throw new IllegalArgumentException(name + ": expected at least " + min + ", got " + value);
            }
        }
    }

    /**
     * Percentiles of a histogram, in microseconds.
     *
     * @param p50Us  median.
     * @param p90Us  90th percentile.
     * @param p99Us  99th percentile.
     * @param maxUs  maximum.
     * @param meanUs mean.
     */
    public record Percentiles(long p50Us, long p90Us, long p99Us, long maxUs, double meanUs)
    {
        static Percentiles of(final Histogram histogram)
        {
            return new Percentiles(histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(90),
                histogram.getValueAtPercentile(99), histogram.getMaxValue(), histogram.getMean());
        }
    }

    /**
     * What a run measured.
     *
     * @param settings        the settings.
     * @param services        services in the desired state.
     * @param configBytes     the largest encoded node configuration.
     * @param nodesPerApply   the fewest nodes a measured apply changed (and waited for).
     * @param applies         measured applies.
     * @param configsApplied  configurations the node agents applied during the warm-up and measured applies.
     * @param configsSent     configurations the publisher sent, in all (set-up included).
     * @param configsResent   of which resent after the resend interval (an acknowledgement was late or lost).
     * @param sendsFailed     offers that failed (back pressure: retried on the next duty cycle).
     * @param applyToLastAck  from the start of the submit to the last affected node's acknowledgement.
     * @param submit          the submit alone (validate, journal, apply).
     * @param compile         the incremental compile alone.
     */
    public record Result(Settings settings, int services, int configBytes, int nodesPerApply, int applies,
        long configsApplied, long configsSent, long configsResent, long sendsFailed, Percentiles applyToLastAck,
        Percentiles submit, Percentiles compile)
    {
        /**
         * @return a one-paragraph summary.
         */
        public String summary()
        {
            return String.format(Locale.ROOT, "apply to acknowledgement of the last of %d nodes (%d services, "
                    + "configuration %,d bytes, %d node threads), %d applies after %d warm-up: p50 %.1f ms, "
                    + "p90 %.1f ms, p99 %.1f ms, max %.1f ms; submit p50 %.2f ms, incremental compile p50 %.2f ms; "
                    + "sent %d, resent %d, offers failed %d",
                nodesPerApply, services, configBytes, settings.nodeThreads(), applies, settings.warmup(),
                applyToLastAck.p50Us() / 1e3, applyToLastAck.p90Us() / 1e3, applyToLastAck.p99Us() / 1e3,
                applyToLastAck.maxUs() / 1e3, submit.p50Us() / 1e3, compile.p50Us() / 1e3, configsSent, configsResent,
                sendsFailed);
        }
    }
}
