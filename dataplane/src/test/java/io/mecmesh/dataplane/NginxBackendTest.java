package io.mecmesh.dataplane;

import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.testing.Await;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * nginx as the backend (a real, widely deployed HTTP/1.1 server with its own keep-alive rules), with curl over
 * HTTP/1.1 and HTTP/2 in front of the proxy.
 */
class NginxBackendTest
{
    @Test
    void shouldServeFilesFromNginxOverHttp11AndHttp2(@TempDir final Path dir) throws Exception
    {
        final byte[] large = new byte[3 * 1024 * 1024 + 17];
        new Random(3).nextBytes(large);
        Files.createDirectories(dir.resolve("www"));
        Files.writeString(dir.resolve("www/hello.txt"), "hello from nginx\n");
        Files.write(dir.resolve("www/large.bin"), large);
        final int nginxPort = freePort();
        Files.writeString(dir.resolve("nginx.conf"), """
            worker_processes 1;
            daemon off;
            user %3$s;
            pid %1$s/nginx.pid;
            error_log %1$s/error.log;
            events { worker_connections 256; }
            http {
                access_log off;
                keepalive_requests 3;
                server { listen 127.0.0.1:%2$d; root %1$s/www; location / { } }
            }
            """.formatted(dir, nginxPort, System.getProperty("user.name")));
        final Process nginx = new ProcessBuilder("nginx", "-c", dir.resolve("nginx.conf").toString(), "-p",
            dir.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        final DataPlaneCounters counters = new DataPlaneCounters();
        DataPlane dataPlane = null;
        try
        {
            Await.until("nginx listening", Duration.ofSeconds(10), () -> accepts(nginxPort));
            dataPlane = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
                List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
                List.of(new RouteConfig("*", "/", "nginx")),
                List.of(ClusterConfig.of("nginx", List.of(new Endpoint("127.0.0.1", nginxPort))))), counters);
            final String base = "http://127.0.0.1:" + dataPlane.listenerAddress("ingress").getPort();

            for (int i = 0; i < 7; i++)
            {
                assertThat(curl("-sS", base + "/hello.txt")).as("request %d: nginx closes every third", i)
                    .isEqualTo("hello from nginx\n");
            }
            assertThat(curl("-sS", "--http2-prior-knowledge", base + "/hello.txt")).isEqualTo("hello from nginx\n");
            final Path download = dir.resolve("download.bin");
            assertThat(curl("-sS", "--http2-prior-knowledge", "-o", download.toString(), "-w", "%{http_code}",
                base + "/large.bin")).isEqualTo("200");
            assertThat(Files.readAllBytes(download)).isEqualTo(large);
            assertThat(curl("-sS", "-o", "/dev/null", "-w", "%{http_code}", base + "/missing")).isEqualTo("404");
            assertThat(counters.get(DataPlaneCounter.UPSTREAM_RESETS)).as("keep-alive ends are not resets")
                .isZero();
        }
        finally
        {
            if (dataPlane != null)
            {
                dataPlane.close();
            }
            nginx.destroy();
            if (!nginx.waitFor(10, TimeUnit.SECONDS))
            {
                nginx.destroyForcibly();
            }
        }
    }

    private static String curl(final String... args) throws IOException, InterruptedException
    {
        final String[] command = new String[args.length + 1];
        command[0] = "curl";
        System.arraycopy(args, 0, command, 1, args.length);
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String(output, StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    private static boolean accepts(final int port)
    {
        try (Socket socket = new Socket("127.0.0.1", port))
        {
            return socket.isConnected();
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
