package io.mecmesh.appliance.admin;

import io.mecmesh.slicemanager.api.ApiAccess;
import io.mecmesh.slicemanager.ca.EnrolmentTokens;
import io.mecmesh.dataplane.classify.SliceStats;
import io.mecmesh.dataplane.classify.SliceStatsRegistry;
import io.mecmesh.dataplane.qos.QosOutcome;
import io.mecmesh.dataplane.qos.QosRuntime;
import io.mecmesh.dataplane.cluster.HealthCheckStats;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.counters.Overflow;
import io.mecmesh.dataplane.counters.StatsRegistry;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.dataplane.overload.OverloadReason;
import io.mecmesh.dataplane.overload.OverloadStats;
import io.mecmesh.dataplane.tls.PeerRejections;
import io.mecmesh.slicemanager.distribution.DistributionCounter;
import io.mecmesh.slicemanager.distribution.DistributionCounters;
import io.mecmesh.slicemanager.distribution.NodeStatus;
import io.mecmesh.slicemanager.journal.CommandJournal;
import io.mecmesh.slicemanager.ca.IssuedLog;
import io.mecmesh.slicemanager.identity.IdentityStatus;
import io.mecmesh.mecapi.dns.DnsCounter;
import io.mecmesh.mecapi.dns.DnsCounters;
import io.mecmesh.mecapi.NotificationCounter;
import io.mecmesh.appliance.telemetry.RemoteWriteCounter;
import io.mecmesh.appliance.telemetry.RemoteWriteForwarder;
import io.mecmesh.appliance.telemetry.RequestMetrics;
import io.mecmesh.appliance.telemetry.SpanExporter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Exposes the data plane's counters as Prometheus metrics, read at scrape time (the request path only increments
 * counters; nothing is copied until a scrape asks). Names: {@code mecmesh_<counter>_total}; responses by class
 * share {@code mecmesh_responses_total{class="2xx"}}.
 */
public final class MetricsExport
{
    private static final Set<DataPlaneCounter> RESPONSE_CLASSES = EnumSet.of(
        DataPlaneCounter.RESPONSES_1XX, DataPlaneCounter.RESPONSES_2XX, DataPlaneCounter.RESPONSES_3XX,
        DataPlaneCounter.RESPONSES_4XX, DataPlaneCounter.RESPONSES_5XX);

    private static final Pattern SITE_SCOPE = Pattern.compile("spiffe://[^/]+/site/[^/]+");

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /**
     * @param counters the data plane's counters.
     * @param ready    whether the appliance is ready (exported as {@code mecmesh_ready}).
     * @param info     labels of {@code mecmesh_build_info}: version, transport.
     */
    public MetricsExport(final DataPlaneCounters counters, final BooleanSupplier ready, final BuildInfo info)
    {
        this(counters, new PeerRejections(), ready, info);
    }

    /**
     * @param counters   the data plane's counters.
     * @param rejections peers refused in TLS handshakes, by reason.
     * @param ready      whether the appliance is ready (exported as {@code mecmesh_ready}).
     * @param info       labels of {@code mecmesh_build_info}: version, transport.
     */
    public MetricsExport(final DataPlaneCounters counters, final PeerRejections rejections,
        final BooleanSupplier ready, final BuildInfo info)
    {
        this(ready, info);
        requireNonNull(counters, "counters");
        requireNonNull(rejections, "rejections");
        addDataPlane(counters, rejections);
    }

    /**
     * Metrics of a process without a data plane ({@code role: control}): readiness and build information only; the
     * rest is added for what the role runs ({@link #addDistribution}, {@link #addNodeStatus},
     * {@link #addCertificateAuthority}).
     *
     * @param ready whether the appliance is ready (exported as {@code mecmesh_ready}).
     * @param info  labels of {@code mecmesh_build_info}.
     */
    public MetricsExport(final BooleanSupplier ready, final BuildInfo info)
    {
        requireNonNull(ready, "ready");
        requireNonNull(info, "info");
        GaugeWithCallback.builder()
            .name("mecmesh_ready")
            .help("1 while every listener is bound and the appliance is not shutting down, else 0.")
            .callback(callback -> callback.call(ready.getAsBoolean() ? 1 : 0))
            .register(registry);
        GaugeWithCallback.builder()
            .name("mecmesh_build_info")
            .help("Always 1; the labels say which build runs on which transport.")
            .labelNames("version", "transport", "java_version")
            .callback(callback -> callback.call(1, info.version(), info.transport(), info.javaVersion()))
            .register(registry);
    }

