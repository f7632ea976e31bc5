package io.mecmesh.dataplane.pipeline;

import io.mecmesh.dataplane.accesslog.AccessLog;
import io.mecmesh.dataplane.exchange.Exchange;
import io.mecmesh.dataplane.stage.classify.ClassifyHandler;
import io.mecmesh.dataplane.classify.SliceStatsRegistry;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ConnectionGuard;
import io.mecmesh.dataplane.cluster.Cluster;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.http1.Http1ServerCodec;
import io.mecmesh.dataplane.http2.Http2StreamCodec;
import io.mecmesh.dataplane.lifecycle.Http2DrainHandler;
import io.mecmesh.dataplane.listener.Http1ListenerHandler;
import io.mecmesh.dataplane.listener.ClientErrorLog;
import io.mecmesh.dataplane.listener.Http2ConnectionWatch;
import io.mecmesh.dataplane.listener.Http2ResetBudget;
import io.mecmesh.dataplane.listener.Http2ServerCodec;
import io.mecmesh.dataplane.listener.Http2RequestHeadValidator;
import io.mecmesh.dataplane.listener.Http2StreamListenerHandler;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.stage.overload.OverloadHandler;
import io.mecmesh.dataplane.overload.OverloadMonitor;
import io.mecmesh.dataplane.exchange.Snapshots;
import io.mecmesh.dataplane.stage.respond.RespondHandler;
import io.mecmesh.dataplane.stage.route.RouteHandler;
import io.mecmesh.dataplane.stage.trace.TraceHandler;
import io.mecmesh.dataplane.stage.admit.AdmitHandler;
import io.mecmesh.dataplane.qos.QosRuntime;
import io.mecmesh.dataplane.tcp.TcpRelayHandler;
import io.mecmesh.dataplane.tls.TlsIdentityHandler;
import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.dataplane.tls.TlsMaterialSource;
import io.mecmesh.dataplane.transport.Transport;
import io.mecmesh.dataplane.upstream.ForwardHandler;
import io.mecmesh.dataplane.upstream.UpstreamPools;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.flow.FlowControlHandler;

import java.util.function.Consumer;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Builds the handler stack of every downstream connection: the one place where the request path of
 * ARCHITECTURE.md is assembled, top to bottom in the order a request passes.
 *
 * <pre>
 *   (L4 listeners: tls if configured, then tcp-relay TcpRelayHandler, bytes to the listener's cluster, both sides
 *    closed after the listener's idleTimeoutMs with no byte either way)
 *   (every HTTP connection)
 *   tls            SslHandler                   (TLS listeners) mutual TLS 1.3 for the mesh; the peer's X.509-SVID
 *                                               is validated in the handshake by the SPIFFE trust manager
 *   peer-identity  TlsIdentityHandler           (TLS listeners) the peer's SPIFFE id into the channel, once
 *   protocol       ProtocolSelector             ALPN h2, or the HTTP/2 preface, or HTTP/1.1: adds one of the two
 *                                               stacks below and steps aside
 *   (HTTP/1.1)
 *   guard          ConnectionGuard              max connections per listener (close at accept); notes the
 *                                               first byte of a request head for the listener's timeout
 *   http1-codec    Http1ServerCodec             bytes ⇄ HTTP/1.1 heads and body parts (slices, not copies): pooled
 *                                               flyweight heads over the head's bytes; strict CRLF, limits, header
 *                                               validation, RFC 9112 framing (Content-Length, Transfer-Encoding)
 *   flow-control   FlowControlHandler           one message per read(): demand-driven, pipelining-safe
 *   listener       Http1ListenerHandler         smuggling checks, limits, timeouts → 400/408/413/414/431 and
 *                                               close; normalizes heads; counts requests, responses
 *   respond        RespondHandler               every response passes it: local answers of the later stages (and
 *                                               the body of an answered request dropped), response heads
 *                                               (hop-by-hop, route rewrite, chunked or close-delimited for
 *                                               HTTP/1.0), keep-alive or close, drain
 *   classify       ClassifyHandler              the request's slice: first rule matching listener, source CIDR,
 *                                               caller SPIFFE id prefix (resolved once per connection), header;
 *                                               none → slice 0 (unclassified); counted per slice
 *   overload       OverloadHandler              while the data plane is in overload (event-loop lag, heap, direct
 *                                               memory) and sheds the slice's 5QI priority level (lowest first,
 *                                               unclassified before every slice): 503 with x-mecmesh-overloaded,
 *                                               counted by reason
 *   route          RouteHandler                 authority, path, method, headers → first matching route, or 404;
 *                                               the route's authorization policy on the caller's SPIFFE id (403)
 *   admit          AdmitHandler                 per-slice QoS from the (slice, 0) and (slice, route) records and
 *                                               QosConfig: requests/s police (429) or shape (queued by priority),
 *                                               GBR admission (503), delay budget (504), MBR pacing each way
 *   trace          TraceHandler                 (telemetry.tracing) W3C traceparent: new span id per hop, a new
 *                                               trace when sampled; x-request-id; x-forwarded-for/forwarded
 *   upstream       ForwardHandler               (slice, route) → policy record, else (slice, 0): its timeout and
 *                                               retry budget override the route's; pooled keep-alive upstream
 *                                               connection per event loop (Http1ClientCodec: heads encoded from
 *                                               their bytes, pooled flyweight response heads)
 *   (HTTP/2: on the connection)
 *   guard          ConnectionGuard              max connections per listener
 *   http2-watch    Http2ConnectionWatch         from the frame headers going by: idle (no stream, no byte: GOAWAY)
 *                                               and header-block timeouts; RST_STREAMs to the process-wide
 *                                               Http2ResetBudget, which closes the worst offenders first;
 *                                               HEADERS/DATA on a stream the client ended, or a stream id going
 *                                               backwards: GOAWAY STREAM_CLOSED / PROTOCOL_ERROR
 *   http2-codec    Http2ServerCodec             Netty's frame codec: frames, settings, flow control; floods of
 *                                               resets and control frames end in GOAWAY (Netty's Rapid Reset /
 *                                               MadeYouReset limits per connection) carrying the last stream
 *                                               processed; client errors counted, one rate-limited log line
 *   http2-streams  Http2MultiplexHandler        one child channel per stream, with:
 *     request-head   Http2RequestHeadValidator           mandatory pseudo-headers, else RST_STREAM
 *     stream-codec   Http2StreamCodec                    frames ⇄ HTTP messages in one step: the head an
 *                                                        Http2Request (HttpRequest and RequestHead over the
 *                                                        HPACK-decoded fields), DATA content passed on uncopied
 *     listener       Http2StreamListenerHandler          counts, body limit and timeout, strips x-http2-*
 *     classify, overload, route, admit, trace, upstream  as for HTTP/1.1 (connection-level classification kept on
 *                                                        the parent connection; upstream connections HTTP/1.1)
 *   drain          Http2DrainHandler            GOAWAY on shutdown or when the listener is removed
 * </pre>
 *
 * Shared by all connections of one listener ({@code @Sharable} by {@link ChannelInitializer}); it keeps no
 * per-connection state.
 */
