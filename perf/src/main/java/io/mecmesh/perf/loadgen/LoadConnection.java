package io.mecmesh.perf.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * One client connection of a {@link LoadAgent} and the request slots it offers: one for HTTP/1.1, up to
 * {@code --streams} for HTTP/2. Reconnects when the agent asks. Confined to the agent's event loop.
 *
 * <pre>
 *  DISCONNECTED --connect()--&gt; CONNECTING --TCP up (and TLS handshake done)--&gt; READY
 *       ^                             |                                          |
 *       +---- refused/handshake fails (ERROR_CONNECT, back-off) ------------------+-- closed (in flight: ERROR_RESET)
 *  any state --close()--&gt; CLOSED (end of run)
 * </pre>
 */
abstract sealed class LoadConnection permits Http1Connection, Http2Connection
{
    /** Wait after a failed connect before the next attempt, so that a closed port is not hammered. */
    static final long CONNECT_BACKOFF_NS = 100_000_000L;

    enum State
    {
        DISCONNECTED,
        CONNECTING,
        READY,
        CLOSED
    }

    final LoadAgent agent;
    final RequestTemplate template;
    private final Bootstrap bootstrap;
    private final InetSocketAddress address;
    private final Optional<SslContext> sslContext;
    private final String sniHost;
    private State state = State.DISCONNECTED;
    private long reconnectAtNs;
    private boolean firstAttemptReported;
    Channel channel;

    LoadConnection(
        final LoadAgent agent,
        final RequestTemplate template,
        final Bootstrap bootstrap,
        final InetSocketAddress address,
        final Optional<SslContext> sslContext,
        final String sniHost)
    {
        this.agent = requireNonNull(agent, "agent");
        this.template = requireNonNull(template, "template");
        this.address = requireNonNull(address, "address");
        this.sslContext = requireNonNull(sslContext, "sslContext");
        this.sniHost = requireNonNull(sniHost, "sniHost");
        this.bootstrap = bootstrap.clone().handler(new ChannelInitializer<>()
        {
            @Override
            protected void initChannel(final Channel ch)
            {
                if (LoadConnection.this.sslContext.isPresent())
                {
                    final SslHandler ssl = LoadConnection.this.sslContext.get()
                        .newHandler(ch.alloc(), LoadConnection.this.sniHost, address.getPort());
                    ssl.setHandshakeTimeout(agent.timeoutNs(), TimeUnit.NANOSECONDS);
                    ch.pipeline().addLast(ssl);
                }
                initProtocol(ch);
            }
        });
    }

    /**
     * Adds the HTTP handlers after the (optional) TLS handler.
     *
     * @param ch the new channel.
     */
    abstract void initProtocol(Channel ch);

    /**
     * @return requests this connection can take now: 0 unless {@link State#READY}.
     */
    abstract int freeSlots();

    /**
     * @return requests written and not yet answered.
     */
    abstract int inFlight();

    /**
     * Writes one request. Only called when {@link #freeSlots()} is positive.
     *
     * @param intendedNs when the schedule wanted it sent; its latency runs from here.
     * @param nowNs      the actual send time.
     * @param measured   whether it belongs to the measurement window.
     */
    abstract void send(long intendedNs, long nowNs, boolean measured);

    /**
     * Abandons the requests in flight for longer than {@code timeoutNs}, counting each as a timeout.
     *
     * @param nowNs     now.
     * @param timeoutNs the response timeout.
     * @return requests abandoned.
     */
    abstract int expire(long nowNs, long timeoutNs);

    /**
     * Forgets every request in flight (they were counted by the caller).
     *
     * @param counter what to count each of them as, when measured.
     */
    abstract void failAll(LoadCounter counter);

    /**
     * Starts a connection attempt; the agent hears of the outcome through {@code onReady} or
     * {@code onDisconnected}.
     */
    final void connect()
    {
        state = State.CONNECTING;
        final ChannelFuture future = bootstrap.connect(address);
        channel = future.channel();
        future.addListener((ChannelFuture f) ->
        {
            if (!f.isSuccess())
            {
                onConnectFailed();
                return;
            }
            f.channel().closeFuture().addListener(closed -> onClosed());
            final SslHandler ssl = f.channel().pipeline().get(SslHandler.class);
            if (ssl == null)
            {
                onConnected();
            }
            else
            {
                ssl.handshakeFuture().addListener(handshake ->
                {
                    if (handshake.isSuccess())
                    {
                        onConnected();
                    }
                });
            }
        });
    }

    private void onConnected()
    {
        if (state == State.CONNECTING)
        {
            state = State.READY;
            reportFirstAttempt();
            agent.onReady(this);
        }
    }

    private void onConnectFailed()
    {
        if (state == State.CLOSED)
        {
            return;
        }
        agent.count(LoadCounter.ERROR_CONNECT);
        state = State.DISCONNECTED;
        reconnectAtNs = System.nanoTime() + CONNECT_BACKOFF_NS;
        reportFirstAttempt();
    }

    private void onClosed()
    {
        if (state == State.CLOSED)
        {
            return;
        }
        if (state == State.CONNECTING)
        {
            onConnectFailed(); // the TLS handshake failed
            return;
        }
        failAll(LoadCounter.ERROR_RESET);
        state = State.DISCONNECTED;
        reconnectAtNs = System.nanoTime();
        agent.onSlotsFreed();
    }

    private void reportFirstAttempt()
    {
        if (!firstAttemptReported)
        {
            firstAttemptReported = true;
            agent.onFirstAttempt();
        }
    }

    /**
     * @param nowNs now.
     * @return true when disconnected and the back-off has passed.
     */
    final boolean shouldReconnect(final long nowNs)
    {
        return state == State.DISCONNECTED && nowNs - reconnectAtNs >= 0;
    }

    /**
     * @return the connection's state.
     */
    final State state()
    {
        return state;
    }

    /**
     * The end of the run: counts what is still in flight as timeouts and closes the socket.
     */
    final void close()
    {
        if (state != State.CLOSED)
        {
            failAll(LoadCounter.ERROR_TIMEOUT);
            state = State.CLOSED;
            reportFirstAttempt();
            if (channel != null)
            {
                channel.close();
            }
        }
    }

    /**
     * Closes the socket so that it is reconnected (after a timeout, a non-keep-alive response or a GOAWAY).
     */
    final void recycle()
    {
        if (channel != null)
        {
            channel.close();
        }
    }
}
