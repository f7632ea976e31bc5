package io.mecmesh.dataplane.tls;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.dataplane.testing.TlsExchange;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A mesh listener's TLS stage with real BoringSSL (or JDK) engines on loopback: the peer's SPIFFE id that
 * {@link TlsIdentityHandler} puts on the connection is the right one on full handshakes and on resumed TLS 1.3
 * sessions (session tickets), also when two peers with different SVIDs take turns, and a peer that reconnects with
 * the same certificate is served from the leaf id cache. Resumption is observed on the server: its trust manager
 * validates a chain (and reads the clock) only in a full handshake.
 */
class TlsResumptionIdentityTest
{
    private static final SpiffeId CLIENT_A = SpiffeId.parse("spiffe://tls.test/client-a");
    private static final SpiffeId CLIENT_B = SpiffeId.parse("spiffe://tls.test/client-b");
    private static final long TIMEOUT_S = 10;

    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final DataPlaneCounters counters = new DataPlaneCounters();
    private final CountingClock validations = new CountingClock();
    private Channel server;

    @BeforeEach
    void startServer() throws Exception
    {
        final SslContext context = TlsContexts.server(new TlsConfig(fixture("server.pem"), fixture("server-key.pem"),
            fixture("bundle.pem"), TlsConfig.Mode.MESH), new PeerRejections(), validations);
        server = new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<Channel>()
            {
                @Override
                protected void initChannel(final Channel channel)
                {
                    channel.pipeline()
                        .addLast("tls", context.newHandler(channel.alloc()))
                        .addLast("peer-identity", new TlsIdentityHandler(counters))
                        .addLast("answer", new AnswerWithPeerId());
                }
            })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
    }

    @AfterEach
    void stop()
    {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void shouldPutTheRightPeerIdOnResumedConnectionsWhenPeersTakeTurns() throws Exception
    {
        final SslContext clientA = client("client-a");
        final SslContext clientB = client("client-b");
        final long hitsBefore = TlsIdentityHandler.leafIds().hits();

        assertThat(peerIdSeenByServer(clientA)).as("A, full handshake").isEqualTo(CLIENT_A);
        assertThat(peerIdSeenByServer(clientB)).as("B, full handshake").isEqualTo(CLIENT_B);
        assertThat(validations.count()).as("one chain validation per full handshake").isEqualTo(2);

        assertThat(peerIdSeenByServer(clientA)).as("A, resumed after B").isEqualTo(CLIENT_A);
        assertThat(peerIdSeenByServer(clientB)).as("B, resumed after A").isEqualTo(CLIENT_B);
        assertThat(peerIdSeenByServer(clientA)).as("A, resumed with the ticket of its resumed session")
            .isEqualTo(CLIENT_A);
        assertThat(validations.count()).as("resumed: no chain validated again")
            .isEqualTo(2);
        assertThat(TlsIdentityHandler.leafIds().hits() - hitsBefore).as("ids of known leaves from the cache")
            .isGreaterThanOrEqualTo(3);
        assertThat(counters.get(DataPlaneCounter.TLS_HANDSHAKES)).isEqualTo(5);
        assertThat(counters.get(DataPlaneCounter.TLS_HANDSHAKE_FAILURES)).isZero();
    }

    private static Path fixture(final String name) throws URISyntaxException
    {
        return Path.of(TlsResumptionIdentityTest.class.getResource("resumption/" + name).toURI());
    }

    private static SslContext client(final String name) throws URISyntaxException
    {
        return TlsContexts.client(new TlsConfig(fixture(name + ".pem"), fixture(name + "-key.pem"),
                fixture("bundle.pem"), TlsConfig.Mode.MESH),
            X509SvidValidator.Expectation.spiffeId(SpiffeId.parse("spiffe://tls.test/server")), new PeerRejections(),
            Clock.systemUTC());
    }

    /**
     * One connection: handshake (offering the client's latest ticket for this server, if any), then the server's
     * answer, the SPIFFE id it put on the connection, read to the server's close.
     */
    private SpiffeId peerIdSeenByServer(final SslContext client) throws Exception
    {
        final String id = TlsExchange.exchange(group, (InetSocketAddress)server.localAddress(), client, "",
            TIMEOUT_S);
        assertThat(id).as("the server's answer").startsWith("spiffe://");
        return SpiffeId.parse(id);
    }

    /**
     * After the handshake (and the identity stage): writes the peer's SPIFFE id, which flushes the session tickets
     * with it, and closes.
     */
    private static final class AnswerWithPeerId extends ChannelInboundHandlerAdapter
    {
        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
        {
            if (evt instanceof SslHandshakeCompletionEvent handshake && handshake.isSuccess())
            {
                final SpiffeId id = ctx.channel().attr(PeerIdentity.SPIFFE_ID).get();
                ctx.writeAndFlush(Unpooled.copiedBuffer(String.valueOf(id), StandardCharsets.US_ASCII))
                    .addListener(ChannelFutureListener.CLOSE);
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    /** The system clock, counting the reads: the server's trust manager reads it once per chain it validates. */
    private static final class CountingClock extends Clock
    {
        private final AtomicInteger reads = new AtomicInteger();

        int count()
        {
            return reads.get();
        }

        @Override
        public ZoneId getZone()
        {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(final ZoneId zone)
        {
            throw new UnsupportedOperationException("withZone");
        }

        @Override
        public Instant instant()
        {
            reads.incrementAndGet();
            return Instant.now();
        }
    }
}
