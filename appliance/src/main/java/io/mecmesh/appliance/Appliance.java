package io.mecmesh.appliance;

import io.mecmesh.appliance.admin.AdminServer;
import io.mecmesh.appliance.admin.MetricsExport;
import io.mecmesh.appliance.admin.SliceDump;
import io.mecmesh.appliance.admin.Readiness;
import com.sun.net.httpserver.HttpHandler;
import io.mecmesh.appliance.config.ApplianceConfig;
import io.mecmesh.appliance.config.CaConfig;
import io.mecmesh.appliance.config.ConfigLoader;
import io.mecmesh.appliance.config.IdentityConfig;
import io.mecmesh.appliance.config.ControlPlaneConfig;
import io.mecmesh.appliance.config.DistributionKey;
import io.mecmesh.appliance.config.Role;
import io.mecmesh.appliance.config.TelemetryConfig;
import io.mecmesh.appliance.admin.JdkApiHandler;
import io.mecmesh.appliance.control.ControlApiHandlers;
import io.mecmesh.appliance.control.TimedControlPlane;
import io.mecmesh.appliance.telemetry.RemoteWriteForwarder;
import io.mecmesh.appliance.telemetry.RequestMetrics;
import io.mecmesh.appliance.telemetry.SpanExporter;
import io.mecmesh.appliance.accesslog.AccessLogListener;
import io.mecmesh.appliance.accesslog.AccessLogService;
import io.mecmesh.appliance.config.AccessLogConfig;
import io.mecmesh.appliance.control.ControlApiServer;
import io.mecmesh.appliance.control.MecApi;
import io.mecmesh.appliance.dns.EdgeDns;
import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.policy.PolicyTableWriter;
import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.dataplane.qos.QosConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.ClusterTls;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.error.DataPlaneException;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.mecapi.GracefulTermination;
import io.mecmesh.slicemanager.EdgeNode;
import io.mecmesh.slicemanager.SliceManager;
import io.mecmesh.slicemanager.agent.NodeAgent;
import io.mecmesh.slicemanager.ca.CaDirectory;
import io.mecmesh.slicemanager.ca.CaKeyStore;
import io.mecmesh.slicemanager.ca.ConfigSigningKeys;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException;
import io.mecmesh.slicemanager.ca.EnrolmentTokenHttpHandler;
import io.mecmesh.slicemanager.ca.EnrolmentTokens;
import io.mecmesh.slicemanager.ca.IdentityHttpHandler;
import io.mecmesh.slicemanager.ca.IssuedLog;
import io.mecmesh.slicemanager.ca.SigningService;
import io.mecmesh.slicemanager.ca.SiteAuthority;
import io.mecmesh.slicemanager.ca.WorkloadSigningHandler;
import io.mecmesh.slicemanager.http.ApiHandler;
import io.mecmesh.slicemanager.compiler.CompilerSettings;
import io.mecmesh.slicemanager.compiler.NodeMeshConfig;
import io.mecmesh.slicemanager.distribution.AeronMessaging;
import io.mecmesh.slicemanager.distribution.DistributionChannels;
import io.mecmesh.slicemanager.identity.HttpCertificateSigner;
import io.mecmesh.slicemanager.identity.IdentityClientException;
import io.mecmesh.slicemanager.identity.NodeIdentityClient;
import io.mecmesh.slicemanager.identity.NodeIdentityConfig;
import io.mecmesh.slicemanager.journal.JournalException;
import io.mecmesh.slicemanager.model.Node;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * A running appliance, assembled in one place, by role (see ARCHITECTURE.md, "The control path"):
 * <ul>
 *   <li>{@code control}: Aeron messaging, the {@link SliceManager}, the control-plane API, the admin endpoint;</li>
 *   <li>{@code edge}: the data plane, then (with a control plane configured) Aeron messaging and the node agent
 *       ({@link EdgeNode}, which loads the last known good configuration before the admin endpoint reports ready),
 *       then the admin endpoint;</li>
 *   <li>{@code all}: both, the node agent reaching the slice manager over Aeron IPC.</li>
 * </ul>
 * Everything is stopped in the reverse order.
 */