public final class PipelineAssembler extends ChannelInitializer<Channel>
{
    /** Streams a client may have open at once on one HTTP/2 connection. */
    static final int MAX_CONCURRENT_STREAMS = 128;
    /**
     * How long a closing HTTP/2 connection (after its GOAWAY) waits for its streams in flight; a drain's own
     * deadline closes it earlier.
     */
    static final long GRACEFUL_SHUTDOWN_MS = 60_000;

    private final ListenerConfig listener;
    private final Snapshots snapshots;
    private final UpstreamPools upstreamPools;
    private final DataPlaneCounters counters;
    private final SslContext sslContext;
    /** The node identity a TLS listener presents, hot-swapped; {@code null} for files read once or plain text. */
    private final TlsMaterialSource identity;
    private final ChannelGroup downstream;
    private final ChannelGroup listenerConnections;
    private final Supplier<Cluster> tcpCluster;
    private final Transport transport;
    private final OverloadMonitor overload;
    private final SliceStatsRegistry sliceStats;
    private final Http2ResetBudget resetBudget;
    private final ClientErrorLog clientErrors;
    private final Consumer<Channel> http1Installer = this::addHttp1;
    private final Consumer<Channel> http2Installer = this::addHttp2;
    private final QosRuntime qos;
    private final AccessLog accessLog;

    public PipelineAssembler(
        final ListenerConfig listener,
        final Snapshots snapshots,
        final UpstreamPools upstreamPools,
        final DataPlaneCounters counters,
        final SslContext sslContext,
        final ChannelGroup downstream,
        final ChannelGroup listenerConnections,
        final Supplier<Cluster> tcpCluster,
        final Transport transport,
        final OverloadMonitor overload,
        final SliceStatsRegistry sliceStats,
        final Http2ResetBudget resetBudget,
        final ClientErrorLog clientErrors,
        final QosRuntime qos,
        final AccessLog accessLog)
    {
        this.accessLog = requireNonNull(accessLog, "accessLog");
        this.qos = requireNonNull(qos, "qos");
        this.resetBudget = requireNonNull(resetBudget, "resetBudget");
        this.clientErrors = requireNonNull(clientErrors, "clientErrors");
        this.snapshots = requireNonNull(snapshots, "snapshots");
        this.sliceStats = requireNonNull(sliceStats, "sliceStats");
        this.listenerConnections = requireNonNull(listenerConnections, "listenerConnections");
        this.overload = requireNonNull(overload, "overload");
        this.tcpCluster = tcpCluster;
        this.transport = requireNonNull(transport, "transport");
        this.downstream = requireNonNull(downstream, "downstream");
        this.listener = requireNonNull(listener, "listener");
        this.upstreamPools = requireNonNull(upstreamPools, "upstreamPools");
        this.counters = requireNonNull(counters, "counters");
        this.sslContext = sslContext;
        this.identity = sslContext == null ? null : listener.tls().flatMap(TlsConfig::source).orElse(null);
    }