    private void addDataPlane(final DataPlaneCounters counters, final PeerRejections rejections)
    {
        for (final DataPlaneCounter counter : DataPlaneCounter.values())
        {
            if (!RESPONSE_CLASSES.contains(counter))
            {
                CounterWithCallback.builder()
                    .name("mecmesh_" + counter.metricName())
                    .help(counter.help())
                    .callback(callback -> callback.call(counters.get(counter)))
                    .register(registry);
            }
        }
        CounterWithCallback.builder()
            .name("mecmesh_responses")
            .help("Responses sent downstream, by status class (1xx counts informational responses).")
            .labelNames("class")
            .callback(callback ->
            {
                for (final DataPlaneCounter counter : RESPONSE_CLASSES)
                {
                    callback.call(counters.get(counter), responseClassLabel(counter));
                }
            })
            .register(registry);
        final StatsRegistry stats = counters.stats();
        CounterWithCallback.builder()
            .name("mecmesh_route_requests")
            .help("Requests taken by a route.")
            .labelNames("route")
            .callback(callback -> stats.routes().forEach(r -> callback.call(r.requests(), r.name())))
            .register(registry);
        CounterWithCallback.builder()
            .name("mecmesh_route_responses")
            .help("Responses to requests of a route, by status class.")
            .labelNames("route", "class")
            .callback(callback -> stats.routes().forEach(r ->
            {
                for (int statusClass = 1; statusClass <= 5; statusClass++)
                {
                    callback.call(r.responses(statusClass), r.name(), statusClass + "xx");
                }
            }))
            .register(registry);
        CounterWithCallback.builder()
            .name("mecmesh_route_retries")
            .help("Retried attempts of a route's requests.")
            .labelNames("route")
            .callback(callback -> stats.routes().forEach(r -> callback.call(r.retries(), r.name())))
            .register(registry);
        CounterWithCallback.builder()
            .name("mecmesh_route_timeouts")
            .help("A route's requests answered 504 by its timeout.")
            .labelNames("route")
            .callback(callback -> stats.routes().forEach(r -> callback.call(r.timeouts(), r.name())))
            .register(registry);
        CounterWithCallback.builder()
            .name("mecmesh_cluster_attempts")
            .help("Attempts sent to a cluster's endpoints (requests and their retries).")
            .labelNames("cluster")
            .callback(callback -> stats.clusters().forEach(c -> callback.call(c.attempts(), c.name())))
            .register(registry);
        CounterWithCallback.builder()
            .name("mecmesh_cluster_failures")
            .help("Failed attempts towards a cluster: 5xx, connect failures, resets, timeouts.")
            .labelNames("cluster")
            .callback(callback -> stats.clusters().forEach(c -> callback.call(c.failures(), c.name())))
            .register(registry);
        CounterWithCallback.builder()
            .name("mecmesh_cluster_connect_failures")
            .help("Connection attempts to a cluster's endpoints that failed.")
            .labelNames("cluster")
            .callback(callback -> stats.clusters().forEach(c -> callback.call(c.connectFailures(), c.name())))
            .register(registry);
        CounterWithCallback.builder()
            .name("mecmesh_cluster_ejections")
            .help("Endpoints of a cluster ejected by outlier detection.")
            .labelNames("cluster")
            .callback(callback -> stats.clusters().forEach(c -> callback.call(c.ejections(), c.name())))
            .register(registry);
        CounterWithCallback.builder()
            .name("mecmesh_cluster_circuit_open")
            .help("Requests answered 503 at once because a cluster's circuit breaker limit was reached, by limit.")
            .labelNames("cluster", "reason")
            .callback(callback -> stats.clusters().forEach(c ->
            {
                for (final Overflow reason : Overflow.values())
                {
                    callback.call(c.circuitOpen(reason), c.name(), reason.label());
                }
            }))
            .register(registry);
        CounterWithCallback.builder()
            .name("mecmesh_tls_peer_rejected")
            .help("Peers refused in TLS handshakes, by the SPIFFE X.509-SVID rule their certificate broke.")
            .labelNames("reason")
            .callback(callback ->
            {
                for (final X509SvidValidator.Reason reason : X509SvidValidator.Reason.values())
                {
                    if (reason != X509SvidValidator.Reason.VALID)
                    {
                        callback.call(rejections.get(reason), reason.name().toLowerCase(Locale.ROOT));
                    }
                }
            })
            .register(registry);
    }

