package io.mecmesh.dataplane.tls;

import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.internal.tcnative.SSL;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 5: "the X25519MLKEM768 hybrid post-quantum key exchange preferred when both peers support it". Two mesh
 * contexts of the data plane (BoringSSL through netty-tcnative on both sides, as on a hop between two appliances)
 * agree on X25519MLKEM768, read from the server's engine after the handshake. (An OpenSSL 3.0 client, which has no
 * ML-KEM, gets X25519: perf/handshake.sh checks that with {@code openssl s_client}.)
 */
class PostQuantumKeyExchangeTest
{
    private static final long TIMEOUT_S = 10;

    @Test
    void shouldAgreeOnX25519Mlkem768BetweenTwoMeshPeers() throws Exception
    {
        assumeTrue(TlsContexts.provider() == SslProvider.OPENSSL, "BoringSSL (netty-tcnative) is not available here");
        final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try
        {
            final SslContext serverContext = TlsContexts.server(new TlsConfig(fixture("server.pem"),
                fixture("server-key.pem"), fixture("bundle.pem"), TlsConfig.Mode.MESH), new PeerRejections(),
                Clock.systemUTC());
            final SslContext clientContext = TlsContexts.client(new TlsConfig(fixture("client-a.pem"),
                    fixture("client-a-key.pem"), fixture("bundle.pem"), TlsConfig.Mode.MESH),
                X509SvidValidator.Expectation.spiffeId(SpiffeId.parse("spiffe://tls.test/server")),
                new PeerRejections(), Clock.systemUTC());
            final CompletableFuture<String> serverGroup = new CompletableFuture<>();
            final Channel server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>()
                {
                    @Override
                    protected void initChannel(final Channel channel)
                    {
                        channel.pipeline().addLast(serverContext.newHandler(channel.alloc()))
                            .addLast(new GroupOnHandshake(serverGroup));
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
            final InetSocketAddress address = (InetSocketAddress)server.localAddress();
            final CompletableFuture<String> clientGroup = new CompletableFuture<>();
            final Channel client = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>()
                {
                    @Override
                    protected void initChannel(final Channel channel)
                    {
                        channel.pipeline()
                            .addLast(clientContext.newHandler(channel.alloc(), "svc", address.getPort()))
                            .addLast(new GroupOnHandshake(clientGroup));
                    }
                })
                .connect(address).sync().channel();

            assertThat(serverGroup.get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo("X25519MLKEM768");
            assertThat(clientGroup.get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo("X25519MLKEM768");
            client.close().syncUninterruptibly();
            server.close().syncUninterruptibly();
        }
        finally
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static Path fixture(final String name) throws URISyntaxException
    {
        return Path.of(PostQuantumKeyExchangeTest.class.getResource("resumption/" + name).toURI());
    }

    /** The key-exchange group the engine negotiated, once the handshake is done. */
    private static final class GroupOnHandshake extends ChannelInboundHandlerAdapter
    {
        private final CompletableFuture<String> group;

        GroupOnHandshake(final CompletableFuture<String> group)
        {
            this.group = group;
        }

        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) throws Exception
        {
            if (evt instanceof SslHandshakeCompletionEvent handshake)
            {
                if (!handshake.isSuccess())
                {
                    group.completeExceptionally(handshake.cause());
                    return;
                }
                final ReferenceCountedOpenSslEngine engine =
                    (ReferenceCountedOpenSslEngine)ctx.pipeline().get(SslHandler.class).engine();
                group.complete(SSL.getGroupName(engine.sslPointer()));
            }
            ctx.fireUserEventTriggered(evt);
        }
    }
}