    @Override
    protected void initChannel(final Channel channel)
    {
        downstream.add(channel);
        listenerConnections.add(channel);
        counters.increment(DataPlaneCounter.DOWNSTREAM_CONNECTIONS);
        final ChannelPipeline pipeline = channel.pipeline();
        if (identity != null && !identity.hasMaterial())
        {
            // A node whose identity expired while its CA was away keeps its plain listeners; its mesh ones refuse.
            counters.increment(DataPlaneCounter.TLS_NO_VALID_IDENTITY);
            channel.close();
            return;
        }
        if (sslContext != null)
        {
            pipeline.addLast("tls", sslContext.newHandler(channel.alloc()));
            pipeline.addLast("peer-identity", new TlsIdentityHandler(counters));
        }
        if (tcpCluster != null)
        {
            pipeline.addLast("tcp-relay", new TcpRelayHandler(listener.name(), snapshots, qos, tcpCluster,
                transport, counters, listener.idleTimeoutMs(), listener.authorization()));
            return;
        }
        pipeline.addLast("protocol", new ProtocolSelector(http1Installer, http2Installer, sslContext != null, listener.idleTimeoutMs(), counters));
    }

    /**
     * The HTTP/1.1 stages, in request order.
     *
     * @param channel the downstream connection.
     */
    void addHttp1(final Channel channel)
    {
        final ChannelPipeline pipeline = channel.pipeline();
        final Http1ListenerHandler listenerStage = new Http1ListenerHandler(listener, counters);
        pipeline.addLast("guard", new ConnectionGuard(listener, counters, listenerStage::onBytesReceived));
        pipeline.addLast("http1-codec", new Http1ServerCodec(decoderConfig(listener)));
        pipeline.addLast("flow-control", new FlowControlHandler());
        pipeline.addLast("listener", listenerStage);
        final Exchange exchange = new Exchange(sliceStats.unclassified(), accessLog);
        pipeline.addLast("respond", new RespondHandler(exchange));
        pipeline.addLast("classify", new ClassifyHandler(listener.name(), snapshots, exchange));
        pipeline.addLast("overload", new OverloadHandler(overload, exchange));
        pipeline.addLast("route", new RouteHandler(exchange, counters));
        pipeline.addLast("admit", new AdmitHandler(qos.forLoop(channel.eventLoop()), snapshots, exchange));
        pipeline.addLast("trace", new TraceHandler(accessLog.tracing(), exchange));
        pipeline.addLast("upstream", new ForwardHandler(upstreamPools.forLoop(channel.eventLoop()), counters,
            exchange));
    }

    /**
     * The HTTP/2 connection stages; each stream gets the request stages on its own child channel, where its
     * frames become the HTTP messages the stages share with HTTP/1.1 (Http2StreamCodec), so routing and
     * forwarding are shared.
     *
     * @param channel the downstream connection.
     */
    void addHttp2(final Channel channel)
    {
        channel.config().setAutoRead(true);
        final ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast("guard", ConnectionGuard.admissionOnly(listener, counters));
        pipeline.addLast("http2-watch", new Http2ConnectionWatch(listener, counters, resetBudget,
            clientErrors));
        pipeline.addLast("http2-codec", Http2ServerCodec.builder(clientErrors)
            .initialSettings(Http2Settings.defaultSettings()
                .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                .maxHeaderListSize(listener.maxHeaderBytes()))
            .validateHeaders(true)
            .gracefulShutdownTimeoutMillis(GRACEFUL_SHUTDOWN_MS)
            .build());
        pipeline.addLast("http2-streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>()
        {
            @Override
            protected void initChannel(final Http2StreamChannel stream)
            {
                stream.config().setAutoRead(false);
                final Exchange exchange = new Exchange(sliceStats.unclassified(), accessLog);
                stream.pipeline()
                    .addLast("request-head", new Http2RequestHeadValidator(counters))
                    .addLast("stream-codec", new Http2StreamCodec())
                    .addLast("listener", new Http2StreamListenerHandler(listener, counters))
                    .addLast("respond", new RespondHandler(exchange))
                    .addLast("classify", new ClassifyHandler(listener.name(), snapshots, exchange))
                    .addLast("overload", new OverloadHandler(overload, exchange))
                    .addLast("route", new RouteHandler(exchange, counters))
                    .addLast("admit", new AdmitHandler(qos.forLoop(stream.eventLoop()), snapshots, exchange))
                    .addLast("trace", new TraceHandler(accessLog.tracing(), exchange))
                    .addLast("upstream", new ForwardHandler(upstreamPools.forLoop(stream.eventLoop()), counters,
                        exchange));
            }
        }));
        pipeline.addLast("drain", new Http2DrainHandler());
    }

    static HttpDecoderConfig decoderConfig(final ListenerConfig listener)
    {
        return new HttpDecoderConfig()
            .setMaxInitialLineLength(listener.maxRequestLineBytes())
            .setMaxHeaderSize(listener.maxHeaderBytes())
            .setMaxChunkSize(16 * 1024)
            .setValidateHeaders(true)
            .setStrictLineParsing(true)
            .setUseRfc9112TransferEncoding(true)
            .setAllowDuplicateContentLengths(false);
    }
}