    /**
     * Exports active health checking ({@code mecmesh_health_checks_total{cluster,result}},
     * {@code mecmesh_cluster_endpoints{cluster}}, {@code mecmesh_cluster_endpoints_healthy{cluster}}) and overload
     * shedding ({@code mecmesh_overload_shed_total{reason}}, {@code mecmesh_overload_entered_total},
     * {@code mecmesh_overload_active}).
     *
     * @param healthChecks the health-check counters of the clusters that have checks (read at each scrape).
     * @param overload     the overload counters.
     * @return this.
     */
    public MetricsExport addHealthAndOverload(final Supplier<Collection<HealthCheckStats>> healthChecks,
        final OverloadStats overload)
    {
        requireNonNull(healthChecks, "healthChecks");
        requireNonNull(overload, "overload");
        CounterWithCallback.builder()
            .name("mecmesh_health_checks")
            .help("Active health-check probes of a cluster's endpoints, by result.")
            .labelNames("cluster", "result")
            .callback(callback -> healthChecks.get().forEach(c ->
            {
                callback.call(c.checksOk(), c.cluster(), "ok");
                callback.call(c.checksFailed(), c.cluster(), "failed");
            }))
            .register(registry);
        GaugeWithCallback.builder()
            .name("mecmesh_cluster_endpoints")
            .help("Endpoints of a cluster with active health checks.")
            .labelNames("cluster")
            .callback(callback -> healthChecks.get().forEach(c -> callback.call(c.endpoints(), c.cluster())))
            .register(registry);
        GaugeWithCallback.builder()
            .name("mecmesh_cluster_endpoints_healthy")
            .help("Endpoints of a cluster passing their active health check.")
            .labelNames("cluster")
            .callback(callback -> healthChecks.get().forEach(c -> callback.call(c.healthyEndpoints(), c.cluster())))
            .register(registry);
        CounterWithCallback.builder()
            .name("mecmesh_overload_shed")
            .help("New requests answered 503 because the appliance was overloaded, by signal.")
            .labelNames("reason")
            .callback(callback ->
            {
                for (final OverloadReason reason : OverloadReason.values())
                {
                    callback.call(overload.shed(reason), reason.headerValue());
                }
            })
            .register(registry);
        CounterWithCallback.builder()
            .name("mecmesh_overload_entered")
            .help("Times the appliance entered the overloaded state.")
            .callback(callback -> callback.call(overload.entered()))
            .register(registry);
        GaugeWithCallback.builder()
            .name("mecmesh_overload_active")
            .help("1 while the appliance sheds new requests, else 0.")
            .callback(callback -> callback.call(overload.current() != null ? 1 : 0))
            .register(registry);
        return this;
    }

    /**
     * Exports classification and the per-slice policy table: {@code mecmesh_slice_requests_total{slice}} (slice
     * {@code unclassified} for requests no rule matched), {@code mecmesh_slice_policy_hits_total{slice}} and
     * {@code mecmesh_slice_policy_misses_total{slice}} (forwarded requests whose slice had, or had no, policy record).
     *
     * @param slices the per-slice counters.
     * @return this.
     */
    public MetricsExport addSlices(final SliceStatsRegistry slices)
    {
        requireNonNull(slices, "slices");
        CounterWithCallback.builder()
            .name("mecmesh_slice_requests")
            .help("Requests classified into a network slice (S-NSSAI), or unclassified.")
            .labelNames("slice")
            .callback(callback -> slices.slices().forEach(s -> callback.call(s.requests(), s.sliceText())))
            .register(registry);
        CounterWithCallback.builder()
            .name("mecmesh_slice_policy_hits")
            .help("Forwarded requests whose timeout and retry budget came from their slice's policy record.")
            .labelNames("slice")
            .callback(callback -> slices.slices().forEach(s -> callback.call(s.policyHits(), s.sliceText())))
            .register(registry);
        CounterWithCallback.builder()
            .name("mecmesh_slice_policy_misses")
            .help("Forwarded requests of a slice without a policy record (the route's own settings applied).")
            .labelNames("slice")
            .callback(callback -> slices.slices().forEach(s -> callback.call(s.policyMisses(), s.sliceText())))
            .register(registry);
        return this;
    }

