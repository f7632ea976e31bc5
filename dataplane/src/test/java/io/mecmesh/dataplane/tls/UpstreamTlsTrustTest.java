package io.mecmesh.dataplane.tls;

import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.dataplane.identity.WebPkiFixtures;
import io.mecmesh.dataplane.identity.X509SvidValidator.Reason;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cluster's TLS towards a server outside the mesh, in real handshakes on loopback: the server (a Netty TLS server
 * with a web-PKI chain made by openssl, no SPIFFE ID) is accepted for the host name it was issued for and refused,
 * counted by reason, for another; the same {@code TlsServerChainValidator} as {@code mecmesh cert verify --dns-name}.
 */
class UpstreamTlsTrustTest
{
    @TempDir
    static Path dir;

    private static EventLoopGroup group;
    private static Channel server;
    private static List<X509Certificate> root;

    @BeforeAll
    static void startServer() throws Exception
    {
        final WebPkiFixtures pki = new WebPkiFixtures(dir);
        root = Pem.readCertificates(pki.root("root"));
        final Path intermediate = pki.issue("intermediate", "root", WebPkiFixtures.CA, 20);
        final Path leaf = pki.issue("server", "intermediate", WebPkiFixtures.SERVER_LEAF
            + "subjectAltName = DNS:upstream.example.com\n", 10);
        final SslContext serverContext = SslContextBuilder.forServer(
            pki.concatenate("server-chain.pem", leaf, intermediate).toFile(), dir.resolve("server.key").toFile())
            .build();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel channel)
                {
                    channel.pipeline().addLast(serverContext.newHandler(channel.alloc()));
                }
            })
            .bind("127.0.0.1", 0).sync().channel();
    }

    @AfterAll
    static void stopServer()
    {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void shouldAcceptAWebPkiServerForItsHostNameAndRefuseItForAnotherCountingTheReason() throws Exception
    {
        final PeerRejections rejections = new PeerRejections();

        assertThat(handshake("upstream.example.com", rejections).isSuccess()).isTrue();
        final Future<Channel> refused = handshake("other.example.com", rejections);

        assertThat(refused.isSuccess()).isFalse();
        assertThat(refused.cause()).hasStackTraceContaining("DNS_NAME_MISMATCH");
        assertThat(rejections.get(Reason.DNS_NAME_MISMATCH)).isEqualTo(1);
    }

    private static Future<Channel> handshake(final String host, final PeerRejections rejections) throws Exception
    {
        final SslContext context = TlsContexts.upstreamClient(root, host, rejections, Clock.systemUTC(), false);
        final InetSocketAddress address = (InetSocketAddress)server.localAddress();
        final SslHandler[] handler = new SslHandler[1];
        final Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
            .handler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel channel)
                {
                    handler[0] = context.newHandler(channel.alloc(), host, address.getPort());
                    channel.pipeline().addLast(handler[0]);
                }
            })
            .connect(address).sync().channel();
        try
        {
            return handler[0].handshakeFuture().await(10, TimeUnit.SECONDS) ? handler[0].handshakeFuture()
                : group.next().newFailedFuture(new AssertionError("no handshake outcome within 10 s"));
        }
        finally
        {
            client.close().sync();
        }
    }
}
