package io.mecmesh.slicemanager.identity;

import com.sun.net.httpserver.HttpServer;
import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.ClusterTls;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.LbPolicy;
import io.mecmesh.dataplane.cluster.OutlierDetection;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.dataplane.tls.TlsMaterial;
import io.mecmesh.dataplane.transport.TransportKind;
import io.mecmesh.slicemanager.ca.CertificateAuthority;
import io.mecmesh.slicemanager.ca.CertificateRequests;
import io.mecmesh.slicemanager.ca.IdentityHttpHandler;
import io.mecmesh.slicemanager.ca.SigningService;
import io.mecmesh.slicemanager.http.ApiGate;
import io.mecmesh.slicemanager.http.ApiHttpServer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;


/**
 * Real peers for identity tests: a clock moved by hand, a signer that can be switched off, a JDK HTTP backend, and a
 * JDK TLS client that presents an SVID and reports the server's certificate.
 */
final class IdentityTestSupport
{
    static final String TRUST_DOMAIN = "mesh.test";
    static final String TOKEN = "join-token-for-tests";

    private IdentityTestSupport()
    {
    }

    /** A clock tests move by hand. */
    static final class ManualClock implements InstantSource
    {
        private final AtomicReference<Instant> now;

        ManualClock(final Instant start)
        {
            now = new AtomicReference<>(start);
        }

        @Override
        public Instant instant()
        {
            return now.get();
        }

        void advance(final Duration duration)
        {
            now.updateAndGet(t -> t.plus(duration));
        }
    }

    /** A signer that fails as an unreachable CA would while switched off. */
    static final class SwitchableSigner implements CertificateSigner
    {
        private final CertificateSigner delegate;
        private final AtomicBoolean down = new AtomicBoolean();

        SwitchableSigner(final CertificateSigner delegate)
        {
            this.delegate = delegate;
        }

        void down(final boolean isDown)
        {
            down.set(isDown);
        }

        @Override
        public SignedIdentity sign(final SigningRequest request)
        {
            if (down.get())
            {
                throw new IdentityClientException(IdentityClientException.Category.CA_UNAVAILABLE,
                    "test CA switched off");
            }
            return delegate.sign(request);
        }
    }

    /** Signs in process through the real {@link SigningService}, PEM in and out as over HTTP. */
    static CertificateSigner inProcess(final SigningService service)
    {
        return request ->
        {
            final SigningService.Signed signed = service.sign(request.nodeId(), request.site(), request.csrPem(),
                TOKEN);
            return new SignedIdentity(
                io.mecmesh.dataplane.identity.Pem.readCertificates(
                    signed.chainPem().getBytes(StandardCharsets.US_ASCII), "chain"),
                io.mecmesh.dataplane.identity.Pem.readCertificates(
                    signed.bundlePem().getBytes(StandardCharsets.US_ASCII), "bundle"));
        };
    }

    /** An SVID for a test client, issued by the CA's root. */
    static TlsMaterial clientMaterial(final CertificateAuthority ca, final String path, final Duration ttl)
    {
        final KeyPair key = CertificateRequests.newKeyPair();
        final List<X509Certificate> chain = ca.issue(ca.root(), CertificateRequests.csr(key),
            SpiffeId.parse("spiffe://" + ca.trustDomain() + "/" + path), ttl);
        return new TlsMaterial(chain, key.getPrivate(), ca.trustBundle());
    }

    /**
     * A control plane's CA on loopback: a new root, and the signing endpoint for edge-a (site-a) and edge-b
     * (site-b) with the join token {@link #TOKEN}, stopped by {@code resources}.
     *
     * @param ttl       the SVIDs' lifetime.
     * @param resources where its stop is registered.
     * @return the URI the nodes' signers use.
     */
    static URI controlPlaneCa(final Duration ttl, final List<AutoCloseable> resources) throws IOException
    {
        final CertificateAuthority ca = CertificateAuthority.generate(TRUST_DOMAIN, Duration.ofDays(1),
            InstantSource.system());
        final ApiHttpServer controlPlane = ApiHttpServer.start(ApiHttpServer.Settings.plain("test-ca", "127.0.0.1",
            0), ApiGate.OPEN, Map.of(IdentityHttpHandler.CONTEXT, new IdentityHttpHandler(new SigningService(ca,
            ca.root(), Map.of("edge-a", "site-a", "edge-b", "site-b"), TOKEN, ttl))));
        resources.add(controlPlane);
        return URI.create("http://127.0.0.1:" + controlPlane.address().getPort());
    }

    /**
     * Where the two ends of an mTLS hop listen.
     *
     * @param outbound node A's plain listener, where clients send.
     * @param meshIn   node B's mesh listener, which A reaches over mTLS.
     */
    record MtlsHop(InetSocketAddress outbound, InetSocketAddress meshIn)
    {
    }