    /**
     * Exports what the admit stage did per slice: {@code mecmesh_slice_qos_requests_total{slice,outcome}} (admitted,
     * policed, shaped, refused_gbr, refused_queue_full, expired), {@code mecmesh_slice_bytes_total{slice,direction}}
     * (uplink, downlink), {@code mecmesh_slice_queue_seconds_total{slice}} and {@code mecmesh_slice_active_gbr{slice}}.
     *
     * @param qos the node's QoS state.
     * @return this.
     */
    public MetricsExport addQos(final QosRuntime qos)
    {
        requireNonNull(qos, "qos");
        CounterWithCallback.builder()
            .name("mecmesh_slice_qos_requests")
            .help("Requests the admit stage decided, by slice and outcome.")
            .labelNames("slice", "outcome")
            .callback(callback -> qos.slices().forEach(s ->
            {
                for (final QosOutcome outcome : QosOutcome.values())
                {
                    callback.call(s.count(outcome), SliceStats.sliceText(s.sliceId()),
                        outcome.name().toLowerCase(Locale.ROOT));
                }
            }))
            .register(registry);
        CounterWithCallback.builder()
            .name("mecmesh_slice_bytes")
            .help("Body bytes of a slice's requests (uplink) and responses (downlink).")
            .labelNames("slice", "direction")
            .callback(callback -> qos.slices().forEach(s ->
            {
                callback.call(s.uplinkBytes(), SliceStats.sliceText(s.sliceId()), "uplink");
                callback.call(s.downlinkBytes(), SliceStats.sliceText(s.sliceId()), "downlink");
            }))
            .register(registry);
        CounterWithCallback.builder()
            .name("mecmesh_slice_queue_seconds")
            .help("Time a slice's requests spent in the shaping queue, summed.")
            .labelNames("slice")
            .callback(callback -> qos.slices().forEach(s ->
                callback.call(s.queuedNs() / 1e9, SliceStats.sliceText(s.sliceId()))))
            .register(registry);
        GaugeWithCallback.builder()
            .name("mecmesh_slice_active_gbr")
            .help("GBR requests of a slice admitted and not yet answered.")
            .labelNames("slice")
            .callback(callback -> qos.slices().forEach(s ->
                callback.call(s.activeGbr(), SliceStats.sliceText(s.sliceId()))))
            .register(registry);
        return this;
    }

    /**
     * Exports the MEC DNS responder's outcomes: {@code mecmesh_dns_queries_total{outcome}} (rule_answer, mesh_answer,
     * no_data, forwarded, upstream_failure, refused_no_upstream, refused_zone_transfer, refused_rate_limited,
     * not_implemented, malformed) and {@code mecmesh_dns_records}, the records it serves now.
     *
     * @param counters the responder's counters.
     * @param records  how many records it serves.
     * @return this.
     */
    public MetricsExport addDns(final DnsCounters counters, final LongSupplier records)
    {
        requireNonNull(counters, "counters");
        requireNonNull(records, "records");
        CounterWithCallback.builder()
            .name("mecmesh_dns_queries")
            .help("Queries the MEC DNS responder received, by outcome.")
            .labelNames("outcome")
            .callback(callback ->
            {
                for (final DnsCounter counter : DnsCounter.values())
                {
                    callback.call(counters.get(counter), counter.label());
                }
            })
            .register(registry);
        GaugeWithCallback.builder()
            .name("mecmesh_dns_records")
            .help("A and AAAA records the MEC DNS responder answers itself (DNS rules and mesh names).")
            .callback(callback -> callback.call(records.getAsLong()))
            .register(registry);
        return this;
    }

    /**
     * Exports what became of the MEC 011 notifications the MEC API sent: {@code mecmesh_mec_notifications_total}
     * by {@code outcome} (delivered, retried (per try), failed, dropped).
     *
     * @param notifications the count of each outcome since start.
     * @return this.
     */
    public MetricsExport addMecNotifications(final ToLongFunction<NotificationCounter> notifications)
    {
        requireNonNull(notifications, "notifications");
        CounterWithCallback.builder()
            .name("mecmesh_mec_notifications")
            .help("MEC 011 notifications sent to subscribers' callbacks, by outcome (retried counts tries).")
            .labelNames("outcome")
            .callback(callback ->
            {
                for (final NotificationCounter counter : NotificationCounter.values())
                {
                    callback.call(notifications.applyAsLong(counter), counter.label());
                }
            })
            .register(registry);
        return this;
    }