public final class Appliance implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Appliance.class);
    private static final Duration IDENTITY_REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final DataPlane dataPlane;
    private final SliceManager sliceManager;
    private final ControlApiServer controlApi;
    private final AdminServer admin;
    private final List<AutoCloseable> started;

    private Appliance(
        final DataPlane dataPlane, final SliceManager sliceManager, final ControlApiServer controlApi,
        final AdminServer admin, final List<AutoCloseable> started)
    {
        this.dataPlane = dataPlane;
        this.sliceManager = sliceManager;
        this.controlApi = controlApi;
        this.admin = admin;
        this.started = started;
    }

    /**
     * Starts what the role needs, in order; on failure stops what was started.
     *
     * @param config the validated configuration.
     * @return the running appliance.
     * @throws ApplianceException when something cannot start ({@code CONFIG} or {@code UNAVAILABLE}).
     */
    public static Appliance start(final ApplianceConfig config)
    {
        requireNonNull(config, "config");
        final Deque<AutoCloseable> started = new ArrayDeque<>();
        try
        {
            return start(config, started);
        }
        catch (final RuntimeException ex)
        {
            closeAll(started);
            throw ex;
        }
    }

    private static Appliance start(final ApplianceConfig config, final Deque<AutoCloseable> started)
    {
        final Role role = config.role();
        final Optional<ControlPlaneConfig> control = config.controlPlane();
        if (control.isPresent() || config.identity().isPresent())
        {
            // Journal, Aeron directory, last known good and identity are this process's alone.
            started.push(DataDirectoryLock.acquire(config.dataDirectory()));
        }
        final byte[] key = control.isPresent() ? distributionKey(control.get(), role) : new byte[0];
        AeronMessaging messaging = null;
        if (control.isPresent())
        {
            messaging = startMessaging(config.dataDirectory().resolve("aeron"));
            started.push(messaging);
        }
        SliceManager sliceManager = null;
        TimedControlPlane timedControl = null;
        ControlApiServer controlApi = null;
        ConfigSigningKeys signingKeys = null;
        CaDirectory caDirectory = null;
        IdentityHttpHandler caSigning = null;
        EnrolmentTokens enrolment = null;
        if (role != Role.EDGE)
        {
            final ControlPlaneConfig controlPlane = control.orElseThrow();
            final DistributionChannels channels = role == Role.ALL ? DistributionChannels.ipc()
                : DistributionChannels.udpControlPlane(controlPlane.configEndpoint(), controlPlane.ackEndpoint())
                    .withShards(controlPlane.shards());
            // Opened once: its trust domain is the one the control plane compiles mesh hops in.
            caDirectory = config.ca().map(Appliance::openCa).orElse(null);
            final CompilerSettings compilerSettings = caDirectory != null
                ? CompilerSettings.DEFAULT.withTrustDomain(caDirectory.authority().trustDomain())
                : CompilerSettings.DEFAULT;
            signingKeys = ConfigSigning.open(caDirectory != null ? caDirectory.directory()
                : config.dataDirectory().resolve("control"));
            sliceManager = startSliceManager(new SliceManager.Settings(config.dataDirectory().resolve("control"),
                channels, key, compilerSettings, signingKeys, new SliceManager.ClusterSettings(
                    controlPlane.cluster().enabled(), controlPlane.cluster().commitTimeout(),
                    controlPlane.cluster().memberId(), controlPlane.cluster().members(),
                    controlPlane.cluster().leaderHeartbeatTimeout())), messaging);
            started.push(sliceManager);
            timedControl = new TimedControlPlane(sliceManager, System::nanoTime);
            // With a MEC API, an operator's delete of an instance subscribed to its termination is graceful.
            final Map<String, ApiHandler> handlers = new HashMap<>(ControlApiHandlers.of(
                controlPlane.mecApi().isPresent() ? GracefulTermination.wrap(timedControl) : timedControl));
            if (config.ca().isPresent())
            {
                final SigningService signing = signingService(config.ca().get(), caDirectory, sliceManager,
                    config.dataDirectory().resolve("enrolment"))
                    .handOutConfigVerificationKeys(signingKeys::verificationKeys);
                caSigning = new IdentityHttpHandler(signing);
                handlers.put(IdentityHttpHandler.CONTEXT, caSigning);
                handlers.put(EnrolmentTokenHttpHandler.PATH, new EnrolmentTokenHttpHandler(signing));
                enrolment = signing.enrolment().orElse(null);
            }
            controlApi = ControlApiServer.start(controlPlane.api(), Optional.ofNullable(caDirectory),
                config.ca().map(CaConfig::svidTtl).orElse(CaConfig.DEFAULT_SVID_TTL), handlers);
            started.push(controlApi);
            if (controlPlane.mecApi().isPresent())
            {
                started.push(MecApi.start(controlPlane.mecApi().get(), controlApi, Optional.ofNullable(caDirectory),
                    config.ca().map(CaConfig::svidTtl).orElse(CaConfig.DEFAULT_SVID_TTL), sliceManager));
            }
        }
        NodeIdentityClient identity = null;
        MeshConfig fromFile = config.dataplane();
        if (config.identity().isPresent() && role != Role.CONTROL)
        {
            final ControlPlaneConfig controlPlane = control.orElseThrow();
            final int apiPort = controlApi != null ? controlApi.address().getPort() : controlPlane.api().port();
            identity = startIdentity(config, URI.create(controlPlane.api().scheme() + "://"
                + controlPlane.api().address() + ":" + apiPort));
            started.push(identity);
            fromFile = withNodeIdentity(fromFile, identity);
        }
        final DataPlaneCounters counters = new DataPlaneCounters();
        DataPlane dataPlane = null;
        EdgeNode edgeNode = null;
        RequestMetrics requestMetrics = null;
        SpanExporter spanExporter = null;
        EdgeDns edgeDns = null;
        if (role != Role.CONTROL)
        {
            dataPlane = startDataPlane(fromFile, counters);
            final List<AccessLogListener> listeners = new ArrayList<>();
            if (config.telemetry().requestMetrics())
            {
                requestMetrics = new RequestMetrics(dataPlane.accessLog().names());
                listeners.add(requestMetrics);
            }
            if (config.telemetry().tracing().isPresent())
            {
                final TelemetryConfig.Tracing tracing = config.telemetry().tracing().get();
                dataPlane.accessLog().tracing().configure(tracing.trace());
                if (tracing.trace().enabled() && tracing.otlpUrl().isPresent())
                {
                    spanExporter = new SpanExporter(tracing.otlpUrl().get(), config.node().id(),
                        dataPlane.accessLog().names(), tracing.maxQueueSpans(), tracing.maxBatchSpans(),
                        tracing.exportIntervalMs());
                    listeners.add(spanExporter);
                }
            }
            if (config.accessLog().enabled() || !listeners.isEmpty())
            {
                // Pushed first so that it closes after the data plane: the exchanges it drains are logged too.
                started.push(startAccessLog(config.accessLog(), listeners.isEmpty() ? AccessLogListener.NONE
                    : AccessLogListener.all(listeners), dataPlane));
            }
            started.push(dataPlane);
            publishFileSlices(dataPlane, config.slicePolicies());
            if (config.dns().enabled())
            {
                edgeDns = EdgeDns.start(config.dns(), fromFile);
                started.push(edgeDns);
            }
            if (control.isPresent())
            {
                final ControlPlaneConfig controlPlane = control.get();
                final DistributionChannels channels = role == Role.ALL ? DistributionChannels.ipc()
                    : DistributionChannels.udpNode(controlPlane.configEndpoint(), controlPlane.ackEndpoint(),
                    controlPlane.nodeEndpoint()).withShards(controlPlane.shards());
                final DataPlane target = dataPlane;
                final MeshConfig staticConfig = fromFile;
                final NodeIdentityClient nodeIdentity = identity;
                final EdgeDns dns = edgeDns;
                edgeNode = startEdgeNode(new NodeAgent.Context(config.node().id(), messaging.aeron(), channels, key,
                    config.dataDirectory().resolve("lkg"), compiled ->
                    {
                        // Routes, classifier, clusters and policy table of one version, swapped as one snapshot.
                        final MeshConfig running = withCompiledHops(withStatic(staticConfig, compiled), nodeIdentity);
                        target.update(running, compiled.toPolicyTable(), DataPlane.DEFAULT_DRAIN_MS);
                        if (dns != null)
                        {
                            dns.applied(compiled.dnsRules(), running);
                        }
                    }).withVerificationKeys(ConfigSigning.verificationKeys(config, signingKeys)),
                    controlPlane.nodeEndpoint());
                started.push(edgeNode);
            }
        }
        final Supplier<Readiness> readiness = readiness(dataPlane, edgeNode, identity);
        final MetricsExport metrics = metrics(dataPlane, counters, readiness);
        if (dataPlane != null)
        {
            metrics.addHealthAndOverload(dataPlane::healthCheckStats, dataPlane.overload().stats())
                .addSlices(dataPlane.sliceStats())
                .addQos(dataPlane.qos());
        }
        if (requestMetrics != null)
        {
            metrics.addRequestMetrics(requestMetrics);
        }
        if (spanExporter != null)
        {
            metrics.addSpanExporter(spanExporter);
        }
        if (edgeDns != null)
        {
            edgeDns.exportTo(metrics);
        }
        if (edgeNode != null)
        {
            final EdgeNode node = edgeNode;
            metrics.addDistribution("node", edgeNode.counters()).addNodeAgent(new MetricsExport.NodeAgentView(
                node::runningVersion, node::isConnected, node::secondsSinceContact, () -> node.fallback().isPresent()));
        }
        if (caDirectory != null)
        {
            metrics.addCertificateAuthority(caDirectory::trustBundle, caDirectory.issued()::entries,
                caSigning == null ? Map::of : caSigning::refusals, Instant::now);
        }
        if (identity != null)
        {
            metrics.addIdentity(identity::status);
        }
        if (sliceManager != null)
        {
            metrics.addDistribution("control", sliceManager.counters())
                .addNodeStatus(sliceManager::nodeStatus, sliceManager::nanoTime)
                .addApiAccess(controlApi.access(), Optional.ofNullable(enrolment))
                .addControlPlane(timedControl.applyDuration(), timedControl.nodeApplyDuration(),
                    sliceManager::journalSize);
            sliceManager.onConfigApplied(timedControl::observeNodeApply);
        }
        started.stream().filter(MecApi.class::isInstance).map(MecApi.class::cast).findFirst()
            .ifPresent(mecApi -> metrics.addMecNotifications(mecApi::notifications));
        if (config.telemetry().remoteWrite().isPresent())
        {
            final RemoteWriteForwarder forwarder = startRemoteWrite(config, metrics);
            started.push(forwarder);
            metrics.addRemoteWrite(forwarder);
        }
        final DataPlane running = dataPlane;
        final Map<String, HttpHandler> adminExtra = new HashMap<>();
        if (identity != null && config.identity().orElseThrow().siteCa().isPresent())
        {
            adminExtra.put(WorkloadSigningHandler.PATH, JdkApiHandler.of(workloadSigning(config.identity().orElseThrow(),
                identity)));
        }
        if (edgeDns != null)
        {
            adminExtra.put(EdgeDns.PATH, edgeDns.adminHandler());
        }
        final AdminServer admin = AdminServer.start(config.admin(), readiness, metrics,
            running == null ? () -> null
                : () -> SliceDump.of(running.config(), running.policyTable(), running.qos().gbr()), adminExtra);
        started.push(admin);
        LOG.info("mecmesh {} node {} started as {}: {}admin {}", Version.current(), config.node().id(),
            role.name().toLowerCase(Locale.ROOT),
            (dataPlane == null ? "" : "listeners " + dataPlane.listenerAddresses() + ", ")
                + (controlApi == null ? "" : "control API " + controlApi.address() + ", "), admin.address());
        return new Appliance(dataPlane, sliceManager, controlApi, admin, new ArrayList<>(started));
    }

    /**
     * The data plane's configuration on an edge with a control plane: the file's listeners; its routes and clusters
     * (static) followed by the control plane's, and the control plane's classification rules (with the file's
     * default slice, {@code dataplane.classification.defaultSlice}). Routes match by host specificity first, so the control plane's
     * {@code video.example} beats a static {@code *}; within one host the file's route comes first. A cluster name
     * used by both makes the configuration invalid: the node refuses it and reports why.
     */
    private static MeshConfig withStatic(final MeshConfig fromFile, final NodeMeshConfig compiled)
    {
        final List<RouteConfig> routes = new ArrayList<>(fromFile.routes());
        routes.addAll(compiled.meshConfig().routes());
        final List<ClusterConfig> clusters = new ArrayList<>(fromFile.clusters());
        clusters.addAll(compiled.meshConfig().clusters());
        return fromFile.withRoutes(compiled.version(), routes, clusters)
            .withClassification(compiled.meshConfig().classification()
                .withDefaultSliceId(fromFile.classification().defaultSliceId()))
            .withQos(compiled.meshConfig().qos().equals(QosConfig.NONE) ? fromFile.qos() : compiled.meshConfig().qos());
    }

    /**
     * The default records of the slices the file declares ({@code dataplane.slices}), version 0: what an edge
     * without a control plane enforces; a control plane's compiled table replaces them.
     */
    private static void publishFileSlices(final DataPlane dataPlane, final List<SlicePolicy> policies)
    {
        if (policies.isEmpty())
        {
            return;
        }
        final PolicyTableWriter writer = new PolicyTableWriter(policies.size());
        policies.forEach(writer::add);
        dataPlane.publishPolicyTable(writer.build(0));
    }

    private static DataPlane startDataPlane(final MeshConfig config, final DataPlaneCounters counters)
    {
        try
        {
            return DataPlane.start(config, counters);
        }
        catch (final DataPlaneException ex)
        {
            throw new ApplianceException(ex.category() == DataPlaneException.Category.CONFIG
                ? ApplianceException.Category.CONFIG : ApplianceException.Category.UNAVAILABLE,
                (ex.category() == DataPlaneException.Category.CONFIG ? "dataplane." : "") + ex.getMessage(), ex);
        }
    }

    /** The access log's agent and queue; a queue that cannot be opened stops the start (the data plane too). */
    private static AccessLogService startAccessLog(final AccessLogConfig config, final AccessLogListener listener,
        final DataPlane dataPlane)
    {
        try
        {
            return AccessLogService.start(config, listener, dataPlane.accessLog());
        }
        catch (final RuntimeException ex)
        {
            dataPlane.close();
            throw new ApplianceException(ApplianceException.Category.UNAVAILABLE, "accessLog.directory: "
                + config.directory() + ": cannot open the access log: " + ex.getMessage(), ex);
        }
    }

    /** Remote write pushes what {@code /metrics} serves, labelled with this node as {@code instance}. */
    private static RemoteWriteForwarder startRemoteWrite(final ApplianceConfig config, final MetricsExport metrics)
    {
        final Path spool = config.dataDirectory().resolve("telemetry").resolve("remote-write");
        try
        {
            return RemoteWriteForwarder.start(config.telemetry().remoteWrite().orElseThrow(), spool, () ->
            {
                final ByteArrayOutputStream text = new ByteArrayOutputStream(16_384);
                try
                {
                    metrics.writeTo(text);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
                return text.toString(StandardCharsets.UTF_8);
            }, Map.of("instance", config.node().id(), "job", "mecmesh"));
        }
        catch (final UncheckedIOException ex)
        {
            throw new ApplianceException(ApplianceException.Category.UNAVAILABLE, "telemetry.remoteWrite: spool "
                + spool + ": " + ex.getMessage(), ex);
        }
    }

    private static MetricsExport metrics(final DataPlane dataPlane, final DataPlaneCounters counters,
        final Supplier<Readiness> readiness)
    {
        if (dataPlane == null)
        {
            // role: control exports only what it runs (no data-plane families full of zeros).
            return new MetricsExport(() -> readiness.get().ready(), new MetricsExport.BuildInfo(Version.current(),
                "none", Runtime.version().toString()));
        }
        return new MetricsExport(counters, dataPlane.peerRejections(), () -> readiness.get().ready(),
            new MetricsExport.BuildInfo(Version.current(), dataPlane.transport().kind().name().toLowerCase(Locale.ROOT),
            Runtime.version().toString()));
    }

    /**
     * {@code /ready}: every listener bound and, on an edge with a control plane, a configuration applied (from the
     * last known good file or the control plane): until then it answers 404 to what the control plane routes. An
     * edge without a control plane is ready once its listeners are bound. A node identity without a valid
     * certificate leaves it ready (its plain listeners serve) and degraded: the body says so.
     */
    private static Supplier<Readiness> readiness(final DataPlane dataPlane, final EdgeNode edgeNode,
        final NodeIdentityClient identity)
    {
        return () ->
        {
            final List<String> notReady = new ArrayList<>(2);
            if (dataPlane != null && !dataPlane.isReady())
            {
                notReady.add("listeners not bound");
            }
            if (edgeNode != null && edgeNode.runningVersion() < 0)
            {
                notReady.add("no configuration applied yet: " + edgeNode.startOutcome().describe());
            }
            // A last-known-good fallback serves, but maybe endpoints the operator withdrew; a node without a valid
            // identity serves its plain listeners only: ready, and degraded.
            final List<String> degraded = new ArrayList<>(2);
            if (edgeNode != null)
            {
                edgeNode.fallback().ifPresent(degraded::add);
            }
            if (identity != null)
            {
                identity.degraded().ifPresent(degraded::add);
            }
            return Readiness.of(notReady, degraded);
        };
    }

    /**
     * Obtains this node's identity (or loads the persisted one when the CA is unreachable) before anything uses it;
     * without either it starts without one and keeps asking (issue 11: an identity never takes the edge down).
     */
    private static NodeIdentityClient startIdentity(final ApplianceConfig config, final URI controlPlane)
    {
        final IdentityConfig identity = config.identity().orElseThrow();
        try
        {
            // The node's one-time enrolment token (or the deprecated shared join token); once enrolled, renewals
            // authenticate with the node's SVID over mutual TLS and the file may be removed.
            final Optional<String> token = Files.exists(identity.joinTokenFile())
                ? Optional.of(SigningService.readJoinToken(identity.joinTokenFile())) : Optional.empty();
            return NodeIdentityClient.start(new NodeIdentityConfig(identity.trustDomain(), config.node().site(),
                config.node().id(), identity.directory()), new HttpCertificateSigner(controlPlane,
                Optional.of(identity.trustDomain()), token, IDENTITY_REQUEST_TIMEOUT), InstantSource.system());
        }
        catch (final IdentityClientException | CertificateAuthorityException ex)
        {
            throw new ApplianceException(ApplianceException.Category.UNAVAILABLE, "identity: " + ex.getMessage(), ex);
        }
    }

    /**
     * Every listener and cluster with {@code tls: {identity: node}} follows the node identity (hot-swapped at each
     * renewal).
     */
    private static MeshConfig withNodeIdentity(final MeshConfig config, final NodeIdentityClient identity)
    {
        final List<ListenerConfig> listeners = config.listeners().stream()
            .map(l -> l.tls().filter(ConfigLoader::isNodeIdentity).isPresent()
                ? l.withTls(Optional.of(identity.tlsConfig(l.tls().get().mode()))) : l)
            .toList();
        final List<ClusterConfig> clusters = config.clusters().stream()
            .map(c -> c.tls().filter(t -> ConfigLoader.isNodeIdentity(t.tls())).isPresent()
                ? c.withTls(Optional.of(new ClusterTls(identity.tlsConfig(TlsConfig.Mode.MESH),
                c.tls().get().expectedPeer(), c.tls().get().sni())))
                : c)
            .toList();
        return config.withListeners(config.version(), listeners).withRoutes(config.version(), config.routes(),
            clusters);
    }

    /**
     * The control plane's compiled mesh hops use this node's identity ({@link TlsConfig#nodeIdentity}): resolved here
     * like the file's {@code tls: {identity: node}}. Without an identity section the node refuses such a
     * configuration (reported to the control plane as an apply failure) and keeps its current one.
     */
    private static MeshConfig withCompiledHops(final MeshConfig config, final NodeIdentityClient identity)
    {
        if (identity != null)
        {
            return withNodeIdentity(config, identity);
        }
        for (final ClusterConfig cluster : config.clusters())
        {
            if (cluster.tls().filter(t -> t.tls().isNodeIdentity()).isPresent())
            {
                throw new IllegalArgumentException("cluster " + cluster.name() + ": a mesh hop needs this node's "
                    + "identity, and the configuration has no identity section");
            }
        }
        return config;
    }

    /** The CA directory (its current root, reloaded after a rotation, and its issued log). */
    private static CaDirectory openCa(final CaConfig ca)
    {
        try
        {
            final CaDirectory directory = CaDirectory.open(ca.directory(), CaKeyStore.passphrase(ca.passphraseFile()),
                InstantSource.system());
            reportCorruption(ca.directory().resolve(IssuedLog.FILE), directory.issued());
            return directory;
        }
        catch (final CertificateAuthorityException | IllegalArgumentException ex)
        {
            throw new ApplianceException(ApplianceException.Category.CONFIG, "ca: " + ex.getMessage(), ex);
        }
    }

    /**
     * The site CA's endpoint for the site's workloads (the edge's admin endpoint, loopback by default): it issues
     * from the site intermediate on disk, so it keeps working while the control plane is unreachable. It takes up a
     * rotated intermediate ({@code mecmesh cert intermediate --rotate}) at its next issuance, and the trust bundle
     * the node identity receives with each SVID replaces the site's {@code bundle.pem}, so the site follows a root
     * rotation. Its key store has its own passphrase ({@code identity.siteCa.passphraseFile}, default
     * {@code MECMESH_SITE_CA_PASSPHRASE}).
     */
    private static WorkloadSigningHandler workloadSigning(final IdentityConfig identity,
        final NodeIdentityClient node)
    {
        final IdentityConfig.SiteCa site = identity.siteCa().orElseThrow();
        try
        {
            final SiteAuthority authority = SiteAuthority.load(site.directory(),
                CaKeyStore.passphrase(site.passphraseFile(), SiteAuthority.PASSPHRASE_VARIABLE),
                InstantSource.system(), site.svidTtl(), () -> node.materialSource().hasMaterial()
                ? node.materialSource().current().trustBundle() : List.of());
            reportCorruption(site.directory().resolve(IssuedLog.FILE), IssuedLog.read(
                site.directory().resolve(IssuedLog.FILE)));
            return new WorkloadSigningHandler(authority, SigningService.readJoinToken(identity.joinTokenFile()));
        }
        catch (final CertificateAuthorityException | IllegalArgumentException ex)
        {
            throw new ApplianceException(ApplianceException.Category.CONFIG, "identity.siteCa: " + ex.getMessage(),
                ex);
        }
    }

    /**
     * The CA's signing endpoint: a node may be issued its SVID when the desired state declares it, at its site. It
     * signs with the CA directory's current root, reloaded when {@code mecmesh cert rotate} replaced it (no restart),
     * and hands out the directory's {@code bundle.pem} with each SVID (both roots during a rotation). Every SVID is
     * recorded in the directory's {@code issued.log} before it is returned.
     */
    private static SigningService signingService(final CaConfig ca, final CaDirectory directory,
        final SliceManager sliceManager, final Path enrolmentDirectory)
    {
        try
        {
            return new SigningService(directory, nodeId -> Optional.ofNullable(
                sliceManager.state().nodes().get(nodeId)).map(Node::site),
                ca.joinTokenFile().map(SigningService::readJoinToken),
                EnrolmentTokens.open(enrolmentDirectory, InstantSource.system()), ca.svidTtl());
        }
        catch (final CertificateAuthorityException | IllegalArgumentException ex)
        {
            throw new ApplianceException(ApplianceException.Category.CONFIG, "ca: " + ex.getMessage(), ex);
        }
    }

    private static void reportCorruption(final Path file, final IssuedLog log)
    {
        for (final IssuedLog.Corruption corruption : log.corruptLines())
        {
            LOG.warn("{} line {} is corrupt and is kept as it is: {} (mecmesh cert issued lists it)", file,
                corruption.line(), corruption.reason());
        }
    }

    private static AeronMessaging startMessaging(final Path aeronDirectory)
    {
        try
        {
            return AeronMessaging.launch(aeronDirectory);
        }
        catch (final RuntimeException ex)
        {
            throw new ApplianceException(ApplianceException.Category.UNAVAILABLE, "the Aeron media driver cannot start"
                + " in " + aeronDirectory + ": " + ex.getMessage(), ex);
        }
    }

    private static SliceManager startSliceManager(final SliceManager.Settings settings, final AeronMessaging messaging)
    {
        try
        {
            return SliceManager.start(settings, messaging.aeron());
        }
        catch (final JournalException ex)
        {
            throw new ApplianceException(ApplianceException.Category.UNAVAILABLE, "the slice manager cannot recover"
                + " its state from " + settings.stateDirectory() + ": " + ex.getMessage(), ex);
        }
        catch (final IllegalStateException ex)
        {
            throw new ApplianceException(ApplianceException.Category.UNAVAILABLE, "controlPlane: the configuration"
                + " publisher cannot start: " + ex.getMessage(), ex);
        }
    }

    /** The node agent, once its last known good configuration is loaded and its channels are bound. */
    private static EdgeNode startEdgeNode(final NodeAgent.Context context, final String nodeEndpoint)
    {
        try
        {
            return EdgeNode.start(context);
        }
        catch (final IllegalStateException ex)
        {
            throw new ApplianceException(ApplianceException.Category.UNAVAILABLE, "controlPlane.nodeEndpoint "
                + nodeEndpoint + ": the node agent cannot start: " + ex.getMessage(), ex);
        }
    }

    private static byte[] distributionKey(final ControlPlaneConfig control, final Role role)
    {
        if (control.keyFile() == null)
        {
            final byte[] key = new byte[DistributionKey.MIN_BYTES];
            new SecureRandom().nextBytes(key);
            LOG.info("role {}: no controlPlane.keyFile, using a key generated for this process", role);
            return key;
        }
        return DistributionKey.read(control.keyFile());
    }

    /**
     * @return the data plane, or {@code null} for role {@code control}.
     */
    public DataPlane dataPlane()
    {
        return dataPlane;
    }

    /**
     * @return the slice manager, or {@code null} for role {@code edge}.
     */
    public SliceManager sliceManager()
    {
        return sliceManager;
    }

    /**
     * @return the control-plane API's address, or {@code null} for role {@code edge}.
     */
    public InetSocketAddress controlApiAddress()
    {
        return controlApi == null ? null : controlApi.address();
    }

    /**
     * @return the MEC API's TCP port, if this appliance serves it ({@code controlPlane.mecApi}).
     */
    public java.util.OptionalInt mecApiPort()
    {
        return started.stream().filter(MecApi.class::isInstance).mapToInt(api -> ((MecApi)api).port()).findFirst();
    }

    public InetSocketAddress adminAddress()
    {
        return admin.address();
    }

    /**
     * Stops everything in the reverse order of start; returns within a few seconds (the data plane drains).
     */
    @Override
    public void close()
    {
        closeAll(new ArrayDeque<>(started));
        LOG.info("mecmesh stopped");
    }

    private static void closeAll(final Deque<AutoCloseable> started)
    {
        AutoCloseable next;
        while ((next = started.poll()) != null)
        {
            try
            {
                next.close();
            }
            catch (final Exception ex)
            {
                LOG.warn("stopping {} failed", next.getClass().getSimpleName(), ex);
            }
        }
    }
}
