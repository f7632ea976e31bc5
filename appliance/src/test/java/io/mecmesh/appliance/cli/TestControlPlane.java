package io.mecmesh.appliance.cli;

import com.sun.net.httpserver.HttpServer;
import io.mecmesh.slicemanager.api.ConductorBackend;
import io.mecmesh.slicemanager.api.ControlPlaneHttpHandler;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A control plane for CLI tests: the real API handler on a JDK HttpServer on 127.0.0.1, over the slice manager
 * tests' conductor-backed backend (a real journal on a directory; node statuses from a map, the clock set by hand).
 */
final class TestControlPlane implements AutoCloseable
{
    final ConductorBackend backend;

    private final ExecutorService httpThreads = Executors.newFixedThreadPool(2);
    private final HttpServer server;

    TestControlPlane(final Path directory) throws IOException
    {
        this.backend = new ConductorBackend(directory);
        backend.nowNs = 100_000_000_000L;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(httpThreads);
        server.createContext("/v1/", new ControlPlaneHttpHandler(backend));
        server.start();
    }

    String url()
    {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close()
    {
        server.stop(0);
        httpThreads.shutdownNow();
        backend.close();
    }
}
