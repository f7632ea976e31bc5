package io.mecmesh.slicemanager.compiler;

import com.sun.net.httpserver.HttpServer;
import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.authz.AuthorizationPolicy;
import io.mecmesh.dataplane.classify.SliceStats;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.dataplane.tls.TlsMaterial;
import io.mecmesh.dataplane.tls.TlsMaterialSource;
import io.mecmesh.slicemanager.ca.CertificateAuthority;
import io.mecmesh.slicemanager.ca.CertificateRequests;
import io.mecmesh.slicemanager.model.ModelFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compiled configuration of node-c (the URLLC slice, classified by the caller SPIFFE id prefix
 * {@code spiffe://mesh.example/slice/2-0000b2/}) on a real data plane behind a mesh (mTLS) listener, with its
 * compiled policy table published: a caller whose SVID is under the prefix gets the slice policy's 200 ms timeout
 * although the route's own timeout is raised to 15 s here; a caller of another slice is outside plc's
 * {@code allowedCallerPrefixes} and refused (403) by node-c, which runs plc; with that policy lifted it is unclassified
 * and keeps the route's 15 s.
 */
class ClassifyOverMtlsTest
{
    private static final long DELAY_MS = 700;

    @TempDir
    Path dir;

    private CertificateAuthority ca;
    private HttpServer backend;
    private ExecutorService backendThreads;
    private DataPlane node;
    private NodeMeshConfig compiled;
    private MeshConfig meshConfig;

    @BeforeEach
    void start()
    {
        ca = CertificateAuthority.generate("mesh.example", Duration.ofDays(1), InstantSource.system());
        backend = slowBackend();
        compiled = new MeshCompiler().compile(ModelFixtures.state(), CompilerSettings.DEFAULT).nodes().get("node-c");
        final Path unused = dir.resolve("unused.pem");
        final TlsMaterialSource serverIdentity = new TlsMaterialSource(svid("site/site-c/node/node-c"));
        meshConfig = compiled.meshConfig()
            .withListeners(compiled.version(), List.of(ListenerConfig.builder("mesh-in", "127.0.0.1", 0)
                .tls(TlsConfig.fromSource(serverIdentity, unused, unused, unused, TlsConfig.Mode.MESH)).build()))
            .withRoutes(compiled.version(), compiled.meshConfig().routes().stream()
                .map(ClassifyOverMtlsTest::withFifteenSecondTimeout).toList(),
                List.of(ClusterConfig.of("plc", List.of(new Endpoint("127.0.0.1", backend.getAddress().getPort())))));
        node = DataPlane.start(meshConfig, new DataPlaneCounters());
        node.publishPolicyTable(compiled.toPolicyTable());
    }

    @AfterEach
    void stop()
    {
        if (node != null)
        {
            node.close();
        }
        backend.stop(0);
        backendThreads.shutdownNow();
    }

    @Test
    void shouldGiveACallerUnderTheSlicesSpiffePrefixTheSlicePolicysTimeout() throws Exception
    {
        final long start = System.nanoTime();
        final String status;
        try (SSLSocket socket = connect(svid("slice/2-0000b2/app/robot-arm")))
        {
            status = get(socket, "/control/move");
        }
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(status).isEqualTo("504");
        assertThat(elapsedMs).as("the URLLC policy's 200 ms, not the backend's 700 ms nor the route's 15 s")
            .isLessThan(DELAY_MS);
        final SliceStats urllc = node.sliceStats().slice(ModelFixtures.URLLC.sliceId());
        assertThat(urllc.requests()).isEqualTo(1);
        assertThat(urllc.policyHits()).isEqualTo(1);
        assertThat(node.sliceStats().unclassified().requests()).isZero();
    }

    @Test
    void shouldRefuseACallerOfAnotherSliceOutsideTheServicesAllowedCallers() throws Exception
    {
        final String status;
        try (SSLSocket socket = connect(svid("slice/1-0000a1/app/video-player")))
        {
            status = get(socket, "/control/move");
        }

        assertThat(status).as("plc allows callers under spiffe://mesh.example/slice/2-0000b2/ only").isEqualTo("403");
        assertThat(node.sliceStats().unclassified().requests()).isEqualTo(1);
        assertThat(node.sliceStats().slice(ModelFixtures.URLLC.sliceId()).requests()).isZero();
    }

    @Test
    void shouldLeaveACallerOfAnotherSliceUnclassifiedWithTheRoutesOwnTimeout() throws Exception
    {
        node.update(meshConfig.withRoutes(compiled.version() + 1, meshConfig.routes().stream()
            .map(route -> new RouteConfig(route.name(), route.match(), route.action(), route.requestHeaders(),
                route.responseHeaders(), AuthorizationPolicy.ALLOW_ALL, route.policyRouteId())).toList(),
            meshConfig.clusters()));
        final String status;
        try (SSLSocket socket = connect(svid("slice/1-0000a1/app/video-player")))
        {
            status = get(socket, "/control/move");
        }

        assertThat(status).as("700 ms is within the route's 15 s").isEqualTo("200");
        assertThat(node.sliceStats().unclassified().requests()).isEqualTo(1);
        assertThat(node.sliceStats().unclassified().policyMisses()).isEqualTo(1);
        assertThat(node.sliceStats().slice(ModelFixtures.URLLC.sliceId()).requests()).isZero();
    }

    private static RouteConfig withFifteenSecondTimeout(final RouteConfig route)
    {
        final RouteAction.Forward forward = (RouteAction.Forward)route.action();
        return new RouteConfig(route.name(), route.match(), new RouteAction.Forward(forward.clusters(), 15_000, 0,
            io.mecmesh.dataplane.route.RetryPolicy.NONE), route.requestHeaders(), route.responseHeaders(),
            route.authorization(), route.policyRouteId());
    }

    private TlsMaterial svid(final String path)
    {
        final KeyPair key = CertificateRequests.newKeyPair();
        final List<X509Certificate> chain = ca.issue(ca.root(), CertificateRequests.csr(key),
            SpiffeId.parse("spiffe://mesh.example/" + path), Duration.ofHours(1));
        return new TlsMaterial(chain, key.getPrivate(), ca.trustBundle());
    }

    /** Answers every request after {@value #DELAY_MS} ms, on its own threads. */
    private HttpServer slowBackend()
    {
        try
        {
            final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            server.createContext("/", exchange ->
            {
                try (exchange)
                {
                    exchange.getRequestBody().readAllBytes();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(DELAY_MS));
                    exchange.sendResponseHeaders(200, -1);
                }
            });
            backendThreads = Executors.newFixedThreadPool(4);
            server.setExecutor(backendThreads);
            server.start();
            return server;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private SSLSocket connect(final TlsMaterial client) throws Exception
    {
        final char[] password = "test".toCharArray();
        final KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry("client", client.privateKey(), password, client.chain().toArray(new X509Certificate[0]));
        final KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore, password);
        final SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keys.getKeyManagers(), new TrustManager[] {new AcceptAnyServer()}, null);
        final InetSocketAddress address = node.listenerAddress("mesh-in");
        final SSLSocket socket = (SSLSocket)context.getSocketFactory().createSocket(address.getHostString(),
            address.getPort());
        socket.setEnabledProtocols(new String[] {"TLSv1.3"});
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket;
    }

    /** One request to the compiled plc route; returns the response's status code. */
    private static String get(final SSLSocket socket, final String path) throws IOException
    {
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: plc.example\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        final InputStream in = socket.getInputStream();
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (head.size() < 12)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new IOException("connection closed after " + head.size() + " bytes");
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII).substring(9, 12);
    }

    private static final class AcceptAnyServer implements X509TrustManager
    {
        @Override
        public void checkClientTrusted(final X509Certificate[] chain, final String authType)
        {
            // a client-side trust manager: never asked about clients
        }

        @Override
        public void checkServerTrusted(final X509Certificate[] chain, final String authType)
        {
            // the test is about the server's view of the client, not the other way round
        }

        @Override
        public X509Certificate[] getAcceptedIssuers()
        {
            return new X509Certificate[0];
        }
    }
}
