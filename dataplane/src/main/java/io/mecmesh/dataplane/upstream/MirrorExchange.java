package io.mecmesh.dataplane.upstream;

import io.mecmesh.dataplane.cluster.Cluster;
import io.mecmesh.dataplane.cluster.EndpointState;
import io.mecmesh.dataplane.cluster.UpstreamProtocol;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.counters.Overflow;
import io.mecmesh.dataplane.route.Mirror;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;

import java.util.ArrayList;
import java.util.List;

/**
 * One mirrored copy of a request, fire and forget: sent to an endpoint of the mirror cluster over a connection of
 * the event loop's {@link UpstreamPool}, its response read and discarded. Nothing it does reaches the client's
 * exchange: a failure (circuit open, connect failure, reset, timeout) is only counted
 * ({@link DataPlaneCounter#MIRROR_FAILURES}) and reported to the mirror cluster's outlier detection.
 *
 * <p>It takes a slot of the mirror cluster's request breaker (and, for a new connection, of its connection
 * breaker) for its lifetime, and is bounded by the route's timeout (15 s when the route has none). Ownership: it
 * holds a copy of the request head and retained duplicates of the body parts, each written to the upstream once
 * or released. One object per mirrored request (the mirrored share only), confined to its event loop.
 */
final class MirrorExchange extends Deadline implements UpstreamOwner
{
    private static final long DEFAULT_TIMEOUT_MS = 15_000;

    private final UpstreamPool pool;
    private final Cluster cluster;
    private final DataPlaneCounters counters;
    private final HttpRequest request;
    private final List<HttpContent> body;
    private EndpointState endpoint;
    private Channel upstream;
    private long startNs;
    private boolean sent;
    private boolean done;
    private boolean finalHead;
    private boolean keepAlive;
    private int status;

    private MirrorExchange(
        final UpstreamPool pool,
        final Cluster cluster,
        final DataPlaneCounters counters,
        final HttpRequest request,
        final List<HttpContent> body)
    {
        this.pool = pool;
        this.cluster = cluster;
        this.counters = counters;
        this.request = request;
        this.body = body;
    }

    /**
     * Copies a request to a mirror cluster.
     *
     * @param pool      the event loop's pool.
     * @param cluster   the mirror cluster.
     * @param counters  where the copy and its failure are counted.
     * @param original  the request head as forwarded (hop-by-hop headers removed); copied, not kept.
     * @param bodyParts the whole body (its last part included), or {@code null} for a request without a body;
     *                  duplicated, not kept.
     * @param timeoutMs the route's timeout, 0 for none.
     */
    static void start(
        final UpstreamPool pool,
        final Cluster cluster,
        final DataPlaneCounters counters,
        final HttpRequest original,
        final List<HttpContent> bodyParts,
        final long timeoutMs)
    {
        if (!cluster.tryAcquire(Overflow.REQUESTS))
        {
            counters.increment(DataPlaneCounter.MIRROR_FAILURES);
            return;
        }
        final HttpHeaders headers = original.headers().copy();
        headers.set(Mirror.HEADER, "1");
        if (cluster.config().protocol() == UpstreamProtocol.HTTP2)
        {
            headers.set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(),
                cluster.sslContext() != null ? "https" : "http");
        }
        else
        {
            headers.remove(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text());
        }
        final HttpRequest copy = new DefaultHttpRequest(HttpVersion.HTTP_1_1, original.method(), original.uri(),
            headers);
        List<HttpContent> parts = null;
        if (bodyParts != null && !bodyParts.isEmpty())
        {
            parts = new ArrayList<>(bodyParts.size());
            for (int i = 0; i < bodyParts.size(); i++)
            {
                parts.add(bodyParts.get(i).retainedDuplicate());
            }
        }
        counters.increment(DataPlaneCounter.MIRRORED_REQUESTS);
        new MirrorExchange(pool, cluster, counters, copy, parts).begin(timeoutMs > 0 ? timeoutMs : DEFAULT_TIMEOUT_MS);
    }

    private void begin(final long timeoutMs)
    {
        endpoint = cluster.pick(null, null);
        cluster.onAttemptStart(endpoint);
        startNs = System.nanoTime();
        pool.deadlines().arm(this, timeoutMs);
        final Channel pooled = pool.acquire(endpoint.poolKey());
        if (pooled != null)
        {
            send(pooled);
            return;
        }
        pool.open(endpoint, cluster).addListener((FutureListener<Channel>)this::onConnectComplete);
    }

    private void onConnectComplete(final Future<Channel> future)
    {
        if (!future.isSuccess())
        {
            fail();
            return;
        }
        if (done)
        {
            future.getNow().close();
            return;
        }
        send(future.getNow());
    }

    private void send(final Channel channel)
    {
        upstream = channel;
        channel.pipeline().get(UpstreamHandler.class).lease(this);
        sent = true;
        channel.write(request, channel.voidPromise());
        if (body == null)
        {
            channel.write(LastHttpContent.EMPTY_LAST_CONTENT, channel.voidPromise());
        }
        else
        {
            for (int i = 0; i < body.size(); i++)
            {
                channel.write(body.get(i), channel.voidPromise());
            }
        }
        channel.flush();
    }

    @Override
    public void onUpstreamRead(final Object msg)
    {
        try
        {
            if (done)
            {
                return;
            }
            if (msg instanceof HttpObject && ((HttpObject)msg).decoderResult().isFailure())
            {
                fail();
                return;
            }
            if (msg instanceof HttpResponse response && response.status().code() >= 200)
            {
                finalHead = true;
                status = response.status().code();
                keepAlive = HttpUtil.isKeepAlive(response);
                if (msg instanceof FullHttpResponse)
                {
                    complete();
                    return;
                }
            }
            if (msg instanceof LastHttpContent && finalHead)
            {
                complete();
            }
        }
        finally
        {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void onUpstreamReadComplete()
    {
    }

    @Override
    public void onUpstreamWritabilityChanged(final boolean writable)
    {
    }

    @Override
    public void onUpstreamInactive(final Channel channel)
    {
        if (channel == upstream && !done)
        {
            upstream = null;
            fail();
        }
    }

    @Override
    void onExpired()
    {
        if (!done)
        {
            fail();
        }
    }

    private void complete()
    {
        done = true;
        pool.deadlines().disarm(this);
        if (status >= 500)
        {
            cluster.onFailure(endpoint);
        }
        else
        {
            cluster.onSuccess(endpoint, System.nanoTime() - startNs);
        }
        cluster.release(Overflow.REQUESTS);
        final Channel channel = detach();
        if (keepAlive)
        {
            pool.release(endpoint.poolKey(), channel, cluster.config().maxIdleConnectionsPerLoop());
        }
        else
        {
            channel.close();
        }
    }

    private void fail()
    {
        done = true;
        pool.deadlines().disarm(this);
        counters.increment(DataPlaneCounter.MIRROR_FAILURES);
        cluster.onFailure(endpoint);
        cluster.release(Overflow.REQUESTS);
        if (!sent)
        {
            ReferenceCountUtil.release(request);
            if (body != null)
            {
                for (int i = 0; i < body.size(); i++)
                {
                    body.get(i).release();
                }
            }
        }
        if (upstream != null)
        {
            detach().close();
        }
    }

    private Channel detach()
    {
        final Channel channel = upstream;
        upstream = null;
        final UpstreamHandler handler = channel.pipeline().get(UpstreamHandler.class);
        if (handler != null)
        {
            handler.unlease();
        }
        return channel;
    }
}
