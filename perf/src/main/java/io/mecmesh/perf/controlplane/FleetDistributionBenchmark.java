package io.mecmesh.perf.controlplane;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.aeron.Aeron;
import io.aeron.AeronCounters;
import io.mecmesh.slicemanager.agent.NodeAgent;
import io.mecmesh.slicemanager.compiler.CompilerSettings;
import io.mecmesh.slicemanager.compiler.MeshCompiler;
import io.mecmesh.slicemanager.compiler.NodeMeshConfig;
import io.mecmesh.slicemanager.distribution.ConfigPublisherAgent;
import io.mecmesh.slicemanager.distribution.DistributionChannels;
import io.mecmesh.slicemanager.distribution.DistributionCounter;
import io.mecmesh.slicemanager.distribution.EmbeddedMediaDriver;
import io.mecmesh.slicemanager.distribution.MeshConfigCodec;
import io.mecmesh.slicemanager.distribution.NodeStatus;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.status.CountersReader;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static io.mecmesh.perf.controlplane.BenchmarkSupport.deleteRecursively;
import static io.mecmesh.perf.controlplane.BenchmarkSupport.intOption;
import static java.util.Objects.requireNonNull;

/**
 * Apply → every node acknowledged, at fleet scale over UDP on loopback (issue 18 item 6, DESIGN-ha.md 5.4): the
 * slice manager's real {@link ConfigPublisherAgent} in this process with its own embedded media driver, and
 * {@code nodes} real {@link NodeAgent}s (MAC, hash, version, Ed25519 signature, last-known-good file on tmpfs, a
 * counting applier) in {@code jvms} child JVMs, each with one embedded media driver and each node on its own UDP
 * endpoint on 127.0.0.1; a JVM's nodes share one ACK publication ({@code NodeAgent}), with an 8 KiB MTU. When a round
 * times out the error names every driver's counters (NAKs, status messages, images, ACK stream positions) and the
 * kernel's UDP drops per port.
 *
 * <p>A round hands every node a new version at once (a fleet-wide change) and waits until every living node
 * acknowledged it; measured: each node's time from the publisher taking the configuration to its acknowledgement
 * (the publisher's {@code onConfigApplied}), and the round's time to the last living node. Impaired runs add two
 * more child JVMs: one holding {@code dead} nodes that is killed ({@code kill -9}) after the warm-up, and one
 * holding {@code stalled} nodes whose agents stop polling (their driver keeps answering, the case that holds
 * {@code fc=min} forever). After the measured rounds the stalled nodes resume and the time until they run the
 * latest version is reported. Every child counts a version applied twice or going back (must be 0).
 *
 * <p>Bounded: the rounds given, each at most {@code timeoutSeconds}; the children die with this process (their
 * standard input closes).
 */
public final class FleetDistributionBenchmark
{
    private static final byte[] KEY = "fleet-distribution-benchmark-hmac-key-0123".getBytes(StandardCharsets.US_ASCII);
    private static final long MAX_TRACKABLE_US = TimeUnit.MINUTES.toMicros(5);
    private static final long POLL_PARK_NS = TimeUnit.MICROSECONDS.toNanos(100);
    private static final String ACK_MTU = "8k";
    private static final String READY = "READY";
    private static final String REPORT = "REPORT";

    private FleetDistributionBenchmark()
    {
    }