    /**
     * Two data planes on their node identities: A's plain listener forwards everything over mTLS (B's SPIFFE id
     * expected) to B's mesh listener, which forwards to a {@link #backend()}; all stopped by {@code resources}.
     *
     * @param identityA node A's identity.
     * @param identityB node B's identity.
     * @param resources where their stops are registered.
     * @return the hop's addresses.
     */
    static MtlsHop mtlsHop(final NodeIdentityClient identityA, final NodeIdentityClient identityB,
        final List<AutoCloseable> resources) throws IOException
    {
        final HttpServer backend = backend();
        resources.add(() -> backend.stop(0));
        final DataPlane nodeB = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
            List.of(ListenerConfig.builder("mesh-in", "127.0.0.1", 0)
                .tls(identityB.tlsConfig(TlsConfig.Mode.MESH)).build()),
            List.of(new RouteConfig("*", "/", "local")),
            List.of(ClusterConfig.of("local", List.of(new Endpoint("127.0.0.1", backend.getAddress().getPort()))))),
            new DataPlaneCounters());
        resources.add(nodeB::close);
        final ClusterTls toB = new ClusterTls(identityA.tlsConfig(TlsConfig.Mode.MESH), identityB.spiffeId(), "svc");
        final DataPlane nodeA = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
            List.of(ListenerConfig.of("outbound", "127.0.0.1", 0)),
            List.of(new RouteConfig("*", "/", "node-b")),
            List.of(new ClusterConfig("node-b", List.of(new Endpoint("127.0.0.1",
                nodeB.listenerAddress("mesh-in").getPort())), 1000, 8, 60_000, LbPolicy.ROUND_ROBIN, "", 70,
                OutlierDetection.DEFAULT, Optional.of(toB)))), new DataPlaneCounters());
        resources.add(nodeA::close);
        return new MtlsHop(nodeA.listenerAddress("outbound"), nodeB.listenerAddress("mesh-in"));
    }

    /**
     * A JDK HTTP/1.1 backend answering 200 with header {@code x-backend: ok} and no body to everything: the headers
     * go out in one write, so that Nagle's algorithm (the JDK server does not set TCP_NODELAY) does not hold a second
     * write for the client's delayed ACK.
     */
    static HttpServer backend() throws IOException
    {
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", exchange ->
        {
            try (exchange)
            {
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().set("x-backend", "ok");
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        return server;
    }

    /**
     * A TLS 1.3 connection with a fresh JDK context (no session to resume) presenting the client's SVID; the server
     * certificate is not validated here (the test reads it from the session).
     */
    static SSLSocket connect(final InetSocketAddress address, final TlsMaterial client)
        throws IOException, GeneralSecurityException
    {
        final char[] password = "test".toCharArray();
        final KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry("client", client.privateKey(), password, client.chain().toArray(new X509Certificate[0]));
        final KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore, password);
        final SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keys.getKeyManagers(), new TrustManager[] {new AcceptAny()}, null);
        final SSLSocket socket = (SSLSocket)context.getSocketFactory().createSocket(address.getHostString(),
            address.getPort());
        socket.setEnabledProtocols(new String[] {"TLSv1.3"});
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket;
    }

    static BigInteger serverSerial(final SSLSocket socket) throws IOException
    {
        return ((X509Certificate)socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }

    /** Sends a keep-alive GET and reads the response; returns "status x-backend-header". */
    static String get(final SSLSocket socket, final String path) throws IOException
    {
        final OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: svc\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return readResponse(socket.getInputStream());
    }

    /** Reads one response with its body; returns "status x-backend-header". */
    static String readResponse(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new IOException("connection closed after " + head.size() + " bytes");
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                ? matched + 1 : 0;
        }
        final String headers = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        String backend = "-";
        for (final String line : headers.split("\r\n"))
        {
            final String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:"))
            {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
            else if (lower.startsWith("x-backend:"))
            {
                backend = line.substring("x-backend:".length()).trim();
            }
        }
        in.readNBytes(length);
        return headers.substring(9, 12) + " " + backend;
    }

    private static final class AcceptAny implements X509TrustManager
    {
        @Override
        public void checkClientTrusted(final X509Certificate[] chain, final String authType)
        {
            // test client: the server certificate is inspected by the test itself
        }

        @Override
        public void checkServerTrusted(final X509Certificate[] chain, final String authType)
        {
            // test client: the server certificate is inspected by the test itself
        }

        @Override
        public X509Certificate[] getAcceptedIssuers()
        {
            return new X509Certificate[0];
        }
    }
}