    /**
     * Exports this node's identity: {@code mecmesh_identity_lifetime_used_ratio}, {@code mecmesh_identity_alarm}
     * (0 none, 1 at 50% of the lifetime without renewal, 2 at 80%), {@code mecmesh_identity_expiry_timestamp_seconds}
     * and {@code mecmesh_identity_renewals_total{result}}.
     *
     * @param status the identity's status now.
     * @return this.
     */
    public MetricsExport addIdentity(final Supplier<IdentityStatus> status)
    {
        requireNonNull(status, "status");
        GaugeWithCallback.builder()
            .name("mecmesh_identity_lifetime_used_ratio")
            .help("Share of the serving certificate's lifetime gone (renewed at 0.5; alarms at 0.5 and 0.8).")
            .callback(callback -> callback.call(status.get().lifetimeUsed()))
            .register(registry);
        GaugeWithCallback.builder()
            .name("mecmesh_identity_alarm")
            .help("0: certificate renewed in time; 1: past 50% of its lifetime, the CA unreachable; 2: past 80%.")
            .callback(callback -> callback.call(status.get().alarm().ordinal()))
            .register(registry);
        GaugeWithCallback.builder()
            .name("mecmesh_identity_expiry_timestamp_seconds")
            .help("When the serving certificate expires (Unix time).")
            .callback(callback -> callback.call(status.get().notAfter().getEpochSecond()))
            .register(registry);
        CounterWithCallback.builder()
            .name("mecmesh_identity_renewals")
            .help("Certificate renewals since start, by result.")
            .labelNames("result")
            .callback(callback ->
            {
                final IdentityStatus now = status.get();
                callback.call(now.renewals(), "ok");
                callback.call(now.renewalFailures(), "failed");
            })
            .register(registry);
        return this;
    }

    /**
     * Exports the control path's counters ({@code mecmesh_distribution_events_total{side,event}}): the node agent's
     * on an edge, the publisher's on the control plane; each side exports only the events it counts.
     *
     * @param side     {@code node} or {@code control}.
     * @param counters the counters.
     * @return this.
     */
    public MetricsExport addDistribution(final String side, final DistributionCounters counters)
    {
        requireNonNull(side, "side");
        requireNonNull(counters, "counters");
        final boolean publisher = "control".equals(side);
        CounterWithCallback.builder()
            .name("mecmesh_distribution_" + side + "_events")
            .help("Configuration distribution outcomes on the " + side + " side, by event.")
            .labelNames("event")
            .callback(callback ->
            {
                for (final DistributionCounter counter : DistributionCounter.values())
                {
                    if (counter.isCountedBy(publisher))
                    {
                        callback.call(counters.get(counter), counter.name().toLowerCase(Locale.ROOT));
                    }
                }
            })
            .register(registry);
        return this;
    }

    /**
     * Exports the per-slice, per-route request metrics fed from the access-log ring ({@link RequestMetrics}).
     *
     * @param requestMetrics the metrics the access-log agent updates.
     * @return this.
     */
    public MetricsExport addRequestMetrics(final RequestMetrics requestMetrics)
    {
        requireNonNull(requestMetrics, "requestMetrics");
        requestMetrics.register(registry);
        return this;
    }

    /**
     * Exports what the span exporter did: {@code mecmesh_trace_spans_total{outcome}}.
     *
     * @param exporter the running exporter.
     * @return this.
     */
    public MetricsExport addSpanExporter(final SpanExporter exporter)
    {
        requireNonNull(exporter, "exporter");
        exporter.register(registry);
        return this;
    }

    /**
     * Exports remote-write store and forward: {@code mecmesh_remote_write_batches_total{outcome}} and
     * {@code mecmesh_remote_write_samples_total{outcome}} (sent, rejected by the receiver, dropped over the disk
     * quota), {@code mecmesh_remote_write_send_failures_total}, {@code mecmesh_remote_write_collect_failures_total},
     * and what waits on disk: {@code mecmesh_remote_write_pending_batches}, {@code mecmesh_remote_write_pending_bytes}.
     *
     * @param forwarder the running forwarder.
     * @return this.
     */
    public MetricsExport addRemoteWrite(final RemoteWriteForwarder forwarder)
    {
        requireNonNull(forwarder, "forwarder");
        remoteWriteOutcomes(forwarder, "mecmesh_remote_write_batches", "Remote-write batches (one per collection) by "
            + "outcome: sent (accepted), rejected (4xx, dropped), dropped (oldest first, over the disk quota).",
            RemoteWriteCounter.BATCHES_SENT, RemoteWriteCounter.BATCHES_REJECTED, RemoteWriteCounter.BATCHES_DROPPED);
        remoteWriteOutcomes(forwarder, "mecmesh_remote_write_samples",
            "Samples in those batches, by the same outcomes.",
            RemoteWriteCounter.SAMPLES_SENT, RemoteWriteCounter.SAMPLES_REJECTED, RemoteWriteCounter.SAMPLES_DROPPED);
        CounterWithCallback.builder()
            .name("mecmesh_remote_write_send_failures")
            .help("Sends that failed and are retried: receiver unreachable, timed out, 5xx or 429.")
            .callback(callback -> callback.call(forwarder.get(RemoteWriteCounter.SEND_FAILURES)))
            .register(registry);
        CounterWithCallback.builder()
            .name("mecmesh_remote_write_collect_failures")
            .help("Collections that could not be written to the spool (their samples are lost).")
            .callback(callback -> callback.call(forwarder.get(RemoteWriteCounter.COLLECT_FAILURES)))
            .register(registry);
        GaugeWithCallback.builder()
            .name("mecmesh_remote_write_pending_batches")
            .help("Batches on disk not yet accepted by the receiver.")
            .callback(callback -> callback.call(forwarder.pendingBatches()))
            .register(registry);
        GaugeWithCallback.builder()
            .name("mecmesh_remote_write_pending_bytes")
            .help("Their size on disk (bounded by telemetry.remoteWrite.diskQuotaBytes).")
            .callback(callback -> callback.call(forwarder.pendingBytes()))
            .register(registry);
        return this;
    }

