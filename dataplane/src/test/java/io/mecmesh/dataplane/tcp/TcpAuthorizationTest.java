package io.mecmesh.dataplane.tcp;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.authz.AuthorizationPolicy;
import io.mecmesh.dataplane.authz.AuthzRule;
import io.mecmesh.dataplane.authz.PrincipalMatch;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.testing.TlsExchange;
import io.mecmesh.dataplane.tls.PeerRejections;
import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.dataplane.tls.TlsContexts;
import io.mecmesh.dataplane.transport.TransportKind;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An L4 listener with mesh TLS and an authorization policy, with real BoringSSL (or JDK) handshakes on loopback:
 * client-a is allowed and its bytes reach the cluster (an HTTP server, spoken to through the relay); client-b, whose
 * certificate the trust bundle accepts just as well, is closed right after its handshake, nothing relayed, counted.
 */
class TcpAuthorizationTest
{
    private static final long TIMEOUT_S = 10;
    private static final String REQUEST = "GET /hello HTTP/1.1\r\nHost: anything\r\nConnection: close\r\n\r\n";

    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void stop()
    {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void shouldRelayAnAllowedPeerAndCloseAnotherPeerOfTheTrustDomainBeforeRelayingAnything() throws Exception
    {
        final AuthorizationPolicy onlyA = new AuthorizationPolicy(List.of(new AuthzRule(
            List.of(PrincipalMatch.parse("spiffe://tls.test/client-a")), List.of(), List.of())), List.of());
        try (TestBackend backend = new TestBackend("app"))
        {
            final DataPlaneCounters counters = new DataPlaneCounters();
            final DataPlane dataPlane = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
                List.of(ListenerConfig.builder("tcp-in", "127.0.0.1", 0).tcpCluster("app")
                    .tls(new TlsConfig(fixture("server.pem"), fixture("server-key.pem"), fixture("bundle.pem"),
                        TlsConfig.Mode.MESH))
                    .authorization(onlyA)
                    .build()),
                List.of(),
                List.of(ClusterConfig.of("app", List.of(new Endpoint("127.0.0.1", backend.port()))))), counters);
            try
            {
                final InetSocketAddress address = dataPlane.listenerAddress("tcp-in");

                assertThat(exchange(address, client("client-b"))).as("client-b: closed, nothing relayed").isEmpty();
                assertThat(counters.get(DataPlaneCounter.AUTHZ_DENIED_NO_ALLOW_RULE)).isEqualTo(1);
                assertThat(backend.connectionCount()).as("no upstream connection for a refused peer").isZero();

                assertThat(exchange(address, client("client-a"))).as("client-a: relayed")
                    .startsWith("HTTP/1.1 200").endsWith("app GET /hello");
                assertThat(backend.connectionCount()).isEqualTo(1);
                assertThat(counters.get(DataPlaneCounter.TLS_HANDSHAKES)).isEqualTo(2);
            }
            finally
            {
                dataPlane.close();
            }
        }
    }

    @Test
    void shouldRefuseAnL4PolicyWithoutMeshTlsOrWithMethods() throws Exception
    {
        final AuthorizationPolicy withMethods = new AuthorizationPolicy(List.of(new AuthzRule(
            List.of(PrincipalMatch.parse("spiffe://tls.test")), List.of("GET"), List.of())), List.of());
        final AuthorizationPolicy principalsOnly = new AuthorizationPolicy(List.of(new AuthzRule(
            List.of(PrincipalMatch.parse("spiffe://tls.test")), List.of(), List.of())), List.of());
        final TlsConfig mesh = new TlsConfig(fixture("server.pem"), fixture("server-key.pem"), fixture("bundle.pem"),
            TlsConfig.Mode.MESH);

        assertThatThrownBy(() -> ListenerConfig.builder("l4", "127.0.0.1", 0).tcpCluster("app")
            .authorization(principalsOnly).build()).hasMessageContaining("needs mesh TLS");
        assertThatThrownBy(() -> ListenerConfig.builder("l4", "127.0.0.1", 0).tcpCluster("app").tls(mesh)
            .authorization(withMethods).build()).hasMessageContaining("authorization.allow[0]");
        assertThatThrownBy(() -> ListenerConfig.builder("http", "127.0.0.1", 0).tls(mesh)
            .authorization(principalsOnly).build()).hasMessageContaining("only on an L4 listener");
    }

    private String exchange(final InetSocketAddress address, final SslContext client) throws Exception
    {
        return TlsExchange.exchange(group, address, client, REQUEST, TIMEOUT_S);
    }

    private static Path fixture(final String name) throws URISyntaxException
    {
        return Path.of(TcpAuthorizationTest.class.getResource("/io/mecmesh/dataplane/tls/resumption/" + name)
            .toURI());
    }

    private static SslContext client(final String name) throws URISyntaxException
    {
        return TlsContexts.client(new TlsConfig(fixture(name + ".pem"), fixture(name + "-key.pem"),
                fixture("bundle.pem"), TlsConfig.Mode.MESH),
            X509SvidValidator.Expectation.spiffeId(SpiffeId.parse("spiffe://tls.test/server")), new PeerRejections(),
            Clock.systemUTC());
    }
}
