package io.mecmesh.appliance.cli;

import io.mecmesh.slicemanager.api.ConductorBackend;
import io.mecmesh.slicemanager.api.ControlPlaneHttpHandler;
import io.mecmesh.slicemanager.http.ApiGate;
import io.mecmesh.slicemanager.http.ApiHttpServer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A control plane for CLI tests: the real API handler on its real server (Vert.x) on 127.0.0.1, over the slice manager
 * tests' conductor-backed backend (a real journal on a directory; node statuses from a map, the clock set by hand).
 */
final class TestControlPlane implements AutoCloseable
{
    final ConductorBackend backend;

    private final ApiHttpServer server;

    TestControlPlane(final Path directory) throws IOException
    {
        this.backend = new ConductorBackend(directory);
        backend.nowNs = 100_000_000_000L;
        this.server = ApiHttpServer.start(ApiHttpServer.Settings.plain("test-control-api", "127.0.0.1", 0),
            ApiGate.OPEN, Map.of("/v1/", new ControlPlaneHttpHandler(backend)));
    }

    String url()
    {
        return "http://127.0.0.1:" + server.address().getPort();
    }

    @Override
    public void close()
    {
        server.close();
        backend.close();
    }
}
