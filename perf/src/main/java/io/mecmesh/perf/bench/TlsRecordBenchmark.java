package io.mecmesh.perf.bench;

import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.dataplane.tls.PeerRejections;
import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.dataplane.tls.TlsContexts;
import io.mecmesh.slicemanager.ca.CertificateAuthority;
import io.mecmesh.slicemanager.ca.CertificateRequests;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * TLS 1.3 record protection between two mesh peers, with the data plane's own TLS contexts (BoringSSL when it
 * loads, the mesh's mutual-TLS settings, SPIFFE-validated peers): a 1 KiB application record encrypted by the
 * client's {@link SslHandler} and decrypted by the server's, both on {@link EmbeddedChannel}s after a handshake
 * made in the set-up. Measures encrypt + decrypt of one record; leaves out the socket and the handshake.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TlsRecordBenchmark
{
    private static final int RECORD_BYTES = 1024;

    private Path dir;
    private EmbeddedChannel client;
    private EmbeddedChannel server;
    private ByteBuf payload;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        dir = Files.createTempDirectory("mecmesh-tls-bench-");
        final CertificateAuthority ca = CertificateAuthority.generate("bench.mesh", Duration.ofDays(1),
            InstantSource.system());
        final TlsConfig serverTls = identity(ca, "server");
        final TlsConfig clientTls = identity(ca, "client");
        final PeerRejections rejections = new PeerRejections();
        final SslContext serverContext = TlsContexts.server(serverTls, rejections, Clock.systemUTC());
        final SslContext clientContext = TlsContexts.client(clientTls,
            X509SvidValidator.Expectation.spiffeId(SpiffeId.parse("spiffe://bench.mesh/server")), rejections,
            Clock.systemUTC());
        server = new EmbeddedChannel(serverContext.newHandler(PooledByteBufAllocator.DEFAULT));
        client = new EmbeddedChannel(clientContext.newHandler(PooledByteBufAllocator.DEFAULT));
        for (int round = 0; round < 20 && !(handshaken(client) && handshaken(server)); round++)
        {
            shuttle(client, server);
            shuttle(server, client);
        }
        if (!handshaken(client) || !handshaken(server))
        {
            throw new IllegalStateException("the TLS handshake did not complete: client "
                + client.pipeline().get(SslHandler.class).handshakeFuture().cause() + ", server "
                + server.pipeline().get(SslHandler.class).handshakeFuture().cause());
        }
        drainInbound(server);
        drainInbound(client);
        payload = PooledByteBufAllocator.DEFAULT.directBuffer(RECORD_BYTES).writeZero(RECORD_BYTES);
        if (sealAndOpen() != RECORD_BYTES)
        {
            throw new IllegalStateException("a record did not arrive whole");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        payload.release();
        client.finishAndReleaseAll();
        server.finishAndReleaseAll();
        try (Stream<Path> files = Files.walk(dir))
        {
            for (final Path file : files.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(file);
            }
        }
    }

    /**
     * @return the plaintext bytes the server read.
     */
    @Benchmark
    public int sealAndOpen()
    {
        client.writeOutbound(payload.retainedDuplicate());
        shuttle(client, server);
        int read = 0;
        ByteBuf plain;
        while ((plain = server.readInbound()) != null)
        {
            read += plain.readableBytes();
            plain.release();
        }
        return read;
    }

    private TlsConfig identity(final CertificateAuthority ca, final String name) throws IOException
    {
        final KeyPair key = CertificateRequests.newKeyPair();
        final Path chain = dir.resolve(name + ".pem");
        final Path privateKey = dir.resolve(name + "-key.pem");
        final Path bundle = dir.resolve("bundle.pem");
        Files.writeString(chain, Pem.encodeCertificates(ca.issue(ca.root(), CertificateRequests.csr(key),
            SpiffeId.parse("spiffe://bench.mesh/" + name))));
        Files.write(privateKey, Pem.encodePrivateKey(key.getPrivate()).getBytes(StandardCharsets.US_ASCII));
        Files.writeString(bundle, Pem.encodeCertificates(ca.trustBundle()));
        return new TlsConfig(chain, privateKey, bundle, TlsConfig.Mode.MESH);
    }

    private static boolean handshaken(final EmbeddedChannel channel)
    {
        return channel.pipeline().get(SslHandler.class).handshakeFuture().isSuccess();
    }

    /** Moves what {@code from} wrote to the network into {@code to}, as a socket would. */
    private static void shuttle(final EmbeddedChannel from, final EmbeddedChannel to)
    {
        ByteBuf bytes;
        while ((bytes = from.readOutbound()) != null)
        {
            to.writeInbound(bytes);
        }
        to.runPendingTasks();
        from.runPendingTasks();
    }

    private static void drainInbound(final EmbeddedChannel channel)
    {
        Object message;
        while ((message = channel.readInbound()) != null)
        {
            ReferenceCountUtil.release(message);
        }
    }
}