    private void remoteWriteOutcomes(final RemoteWriteForwarder forwarder, final String name, final String help,
        final RemoteWriteCounter sent, final RemoteWriteCounter rejected, final RemoteWriteCounter dropped)
    {
        CounterWithCallback.builder()
            .name(name)
            .help(help)
            .labelNames("outcome")
            .callback(callback ->
            {
                callback.call(forwarder.get(sent), "sent");
                callback.call(forwarder.get(rejected), "rejected");
                callback.call(forwarder.get(dropped), "dropped");
            })
            .register(registry);
    }

    /**
     * Exports the control plane's own work: {@code mecmesh_control_apply_duration_seconds{outcome}} (a histogram
     * made by the API's timed backend, registered here), {@code mecmesh_node_config_apply_duration_seconds} (from
     * publishing a node's configuration to the node running it), and the command journal's size:
     * {@code mecmesh_journal_entries}, {@code mecmesh_journal_size_bytes} (the entries' bytes, what a restart
     * replays) and {@code mecmesh_journal_files_size_bytes} (the length of the queue's files, sparse on disk).
     *
     * @param applyDuration     the histogram of command durations.
     * @param nodeApplyDuration the histogram of the nodes' apply durations.
     * @param journal           the journal's size now.
     * @return this.
     */
    public MetricsExport addControlPlane(final Histogram applyDuration, final Histogram nodeApplyDuration,
        final Supplier<CommandJournal.Size> journal)
    {
        requireNonNull(applyDuration, "applyDuration");
        requireNonNull(nodeApplyDuration, "nodeApplyDuration");
        requireNonNull(journal, "journal");
        registry.register(applyDuration);
        registry.register(nodeApplyDuration);
        GaugeWithCallback.builder()
            .name("mecmesh_journal_entries")
            .help("Commands in the control plane's journal (never truncated; a snapshot only shortens a replay).")
            .callback(callback -> callback.call(journal.get().entries()))
            .register(registry);
        GaugeWithCallback.builder()
            .name("mecmesh_journal_size_bytes")
            .help("Bytes of the journal's entries, framing included: what a restart of the control plane replays.")
            .callback(callback -> callback.call(journal.get().entryBytes()))
            .register(registry);
        GaugeWithCallback.builder()
            .name("mecmesh_journal_files_size_bytes")
            .help("Length of the journal's queue files (preallocated and sparse: the disk space used is less).")
            .callback(callback ->
            {
                final long bytes = journal.get().fileBytes();
                if (bytes >= 0)
                {
                    callback.call(bytes);
                }
            })
            .register(registry);
        return this;
    }

    /**
     * Exports what the control plane knows of each node: {@code mecmesh_node_config_version{node,kind}} (latest
     * published, applied) and {@code mecmesh_node_last_contact_age_seconds{node}}.
     *
     * @param status  the nodes' status.
     * @param nanoTime the clock of {@link NodeStatus#lastContactNs()}.
     * @return this.
     */
    public MetricsExport addNodeStatus(final Supplier<Map<String, NodeStatus>> status, final LongSupplier nanoTime)
    {
        requireNonNull(status, "status");
        requireNonNull(nanoTime, "nanoTime");
        GaugeWithCallback.builder()
            .name("mecmesh_node_config_version")
            .help("Configuration versions per node: the latest published and the one the node reports applied.")
            .labelNames("node", "kind")
            .callback(callback -> status.get().values().forEach(node ->
            {
                callback.call(node.latestVersion(), node.nodeId(), "latest");
                callback.call(node.appliedVersion(), node.nodeId(), "applied");
            }))
            .register(registry);
        GaugeWithCallback.builder()
            .name("mecmesh_node_last_contact_age_seconds")
            .help("Seconds since the node's last acknowledgement or heartbeat (absent: never heard of).")
            .labelNames("node")
            .callback(callback ->
            {
                final long now = nanoTime.getAsLong();
                status.get().values().stream().filter(node -> node.lastContactNs() >= 0).forEach(node ->
                    callback.call((now - node.lastContactNs()) / 1e9, node.nodeId()));
            })
            .register(registry);
        return this;
    }