    /**
     * Runs the benchmark (or, with {@code --node-host}, one child JVM of node agents).
     *
     * <pre>
     *   --nodes N              simulated nodes (default 100)
     *   --jvms N               child JVMs the living nodes are split over (default 4)
     *   --node-threads N       agent threads per child JVM (default 2)
     *   --shards N             CONFIG shards (distribution.shards, default 1)
     *   --fc max|min           CONFIG flow control (default max, the product's)
     *   --services-per-node N  services in each node's configuration, its size (default 4: ~4 KB)
     *   --dead N               nodes in a child JVM killed after the warm-up (default 0)
     *   --stalled N            nodes in a child JVM whose agents stop polling after the warm-up (default 0)
     *   --warmup N             unmeasured rounds (default 3)
     *   --rounds N             measured rounds (default 20)
     *   --timeout-s N          most seconds one round may take (default 30)
     *   --base-port N          first UDP port: ack, CONFIG control (+ shards), then one per node (default 31000)
     *   --work-dir DIR         drivers and last-known-good files (default: a new directory under /dev/shm)
     *   --json FILE            also write the result as JSON
     * </pre>
     *
     * @param args the options.
     * @throws Exception if the run fails.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0 && "--node-host".equals(args[0]))
        {
            NodeHost.run(args);
            return;
        }
        final Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++)
        {
            if (!args[i].startsWith("--") || i + 1 >= args.length)
            {
                System.err.println("usage: FleetDistributionBenchmark [--nodes N] [--jvms N] [--node-threads N] "
                    + "[--shards N] [--fc max|min] [--services-per-node N] [--dead N] [--stalled N] [--warmup N] "
                    + "[--rounds N] [--timeout-s N] [--base-port N] [--work-dir DIR] [--json FILE]");
                System.exit(2);
            }
            options.put(args[i], args[++i]);
        }
        final Settings settings = new Settings(intOption(options, "--nodes", 100), intOption(options, "--jvms", 4),
            intOption(options, "--node-threads", 2), intOption(options, "--shards", 1),
            options.getOrDefault("--fc", "max"), intOption(options, "--services-per-node", 4),
            intOption(options, "--dead", 0), intOption(options, "--stalled", 0), intOption(options, "--warmup", 3),
            intOption(options, "--rounds", 20), intOption(options, "--timeout-s", 30),
            intOption(options, "--base-port", 31_000));
        final Path work = options.containsKey("--work-dir") ? Path.of(options.get("--work-dir"))
            : Files.createTempDirectory(Path.of("/dev/shm"), "mecmesh-fleet-");
        final Result result;
        try
        {
            result = run(settings, work);
        }
        finally
        {
            if (!options.containsKey("--work-dir"))
            {
                deleteRecursively(work);
            }
        }
        System.out.println(result.summary());
        System.out.flush();
        if (options.containsKey("--json"))
        {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(Path.of(options.get("--json")).toFile(), result);
        }
    }

    private static Result run(final Settings settings, final Path work) throws IOException
    {
        final Deque<AutoCloseable> resources = new ArrayDeque<>();
        final List<NodeHostProcess> hosts = new ArrayList<>();
        try
        {
            final String ack = "127.0.0.1:" + settings.basePort();
            final String control = "127.0.0.1:" + (settings.basePort() + 1);
            final int firstNodePort = settings.basePort() + 1 + settings.shards();
            final EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(new EmbeddedMediaDriver.Context()
                .dataDirectory(work.resolve("control-plane")));
            resources.push(driver);
            final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            resources.push(aeron);
            final DistributionChannels udp = DistributionChannels.udpControlPlane(control, ack);
            final DistributionChannels channels = new DistributionChannels(
                udp.configChannel().replace("fc=max", "fc=" + settings.flowControl()), udp.configStreamId(),
                udp.ackChannel(), udp.ackStreamId());
            final ConfigPublisherAgent publisher = new ConfigPublisherAgent(new ConfigPublisherAgent.Context(aeron,
                channels, KEY, SystemNanoClock.INSTANCE, ConfigPublisherAgent.DEFAULT_RESEND_INTERVAL_NS)
                .withShards(settings.shards()));
            final Map<String, Long> ackNs = new ConcurrentHashMap<>();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AgentRunner runner = new AgentRunner(new BackoffIdleStrategy(10, 20, 1_000, 100_000),
                error -> failure.compareAndSet(null, error), null, publisher);
            AgentRunner.startOnThread(runner);
            resources.push(runner);

            // Living nodes first (split over the JVMs), then the dead, then the stalled.
            final int living = settings.nodes() - settings.dead() - settings.stalled();
            final List<String> ids = new ArrayList<>();
            for (int n = 0; n < settings.nodes(); n++)
            {
                ids.add(String.format(Locale.ROOT, "fleet-%05d", n));
            }
            final int perJvm = (living + settings.jvms() - 1) / settings.jvms();
            int first = 0;
            for (int j = 0; j < settings.jvms() && first < living; j++)
            {
                final int count = Math.min(perJvm, living - first);
                hosts.add(NodeHostProcess.start("live-" + j, settings, work, control, ack, first, count,
                    firstNodePort));
                first += count;
            }
            final NodeHostProcess dead = settings.dead() > 0 ? NodeHostProcess.start("dead", settings, work, control,
                ack, living, settings.dead(), firstNodePort) : null;
            final NodeHostProcess stalled = settings.stalled() > 0 ? NodeHostProcess.start("stalled", settings, work,
                control, ack, living + settings.dead(), settings.stalled(), firstNodePort) : null;
            if (dead != null)
            {
                hosts.add(dead);
            }
            if (stalled != null)
            {
                hosts.add(stalled);
            }
            for (final NodeHostProcess host : hosts)
            {
                host.awaitReady(TimeUnit.SECONDS.toNanos(120));
            }

            final NodeMeshConfig base = baseConfig(settings.servicesPerNode());
            final int configBytes = MeshConfigCodec.encode(relabel(base, ids.get(0), 1)).length;
            final Set<String> measured = new HashSet<>(ids.subList(0, living));
            final Histogram perNode = new Histogram(MAX_TRACKABLE_US, 3);
            final Histogram lastNode = new Histogram(MAX_TRACKABLE_US, 3);
            final AtomicLong recording = new AtomicLong();
            publisher.onConfigApplied(durationNs ->
            {
                if (recording.get() == 1)
                {
                    perNode.recordValue(Math.min(MAX_TRACKABLE_US, TimeUnit.NANOSECONDS.toMicros(durationNs)));
                }
            });
            final double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            long version = 0;
            for (int round = 0; round < settings.warmup() + settings.rounds(); round++)
            {
                if (round == settings.warmup())
                {
                    if (dead != null)
                    {
                        dead.kill();
                    }
                    if (stalled != null)
                    {
                        stalled.command("stall");
                    }
                    recording.set(1);
                }
                version++;
                final Set<String> waitFor = round < settings.warmup() ? new HashSet<>(ids) : measured;
                final long startNs = System.nanoTime();
                for (final String id : ids)
                {
                    publisher.publish(relabel(base, id, version));
                }
                try
                {
                    awaitApplied(publisher, waitFor, version, settings.timeoutSeconds(), failure);
                }
                catch (final IllegalStateException ex)
                {
                    final StringBuilder nodes = new StringBuilder();
                    for (final NodeHostProcess host : hosts)
                    {
                        if (host != dead)
                        {
                            nodes.append("; node host ").append(host.name).append(' ').append(host.reportLine());
                        }
                    }
                    throw new IllegalStateException(ex.getMessage() + "; publisher " + publisher.counters()
                        + "; publisher thread CPU " + TimeUnit.NANOSECONDS.toMillis(ManagementFactory.getThreadMXBean()
                        .getThreadCpuTime(runner.thread().getId())) + " ms"
                        + "; control-plane driver " + driverCounters(aeron) + "; UDP socket drops "
                        + udpDrops(settings.basePort(), firstNodePort + settings.nodes()) + nodes, ex);
                }
                if (round >= settings.warmup())
                {
                    lastNode.recordValue(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - startNs));
                }
            }
            recording.set(0);
            final double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            long catchUpMs = -1;
            if (stalled != null)
            {
                final long startNs = System.nanoTime();
                stalled.command("resume");
                awaitApplied(publisher, new HashSet<>(ids.subList(living + settings.dead(), ids.size())), version,
                    settings.timeoutSeconds(), failure);
                catchUpMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            }
            long applied = 0;
            long violations = 0;
            for (final NodeHostProcess host : hosts)
            {
                if (host != dead)
                {
                    final long[] report = host.report();
                    applied += report[0];
                    violations += report[1];
                }
            }
            return new Result(settings, configBytes, living, Percentiles.of(perNode), Percentiles.of(lastNode),
                catchUpMs, applied, violations,
                publisher.counters().get(DistributionCounter.CONFIG_SENT),
                publisher.counters().get(DistributionCounter.CONFIG_RESENT),
                publisher.counters().get(DistributionCounter.CATCH_UP_RECEIVED),
                publisher.counters().get(DistributionCounter.CONFIG_SEND_FAILED), loadBefore, loadAfter);
        }
        finally
        {
            for (final NodeHostProcess host : hosts)
            {
                host.kill();
            }
            while (!resources.isEmpty())
            {
                CloseHelper.quietClose(resources.pop());
            }
        }
    }

    private static void awaitApplied(final ConfigPublisherAgent publisher, final Set<String> nodeIds,
        final long version, final int timeoutSeconds, final AtomicReference<Throwable> failure)
    {
        final Set<String> waiting = new HashSet<>(nodeIds);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
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
                    return node != null && node.appliedVersion() >= version;
                });
                continue;
            }
            if (failure.get() != null)
            {
                throw new IllegalStateException("the publisher failed: " + failure.get(), failure.get());
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException(waiting.size() + " nodes did not acknowledge version " + version
                    + " within " + timeoutSeconds + " s, e.g. " + waiting.iterator().next());
            }
            LockSupport.parkNanos(POLL_PARK_NS);
        }
    }

    /**
     * A media driver's counters for diagnosis (what AeronStat would show): its non-zero system counters (NAKs, status
     * messages, heartbeats, errors, ...) and how many of each per-stream counter it has ({@code rcv-pos}: images,
     * {@code pub-pos (sampled)}: publications, ...).
     */
    static String driverCounters(final Aeron aeron)
    {
        final CountersReader counters = aeron.countersReader();
        final Map<String, Long> system = new LinkedHashMap<>();
        final Map<String, Integer> kinds = new TreeMap<>();
        final Map<String, Long> ackPositions = new TreeMap<>();
        counters.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (typeId == AeronCounters.DRIVER_SYSTEM_COUNTER_TYPE_ID)
            {
                final long value = counters.getCounterValue(counterId);
                if (value != 0)
                {
                    system.put(label, value);
                }
            }
            else
            {
                final int colon = label.indexOf(':');
                final String kind = colon > 0 ? label.substring(0, colon) : label;
                kinds.merge(kind, 1, Integer::sum);
                if (label.contains(" " + DistributionChannels.DEFAULT_ACK_STREAM_ID + " ") && kind.contains("-"))
                {
                    ackPositions.merge(kind, counters.getCounterValue(counterId), Long::sum);
                }
            }
        });
        return system + " " + kinds + " ACK stream positions (summed) " + ackPositions;
    }

    /** Datagrams the kernel dropped on this host's UDP sockets bound to ports {@code from..to} ({@code /proc/net/udp}). */
    static String udpDrops(final int from, final int to)
    {
        final Map<Integer, Long> drops = new TreeMap<>();
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/net/udp")))
            {
                final String[] fields = line.trim().split("\\s+");
                if (fields.length < 13 || !fields[1].contains(":"))
                {
                    continue;
                }
                final int port = Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1), 16);
                final long dropped = Long.parseLong(fields[fields.length - 1]);
                if (port >= from && port <= to && dropped > 0)
                {
                    drops.merge(port, dropped, Long::sum);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            return "unknown (" + ex + ")";
        }
        return drops.toString();
    }

    /** One node's configuration with {@code services} services: the size of a fleet-wide change per node. */
    private static NodeMeshConfig baseConfig(final int services)
    {
        final SyntheticMesh mesh = new SyntheticMesh(services, 1, 1, 1);
        return new MeshCompiler().compile(mesh.state(), CompilerSettings.DEFAULT).nodes().values().iterator().next();
    }

    private static NodeMeshConfig relabel(final NodeMeshConfig base, final String nodeId, final long version)
    {
        return new NodeMeshConfig(nodeId, version, base.contentHash(),
            base.meshConfig().withRoutes(version, base.meshConfig().routes(), base.meshConfig().clusters()),
            base.routes(), base.policies(), base.authorizationSets());
    }

    /** A child JVM of node agents, driven by lines on its standard input. */
    private static final class NodeHostProcess
    {
        private final String name;
        private final Process process;
        private final BufferedReader output;
        private final PrintStream input;

        private NodeHostProcess(final String name, final Process process)
        {
            this.name = name;
            this.process = process;
            this.output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.input = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        }

        static NodeHostProcess start(final String name, final Settings settings, final Path work, final String control,
            final String ack, final int first, final int count, final int firstNodePort) throws IOException
        {
            final List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse("java"));
            for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
            {
                if (argument.startsWith("--add-") || argument.startsWith("-D"))
                {
                    command.add(argument);
                }
            }
            command.addAll(List.of("-Dchronicle.analytics.disable=true", "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), FleetDistributionBenchmark.class.getName(),
                "--node-host", name, work.toString(), control, ack, Integer.toString(first), Integer.toString(count),
                Integer.toString(firstNodePort), Integer.toString(settings.shards()),
                Integer.toString(settings.nodeThreads())));
            final Process process = new ProcessBuilder(command)
                .redirectError(work.resolve(name + ".err").toFile()).start();
            return new NodeHostProcess(name, process);
        }

        void awaitReady(final long timeoutNs) throws IOException
        {
            final String line = readLine(timeoutNs);
            if (!READY.equals(line))
            {
                throw new IllegalStateException("node host " + name + " did not start: " + line);
            }
        }

        void command(final String command)
        {
            input.println(command);
        }

        /** @return the child's report line: applied, violations, then its nodes' summed counters (diagnosis). */
        String reportLine() throws IOException
        {
            command(REPORT);
            return readLine(TimeUnit.SECONDS.toNanos(30));
        }

        /** @return configurations applied and versions applied twice or going back. */
        long[] report() throws IOException
        {
            final String line = reportLine();
            final String[] parts = line == null ? new String[0] : line.split(" ", 4);
            if (parts.length < 3 || !REPORT.equals(parts[0]))
            {
                throw new IllegalStateException("node host " + name + " did not report: " + line);
            }
            return new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])};
        }

        private String readLine(final long timeoutNs) throws IOException
        {
            final long deadlineNs = System.nanoTime() + timeoutNs;
            while (!output.ready())
            {
                if (!process.isAlive())
                {
                    return "exited with " + process.exitValue();
                }
                if (System.nanoTime() - deadlineNs > 0)
                {
                    return "no answer within " + TimeUnit.NANOSECONDS.toSeconds(timeoutNs) + " s";
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            return output.readLine();
        }

        void kill()
        {
            process.destroyForcibly();
        }
    }

    /** The child side: node agents on a few threads, one embedded media driver. */
    private static final class NodeHost
    {
        private NodeHost()
        {
        }

        static void run(final String[] args) throws IOException
        {
            final String name = args[1];
            final Path work = Path.of(args[2]);
            final String control = args[3];
            final String ack = args[4];
            final int first = Integer.parseInt(args[5]);
            final int count = Integer.parseInt(args[6]);
            final int firstNodePort = Integer.parseInt(args[7]);
            final int shards = Integer.parseInt(args[8]);
            final int threads = Integer.parseInt(args[9]);
            final Deque<AutoCloseable> resources = new ArrayDeque<>();
            final PrintStream out = System.out;
            // Standard output is the protocol with the parent: everything else (logs) goes to standard error.
            System.setOut(System.err);
            try
            {
                final EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(new EmbeddedMediaDriver.Context()
                    .dataDirectory(work.resolve(name)));
                resources.push(driver);
                final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
                resources.push(aeron);
                final AtomicLong applied = new AtomicLong();
                final AtomicLong violations = new AtomicLong();
                final List<List<Agent>> groups = new ArrayList<>();
                for (int t = 0; t < Math.min(threads, count); t++)
                {
                    groups.add(new ArrayList<>());
                }
                for (int i = 0; i < count; i++)
                {
                    final int n = first + i;
                    final String nodeId = String.format(Locale.ROOT, "fleet-%05d", n);
                    final DistributionChannels udp = DistributionChannels.udpNode(control, ack,
                        "127.0.0.1:" + (firstNodePort + n)).forNode(nodeId, shards);
                    // All nodes of this JVM share one ACK publication (NodeAgent), and Aeron's sender sends one MTU
                    // of a publication per duty cycle: a larger MTU carries this JVM's heartbeats and ACKs in fewer
                    // cycles of its starved driver (loopback only: between hosts 8 KiB datagrams fragment).
                    final DistributionChannels channels = new DistributionChannels(udp.configChannel(),
                        udp.configStreamId(), udp.ackChannel() + "|mtu=" + ACK_MTU, udp.ackStreamId());
                    final long[] last = {-1};
                    groups.get(i % groups.size()).add(new NodeAgent(new NodeAgent.Context(nodeId, aeron, channels,
                        KEY, work.resolve(name + "-lkg").resolve(nodeId), config ->
                        {
                            applied.incrementAndGet();
                            if (config.version() <= last[0])
                            {
                                violations.incrementAndGet();
                            }
                            last[0] = config.version();
                        })));
                }
                final List<NodeAgent> agents = new ArrayList<>();
                groups.forEach(group -> group.forEach(agent -> agents.add((NodeAgent) agent)));
                final AtomicLong stalled = new AtomicLong();
                for (final List<Agent> group : groups)
                {
                    final CompositeAgent nodes = new CompositeAgent(group);
                    final Agent pausable = new Agent()
                    {
                        @Override
                        public void onStart()
                        {
                            nodes.onStart();
                        }

                        @Override
                        public int doWork() throws Exception
                        {
                            return stalled.get() == 1 ? 0 : nodes.doWork();
                        }

                        @Override
                        public void onClose()
                        {
                            nodes.onClose();
                        }

                        @Override
                        public String roleName()
                        {
                            return nodes.roleName();
                        }
                    };
                    final AgentRunner runner = new AgentRunner(new BackoffIdleStrategy(10, 20, 1_000, 1_000_000),
                        error -> System.err.println("node host " + name + ": " + error), null, pausable);
                    AgentRunner.startOnThread(runner);
                    resources.push(runner);
                }
                // Ready when every node sees the CONFIG stream (the publisher runs before the children start).
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                int connected;
                while ((connected = countConnected(groups)) < count && System.nanoTime() - deadlineNs < 0)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                out.println(connected == count ? READY : "only " + connected + " of " + count + " connected");
                out.flush();
                final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null)
                {
                    switch (line)
                    {
                        case "stall" -> stalled.set(1);
                        case "resume" -> stalled.set(0);
                        case REPORT ->
                        {
                            out.println(REPORT + " " + applied.get() + " " + violations.get() + " " + summed(agents)
                                + "_driver_" + driverCounters(aeron).replace(' ', '_'));
                            out.flush();
                        }
                        default -> System.err.println("node host " + name + ": unknown command " + line);
                    }
                }
            }
            finally
            {
                while (!resources.isEmpty())
                {
                    CloseHelper.quietClose(resources.pop());
                }
            }
        }

        private static String summed(final List<NodeAgent> agents)
        {
            final Map<DistributionCounter, Long> sums = new EnumMap<>(DistributionCounter.class);
            for (final NodeAgent agent : agents)
            {
                agent.counters().snapshot().forEach((counter, value) ->
                {
                    if (value != 0)
                    {
                        sums.merge(counter, value, Long::sum);
                    }
                });
            }
            return sums.toString().replace(' ', '_');
        }

        private static int countConnected(final List<List<Agent>> groups)
        {
            int started = 0;
            for (final List<Agent> group : groups)
            {
                for (final Agent agent : group)
                {
                    started += ((NodeAgent) agent).isConnected() ? 1 : 0;
                }
            }
            return started;
        }
    }

    /**
     * The benchmark's settings.
     *
     * @param nodes           simulated nodes, at least 1.
     * @param jvms            child JVMs for the living nodes, at least 1.
     * @param nodeThreads     agent threads per child JVM, at least 1.
     * @param shards          CONFIG shards, 1 to {@value DistributionChannels#MAX_SHARDS}.
     * @param flowControl     {@code max} or {@code min}.
     * @param servicesPerNode services in each configuration, at least 1.
     * @param dead            nodes killed after the warm-up, 0 or more.
     * @param stalled         nodes that stop polling after the warm-up, 0 or more.
     * @param warmup          unmeasured rounds, 0 or more.
     * @param rounds          measured rounds, at least 1.
     * @param timeoutSeconds  most seconds one round may take, at least 1.
     * @param basePort        first UDP port used.
     */
    public record Settings(int nodes, int jvms, int nodeThreads, int shards, String flowControl, int servicesPerNode,
        int dead, int stalled, int warmup, int rounds, int timeoutSeconds, int basePort)
    {
        public Settings
        {
            requireNonNull(flowControl, "flowControl");
            DistributionChannels.requireShards(shards);
            if (nodes < 1 || jvms < 1 || nodeThreads < 1 || servicesPerNode < 1 || rounds < 1 || timeoutSeconds < 1
                || warmup < 0 || dead < 0 || stalled < 0 || dead + stalled >= nodes)
            {
                throw new IllegalArgumentException("settings: expected nodes, jvms, node threads, services, rounds and"
                    + " timeout of at least 1, dead + stalled below nodes; got " + this);
            }
            if (!"max".equals(flowControl) && !"min".equals(flowControl))
            {
                throw new IllegalArgumentException("--fc: expected max or min, got " + flowControl);
            }
            if (basePort < 1024 || basePort + 1 + shards + nodes > 65_535)
            {
                throw new IllegalArgumentException("--base-port: expected 1024 or more with room for "
                    + (1 + shards + nodes) + " ports, got " + basePort);
            }
        }
    }

    /**
     * Percentiles of a histogram, in microseconds.
     *
     * @param p50Us median.
     * @param p99Us 99th percentile.
     * @param maxUs maximum.
     * @param count values recorded.
     */
    public record Percentiles(long p50Us, long p99Us, long maxUs, long count)
    {
        static Percentiles of(final Histogram histogram)
        {
            return new Percentiles(histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(99),
                histogram.getMaxValue(), histogram.getTotalCount());
        }
    }

    /**
     * What a run measured.
     *
     * @param settings          the settings.
     * @param configBytes       one node's encoded configuration.
     * @param livingNodes       nodes neither dead nor stalled (those measured).
     * @param perNode           each living node's time from the publisher taking a version to its acknowledgement.
     * @param lastNode          each round's time from handing the versions over to the last living node's
     *                          acknowledgement.
     * @param stalledCatchUpMs  time from the stalled nodes' resume to all of them running the latest version (-1:
     *                          none stalled).
     * @param configsApplied    configurations the surviving node agents applied.
     * @param orderViolations   versions applied twice or going back (must be 0).
     * @param configsSent       CONFIG messages the publisher sent.
     * @param configsResent     of which timed resends.
     * @param catchUps          CATCH_UP requests the publisher received.
     * @param sendsFailed       offers that failed (back pressure, retried).
     * @param loadBefore        the machine's one-minute load average before the rounds.
     * @param loadAfter         and after them.
     */
    public record Result(Settings settings, int configBytes, int livingNodes, Percentiles perNode,
        Percentiles lastNode, long stalledCatchUpMs, long configsApplied, long orderViolations, long configsSent,
        long configsResent, long catchUps, long sendsFailed, double loadBefore, double loadAfter)
    {
        /**
         * @return a one-paragraph summary.
         */
        public String summary()
        {
            return String.format(Locale.ROOT, "fleet: %d nodes (%d living, %d dead, %d stalled) in %d+ JVMs, shards %d,"
                    + " fc=%s, configuration %,d bytes, %d rounds after %d warm-up: apply to the last living node's"
                    + " acknowledgement p50 %.1f ms, p99 %.1f ms, max %.1f ms; per node p50 %.1f ms, p99 %.1f ms;"
                    + " stalled caught up in %d ms; applied %d, order violations %d; sent %d, resent %d, catch-ups %d,"
                    + " offers failed %d; load %.1f -> %.1f",
                settings.nodes(), livingNodes, settings.dead(), settings.stalled(), settings.jvms(), settings.shards(),
                settings.flowControl(), configBytes, settings.rounds(), settings.warmup(), lastNode.p50Us() / 1e3,
                lastNode.p99Us() / 1e3, lastNode.maxUs() / 1e3, perNode.p50Us() / 1e3, perNode.p99Us() / 1e3,
                stalledCatchUpMs, configsApplied, orderViolations, configsSent, configsResent, catchUps, sendsFailed,
                loadBefore, loadAfter);
        }
    }
}
