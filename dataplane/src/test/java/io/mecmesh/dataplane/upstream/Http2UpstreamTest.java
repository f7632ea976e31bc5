package io.mecmesh.dataplane.upstream;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.UpstreamProtocol;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.testing.TestHttp2Backend;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An HTTP/2 cluster: requests from HTTP/1.1 and HTTP/2 clients go upstream as streams on one HTTP/2 connection,
 * and the upstream's trailers (gRPC's grpc-status) come back to both.
 */
class Http2UpstreamTest
{
    private TestHttp2Backend backend;
    private DataPlaneCounters counters;
    private DataPlane dataPlane;
    private int port;

    @BeforeEach
    void start()
    {
        backend = new TestHttp2Backend();
        counters = new DataPlaneCounters();
        dataPlane = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
            List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
            List.of(new RouteConfig("*", "/", "grpc")),
            List.of(ClusterConfig.of("grpc", List.of(new Endpoint("127.0.0.1", backend.port())))
                .withProtocol(UpstreamProtocol.HTTP2))), counters);
        port = dataPlane.listenerAddress("ingress").getPort();
    }

    @AfterEach
    void stop()
    {
        dataPlane.close();
        backend.close();
    }

    @Test
    void shouldCarryHttp11RequestsAsStreamsOfOneConnectionAndReturnTrailersInChunkedEncoding() throws Exception
    {
        try (Socket socket = new Socket("127.0.0.1", port))
        {
            socket.setSoTimeout(5000);
            final OutputStream out = socket.getOutputStream();
            final InputStream in = socket.getInputStream();
            for (int i = 0; i < 5; i++)
            {
                out.write(("POST /pkg.Service/Method" + i + " HTTP/1.1\r\nHost: grpc.local\r\nTE: trailers\r\n"
                    + "Content-Type: application/grpc\r\nContent-Length: 5\r\n\r\nhello").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                final String response = readChunkedResponse(in);
                assertThat(response).startsWith("HTTP/1.1 200").containsIgnoringCase("transfer-encoding: chunked")
                    .contains("h2 backend /pkg.Service/Method" + i)
                    .contains("grpc-status: 0").contains("x-trailer: /pkg.Service/Method" + i);
            }
        }
        assertThat(backend.connectionCount()).as("one HTTP/2 connection upstream").isEqualTo(1);
        assertThat(backend.requests()).hasSize(5);
        assertThat(String.valueOf(backend.requests().get(0).get("te"))).isEqualTo("trailers");
        assertThat(String.valueOf(backend.requests().get(0).authority())).isEqualTo("grpc.local");
        assertThat(counters.get(DataPlaneCounter.UPSTREAM_CONNECTIONS)).isEqualTo(1);
    }

    @Test
    void shouldReturnTrailersToAnHttp2Client() throws Exception
    {
        final Process curl = new ProcessBuilder("curl", "-sS", "--http2-prior-knowledge", "-v", "-H", "te: trailers",
            "http://127.0.0.1:" + port + "/pkg.Service/Unary").redirectErrorStream(true).start();
        final String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(output).contains("< HTTP/2 200").contains("h2 backend /pkg.Service/Unary")
            .contains("grpc-status: 0");
    }

    @Test
    void shouldApplyTheGrpcTimeoutAsTheRequestDeadline() throws Exception
    {
        final Process curl = new ProcessBuilder("curl", "-sS", "--http2-prior-knowledge", "-o", "/dev/null", "-w",
            "%{http_code}", "-H", "grpc-timeout: 300m", "-H", "content-type: application/grpc",
            "http://127.0.0.1:" + port + "/delay/3000").redirectErrorStream(true).start();
        final String status = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(status).isEqualTo("504");
        assertThat(counters.get(DataPlaneCounter.UPSTREAM_TIMEOUTS)).isEqualTo(1);
    }

    /** Reads one chunked HTTP/1.1 response, head, chunks and trailers, as text. */
    private static String readChunkedResponse(final InputStream in) throws IOException
    {
        final StringBuilder text = new StringBuilder();
        int blankLines = 0;
        boolean inBody = false;
        final StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1)
        {
            text.append((char)c);
            if (c != '\n')
            {
                if (c != '\r')
                {
                    line.append((char)c);
                }
                continue;
            }
            if (line.length() == 0)
            {
                blankLines++;
                if (!inBody)
                {
                    inBody = true;
                }
                else if (blankLines >= 2)
                {
                    break;
                }
            }
            line.setLength(0);
        }
        return text.toString();
    }
}