    /**
     * Exports the edge's view of its control plane: {@code mecmesh_config_version} (the configuration running, -1
     * none), {@code mecmesh_control_plane_connected} (0/1), {@code mecmesh_control_plane_last_contact_age_seconds}
     * (absent before the first contact) and {@code mecmesh_lkg_fallback} (1 while the node runs the previous
     * last-known-good configuration, or none, because its current file was refused).
     *
     * @param node the node agent's state.
     * @return this.
     */
    public MetricsExport addNodeAgent(final NodeAgentView node)
    {
        requireNonNull(node, "node");
        GaugeWithCallback.builder()
            .name("mecmesh_config_version")
            .help("Version of the configuration this node runs (-1: none yet).")
            .callback(callback -> callback.call(node.runningVersion().getAsLong()))
            .register(registry);
        GaugeWithCallback.builder()
            .name("mecmesh_control_plane_connected")
            .help("1 while the control plane's configuration stream is connected, else 0.")
            .callback(callback -> callback.call(node.connected().getAsBoolean() ? 1 : 0))
            .register(registry);
        GaugeWithCallback.builder()
            .name("mecmesh_control_plane_last_contact_age_seconds")
            .help("Seconds since the control plane was last reachable (absent: never reached since start).")
            .callback(callback ->
            {
                final double age = node.secondsSinceContact().getAsDouble();
                if (age >= 0)
                {
                    callback.call(age);
                }
            })
            .register(registry);
        GaugeWithCallback.builder()
            .name("mecmesh_lkg_fallback")
            .help("1 while the node runs its previous last-known-good configuration (or none) because the current "
                + "file was corrupt or its signature did not verify; 0 otherwise.")
            .callback(callback -> callback.call(node.fallback().getAsBoolean() ? 1 : 0))
            .register(registry);
        return this;
    }

    /**
     * What {@link #addNodeAgent} reads, at each scrape.
     *
     * @param runningVersion      the configuration version running, -1 for none.
     * @param connected           whether the control plane is reachable.
     * @param secondsSinceContact seconds since the last contact, negative before the first.
     * @param fallback            whether the node fell back from its current last-known-good file.
     */
    public record NodeAgentView(LongSupplier runningVersion, BooleanSupplier connected,
        DoubleSupplier secondsSinceContact, BooleanSupplier fallback)
    {
        public NodeAgentView
        {
            requireNonNull(runningVersion, "runningVersion");
            requireNonNull(connected, "connected");
            requireNonNull(secondsSinceContact, "secondsSinceContact");
            requireNonNull(fallback, "fallback");
        }
    }

    /**
     * Exports the control plane's CA: {@code mecmesh_ca_certificates_issued_total} (lines of its {@code issued.log},
     * roots and intermediates included), {@code mecmesh_ca_root_expiry_timestamp_seconds{serial}} (each root of the
     * trust bundle) and {@code mecmesh_ca_intermediate_expiry_timestamp_seconds{serial,subject}} (each intermediate
     * the log records, expired ones left out) and {@code mecmesh_ca_requests_refused_total{reason}}.
     *
     * @param roots    the trust bundle's roots now.
     * @param issued   the issued log's entries now.
     * @param refusals signing requests refused since start, by reason.
     * @param now      the current time, to leave expired intermediates out.
     * @return this.
     */
    public MetricsExport addCertificateAuthority(final Supplier<List<X509Certificate>> roots,
        final Supplier<List<IssuedLog.Entry>> issued, final Supplier<Map<String, Long>> refusals,
        final Supplier<Instant> now)
    {
        requireNonNull(refusals, "refusals");
        CounterWithCallback.builder()
            .name("mecmesh_ca_requests_refused")
            .help("Signing requests the CA refused, by reason (unauthenticated, forbidden, malformed_request, ...).")
            .labelNames("reason")
            .callback(callback -> refusals.get().forEach((reason, count) -> callback.call(count, reason)))
            .register(registry);
        requireNonNull(roots, "roots");
        requireNonNull(issued, "issued");
        requireNonNull(now, "now");
        CounterWithCallback.builder()
            .name("mecmesh_ca_certificates_issued")
            .help("Certificates the CA recorded in its issued.log (SVIDs, intermediates, roots).")
            .callback(callback -> callback.call(issued.get().size()))
            .register(registry);
        GaugeWithCallback.builder()
            .name("mecmesh_ca_root_expiry_timestamp_seconds")
            .help("When each root of the trust bundle expires (Unix time).")
            .labelNames("serial")
            .callback(callback -> roots.get().forEach(root -> callback.call(
                root.getNotAfter().toInstant().getEpochSecond(), root.getSerialNumber().toString(16))))
            .register(registry);
        GaugeWithCallback.builder()
            .name("mecmesh_ca_intermediate_expiry_timestamp_seconds")
            .help("When each unexpired intermediate (site CA) the CA issued expires (Unix time).")
            .labelNames("serial", "subject")
            .callback(callback ->
            {
                final Instant at = now.get();
                issued.get().stream().filter(MetricsExport::isIntermediate).filter(e -> e.notAfter().isAfter(at))
                    .forEach(e -> callback.call(e.notAfter().getEpochSecond(), e.serial().toString(16),
                        e.subject()));
            })
            .register(registry);
        return this;
    }

