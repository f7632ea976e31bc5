package io.mecmesh.dataplane.http2;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.testing.RawHttp2;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP/2 request bodies stream to the upstream with flow control tied to the upstream's writability: a stream's
 * window is given back only as the upstream takes the body, so a client cannot push more than the socket buffers
 * between the proxy and a stalled upstream hold; once the upstream reads again, the window opens and the whole
 * body arrives. A real HTTP/2 client of raw frames, a real upstream socket that stops reading.
 */
final class Http2FlowControlTest
{
    /**
     * Three times the proxy's socket send buffer at its largest (tcp_wmem's maximum, 4 MiB) and far more than the
     * stream's window, yet sent well inside the route's default timeout on a busy machine.
     */
    private static final int BODY_BYTES = 12 * 1024 * 1024;
    private static final int FRAME_BYTES = 16 * 1024;
    private static final int INITIAL_WINDOW = 65_535;
    private static final int STREAM = 1;

    private PausedUpstream upstream;
    private DataPlane dataPlane;

    @BeforeEach
    void start() throws IOException
    {
        upstream = new PausedUpstream();
        dataPlane = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
                List.of(ListenerConfig.builder("ingress", "127.0.0.1", 0).maxRequestBodyBytes(2L * BODY_BYTES)
                    .build()),
                List.of(new RouteConfig("up.local", "/", "up")),
                List.of(ClusterConfig.of("up", List.of(new Endpoint("127.0.0.1", upstream.port()))))),
            new DataPlaneCounters());
    }

    @AfterEach
    void stop() throws IOException
    {
        dataPlane.close();
        upstream.close();
    }

    @Test
    void shouldWithholdTheStreamWindowWhileTheUpstreamDoesNotReadAndReleaseItWhenItDoes() throws Exception
    {
        try (RawHttp2 client = new RawHttp2(dataPlane.listenerAddress("ingress")))
        {
            final Windows windows = new Windows();
            client.frame(RawHttp2.HEADERS, RawHttp2.END_HEADERS, STREAM, client.headerBlock("POST", "up.local",
                "/upload", "content-length", Integer.toString(BODY_BYTES)));

            // The upstream reads the request head, then nothing: send while the windows allow, until a number of
            // PING round trips in a row (each one the proxy's event loop answering) brings no window back.
            int roundsWithoutCredit = 0;
            while (windows.sent < BODY_BYTES && roundsWithoutCredit < 50)
            {
                windows.sendWhileOpen(client);
                roundsWithoutCredit = windows.pingRound(client) ? 0 : roundsWithoutCredit + 1;
            }
            final long sentWhileStalled = windows.sent;

            assertThat(upstream.bodyBytesRead.get()).as("the upstream has read none of the body").isZero();
            assertThat(sentWhileStalled).as("the proxy withheld the stream's window while the upstream did not read")
                .isLessThan(BODY_BYTES / 2);
            assertThat(windows.stream).as("the client's stream window is used up").isLessThan(FRAME_BYTES);

            upstream.resume.countDown();
            while (windows.sent < BODY_BYTES)
            {
                windows.sendWhileOpen(client);
                if (windows.sent < BODY_BYTES)
                {
                    windows.credit(client.readAny());
                }
            }
            client.frame(RawHttp2.DATA, RawHttp2.END_STREAM, STREAM, new byte[0]);
            RawHttp2.Frame frame;
            do
            {
                frame = client.read();
            }
            while (frame.type() != RawHttp2.HEADERS || frame.streamId() != STREAM);

            assertThat(client.decode(frame).status().toString()).isEqualTo("200");
            assertThat(upstream.bodyBytesRead.get()).as("the whole body reached the upstream once it read")
                .isEqualTo(BODY_BYTES);
        }
    }

    /** The client's view of its send windows (stream 1 and the connection). */
    private static final class Windows
    {
        private final byte[] chunk = new byte[FRAME_BYTES];
        long stream = INITIAL_WINDOW;
        long connection = INITIAL_WINDOW;
        long sent;

        void sendWhileOpen(final RawHttp2 client) throws IOException
        {
            while (sent < BODY_BYTES)
            {
                final int length = (int)Math.min(Math.min(stream, connection), Math.min(FRAME_BYTES,
                    BODY_BYTES - sent));
                if (length <= 0)
                {
                    return;
                }
                client.frame(RawHttp2.DATA, 0, STREAM, length == FRAME_BYTES ? chunk : new byte[length]);
                stream -= length;
                connection -= length;
                sent += length;
            }
        }

        /** Sends a PING and reads up to its ACK; @return whether the stream's window grew meanwhile. */
        boolean pingRound(final RawHttp2 client) throws IOException
        {
            final long before = stream;
            client.frame(RawHttp2.PING, 0, 0, new byte[8]);
            RawHttp2.Frame frame;
            while ((frame = client.readAny()).type() != RawHttp2.PING || (frame.flags() & RawHttp2.ACK) == 0)
            {
                credit(frame);
            }
            return stream > before;
        }

        void credit(final RawHttp2.Frame frame)
        {
            assertThat(frame.type()).as("no answer before the body is sent: %s after %d bytes", frame, sent).isIn(RawHttp2.WINDOW_UPDATE,
                RawHttp2.PING);
            if (frame.type() != RawHttp2.WINDOW_UPDATE)
            {
                return;
            }
            final byte[] p = frame.payload();
            final long increment = (p[0] & 0x7f) << 24 | (p[1] & 0xff) << 16 | (p[2] & 0xff) << 8 | p[3] & 0xff;
            if (frame.streamId() == STREAM)
            {
                stream += increment;
            }
            else
            {
                connection += increment;
            }
        }
    }

    /**
     * An HTTP/1.1 upstream with a small receive buffer that reads a request head, waits for {@link #resume}, then
     * reads the body of the length announced and answers 200.
     */
    private static final class PausedUpstream implements AutoCloseable
    {
        final CountDownLatch resume = new CountDownLatch(1);
        final AtomicLong bodyBytesRead = new AtomicLong();
        private final ServerSocket server;
        private final Thread thread;

        PausedUpstream() throws IOException
        {
            server = new ServerSocket();
            server.setReceiveBufferSize(8 * 1024);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            thread = new Thread(this::serve, "paused-upstream");
            thread.setDaemon(true);
            thread.start();
        }

        int port()
        {
            return server.getLocalPort();
        }

        private void serve()
        {
            try (Socket socket = server.accept())
            {
                socket.setSoTimeout(30_000);
                final InputStream in = new BufferedInputStream(socket.getInputStream(), 8 * 1024);
                final long length = contentLength(readHead(in));
                if (!resume.await(60, TimeUnit.SECONDS))
                {
                    return;
                }
                final byte[] buffer = new byte[64 * 1024];
                while (bodyBytesRead.get() < length)
                {
                    final int n = in.read(buffer, 0, (int)Math.min(buffer.length, length - bodyBytesRead.get()));
                    if (n < 0)
                    {
                        return;
                    }
                    bodyBytesRead.addAndGet(n);
                }
                socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                // Keeps the connection until the test closes the server.
                in.read();
            }
            catch (final IOException | InterruptedException e)
            {
                // The test ends by closing the server socket.
            }
        }

        private static String readHead(final InputStream in) throws IOException
        {
            final StringBuilder head = new StringBuilder();
            while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n"))
            {
                final int c = in.read();
                if (c < 0)
                {
                    throw new IOException("closed in the request head");
                }
                head.append((char)c);
            }
            return head.toString();
        }

        private static long contentLength(final String head)
        {
            for (final String line : head.split("\r\n"))
            {
                if (line.regionMatches(true, 0, "content-length:", 0, 15))
                {
                    return Long.parseLong(line.substring(15).trim());
                }
            }
            return 0;
        }

        @Override
        public void close() throws IOException
        {
            resume.countDown();
            server.close();
            thread.interrupt();
        }
    }
}
