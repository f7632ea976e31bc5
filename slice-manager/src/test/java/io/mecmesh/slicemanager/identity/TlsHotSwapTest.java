package io.mecmesh.slicemanager.identity;

import com.sun.net.httpserver.HttpServer;
import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.dataplane.tls.TlsContexts;
import io.mecmesh.dataplane.tls.TlsMaterial;
import io.mecmesh.dataplane.tls.TlsMaterialSource;
import io.mecmesh.dataplane.transport.TransportKind;
import io.mecmesh.slicemanager.ca.CertificateAuthority;
import io.mecmesh.slicemanager.distribution.DistributionFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;

import static io.mecmesh.slicemanager.identity.IdentityTestSupport.clientMaterial;
import static io.mecmesh.slicemanager.identity.IdentityTestSupport.connect;
import static io.mecmesh.slicemanager.identity.IdentityTestSupport.get;
import static io.mecmesh.slicemanager.identity.IdentityTestSupport.serverSerial;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A real data plane's mesh listener whose TLS material comes from a {@link TlsMaterialSource}: swapping the
 * certificate keeps established connections working and makes new handshakes present the new certificate.
 */
class TlsHotSwapTest
{
    @TempDir
    Path dir;

    private CertificateAuthority ca;
    private HttpServer backend;
    private DataPlane node;
    private TlsMaterialSource source;

    @BeforeEach
    void start() throws Exception
    {
        ca = CertificateAuthority.generate(IdentityTestSupport.TRUST_DOMAIN, Duration.ofDays(1),
            InstantSource.system());
        backend = IdentityTestSupport.backend();
        source = new TlsMaterialSource(clientMaterial(ca, "site/s/node/server", Duration.ofHours(1)));
        final Path unused = dir.resolve("persisted.pem");
        node = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
            List.of(ListenerConfig.builder("mesh-in", "127.0.0.1", 0)
                .tls(TlsConfig.fromSource(source, unused, unused, unused, TlsConfig.Mode.MESH)).build()),
            List.of(new RouteConfig("*", "/", "local")),
            List.of(ClusterConfig.of("local", List.of(new Endpoint("127.0.0.1", backend.getAddress().getPort()))))),
            new DataPlaneCounters());
    }

    @AfterEach
    void stop()
    {
        node.close();
        backend.stop(0);
    }

    @Test
    void shouldKeepEstablishedConnectionsAndPresentTheNewCertificateToNewHandshakes() throws Exception
    {
        assertThat(TlsContexts.providerName()).as("the BoringSSL key manager path is the one tested")
            .containsIgnoringCase("BoringSSL");
        final TlsMaterial client = clientMaterial(ca, "site/s/node/client", Duration.ofHours(1));
        final BigInteger oldSerial = source.current().leaf().getSerialNumber();
        try (SSLSocket established = connect(node.listenerAddress("mesh-in"), client))
        {
            assertThat(serverSerial(established)).isEqualTo(oldSerial);
            assertThat(get(established, "/before")).isEqualTo("200 ok");

            final TlsMaterial renewed = clientMaterial(ca, "site/s/node/server", Duration.ofHours(1));
            source.swap(renewed);
            final BigInteger newSerial = renewed.leaf().getSerialNumber();
            assertThat(newSerial).isNotEqualTo(oldSerial);
            assertThat(source.generation()).isEqualTo(2);

            for (int i = 0; i < 3; i++)
            {
                assertThat(get(established, "/after/" + i)).as("the keep-alive connection survives the swap")
                    .isEqualTo("200 ok");
            }
            assertThat(serverSerial(established)).as("its session keeps the old certificate").isEqualTo(oldSerial);
            try (SSLSocket fresh = connect(node.listenerAddress("mesh-in"), client))
            {
                assertThat(serverSerial(fresh)).as("a new handshake presents the new certificate")
                    .isEqualTo(newSerial);
                assertThat(get(fresh, "/fresh")).isEqualTo("200 ok");
            }
        }
    }

    @Test
    void shouldValidatePeersAgainstTheSwappedTrustBundle() throws Exception
    {
        final CertificateAuthority newRoot = CertificateAuthority.generate(IdentityTestSupport.TRUST_DOMAIN,
            Duration.ofDays(1), InstantSource.system());
        final TlsMaterial fromNewRoot = clientMaterial(newRoot, "site/s/node/client", Duration.ofHours(1));
        try (SSLSocket refused = connect(node.listenerAddress("mesh-in"), fromNewRoot))
        {
            // TLS 1.3: the client learns of the refusal when it reads
            assertThatThrownBy(() -> get(refused, "/x")).isInstanceOfAny(SSLException.class,
                java.io.IOException.class);
        }
        catch (final SSLException expected)
        {
            // refused during the handshake itself
        }

        final TlsMaterial current = source.current();
        source.swap(new TlsMaterial(current.chain(), current.privateKey(),
            List.of(ca.root().certificate(), newRoot.root().certificate())));
        try (SSLSocket accepted = connect(node.listenerAddress("mesh-in"), fromNewRoot))
        {
            assertThat(get(accepted, "/x")).isEqualTo("200 ok");
        }
    }

    @Test
    void shouldRefuseAndCountConnectionsWhileTheSourceHasNoMaterialAndAcceptOnceTheFirstIsSwappedIn()
        throws Exception
    {
        final TlsMaterialSource empty = TlsMaterialSource.withoutMaterial();
        final DataPlaneCounters counters = new DataPlaneCounters();
        final Path unused = dir.resolve("persisted.pem");
        final TlsMaterial client = clientMaterial(ca, "site/s/node/client", Duration.ofHours(1));
        try (DataPlane degraded = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
            List.of(ListenerConfig.of("plain", "127.0.0.1", 0), ListenerConfig.builder("mesh-in", "127.0.0.1", 0)
                .tls(TlsConfig.fromSource(empty, unused, unused, unused, TlsConfig.Mode.MESH)).build()),
            List.of(new RouteConfig("*", "/", "local")),
            List.of(ClusterConfig.of("local", List.of(new Endpoint("127.0.0.1", backend.getAddress().getPort()))))),
            counters))
        {
            assertThat(degraded.isReady()).as("bound, and its plain listener serves").isTrue();
            assertThatThrownBy(() -> connect(degraded.listenerAddress("mesh-in"), client))
                .isInstanceOf(java.io.IOException.class);
            DistributionFixtures.awaitUntil("the refusal counted",
                () -> counters.get(DataPlaneCounter.TLS_NO_VALID_IDENTITY) == 1);
            assertThat(counters.get(DataPlaneCounter.TLS_HANDSHAKES)).isZero();

            empty.swap(clientMaterial(ca, "site/s/node/server", Duration.ofHours(1)));
            try (SSLSocket accepted = connect(degraded.listenerAddress("mesh-in"), client))
            {
                assertThat(get(accepted, "/now")).isEqualTo("200 ok");
            }
            assertThat(counters.get(DataPlaneCounter.TLS_NO_VALID_IDENTITY)).isEqualTo(1);
        }
    }
}