    /**
     * Exports the control-plane API's access decisions: {@code mecmesh_api_allowed_requests_total},
     * {@code mecmesh_api_denials_total{reason}} (see {@link ApiAccess.Denial}) and, with node
     * enrolment, {@code mecmesh_enrolment_tokens_total{outcome}} ({@code redeemed} or the refusal: {@code unknown},
     * {@code reused}, {@code expired}, {@code node_mismatch}).
     *
     * @param access    the API's access decisions.
     * @param enrolment the node enrolment tokens, if the control plane runs a CA.
     * @return this.
     */
    public MetricsExport addApiAccess(final ApiAccess access, final Optional<EnrolmentTokens> enrolment)
    {
        requireNonNull(access, "access");
        requireNonNull(enrolment, "enrolment");
        CounterWithCallback.builder()
            .name("mecmesh_api_denials")
            .help("Control-plane API requests refused before their handler, by reason.")
            .labelNames("reason")
            .callback(callback ->
            {
                for (final ApiAccess.Denial denial : ApiAccess.Denial.values())
                {
                    callback.call(access.denials(denial), denial.label());
                }
            })
            .register(registry);
        CounterWithCallback.builder()
            .name("mecmesh_api_allowed_requests")
            .help("Control-plane API requests let through to their handler.")
            .callback(callback -> callback.call(access.allowed()))
            .register(registry);
        enrolment.ifPresent(tokens -> CounterWithCallback.builder()
            .name("mecmesh_enrolment_tokens")
            .help("Node enrolment tokens presented, by outcome (redeemed, or why refused).")
            .labelNames("outcome")
            .callback(callback ->
            {
                callback.call(tokens.redeemed(), "redeemed");
                for (final EnrolmentTokens.Refusal refusal : EnrolmentTokens.Refusal.values())
                {
                    callback.call(tokens.refusals(refusal), refusal.label());
                }
            })
            .register(registry));
        return this;
    }

    /**
     * A site intermediate's log line names its signing scope, {@code spiffe://TD/site/SITE} (node SVIDs are below
     * it, {@code .../node/ID}); roots are their own issuers. A leaf issued by hand ({@code cert issue}) with exactly
     * such an ID would be counted as an intermediate.
     */
    private static boolean isIntermediate(final IssuedLog.Entry entry)
    {
        return !entry.serial().equals(entry.issuerSerial()) && SITE_SCOPE.matcher(entry.subject()).matches();
    }

    /**
     * Labels of the build-info metric.
     *
     * @param version     the appliance version.
     * @param transport   the data-plane transport in use.
     * @param javaVersion the JVM's version.
     */
    public record BuildInfo(String version, String transport, String javaVersion)
    {
        public BuildInfo
        {
            requireNonNull(version, "version");
            requireNonNull(transport, "transport");
            requireNonNull(javaVersion, "javaVersion");
        }
    }

    /**
     * @return the content type of {@link #writeTo}'s output.
     */
    public String contentType()
    {
        return writer.getContentType();
    }

    /**
     * Scrapes every metric and writes the Prometheus text format.
     *
     * @param out where to write.
     * @throws IOException when writing fails.
     */
    public void writeTo(final OutputStream out) throws IOException
    {
        writer.write(out, registry.scrape());
    }

    private static String responseClassLabel(final DataPlaneCounter counter)
    {
        return counter.metricName().substring("responses_".length()).toLowerCase(Locale.ROOT);
    }
}
