package io.mecmesh.appliance.cli;

import io.mecmesh.appliance.Appliance;
import io.mecmesh.appliance.config.AdminConfig;
import io.mecmesh.appliance.config.ApplianceConfig;
import io.mecmesh.appliance.config.NodeConfig;
import io.mecmesh.appliance.demo.DemoBackend;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.transport.TransportKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code mecmesh demo}: everything on loopback from an embedded default, no files needed. Starts a demo backend
 * and the proxy in front of it, prints the curl line to try and the admin endpoints, serves until Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start a demo on loopback: proxy + demo backend, no files needed.")
final class DemoCommand implements Callable<Integer>
{
    static final String LISTENER = "demo-ingress";

    @Option(names = "--proxy-port", paramLabel = "PORT", defaultValue = "10080",
        description = "Port of the proxy on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 for any free port).")
    int proxyPort;

    @Option(names = "--admin-port", paramLabel = "PORT", defaultValue = "10081",
        description = "Port of the admin endpoint on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 for any free port).")
    int adminPort;

    @Option(names = "--transport", paramLabel = "KIND", defaultValue = "auto",
        description = "Socket transport: auto, io_uring, epoll or nio (default: auto).")
    TransportKind transport;

    @Override
    public Integer call()
    {
        final DemoBackend backend;
        try
        {
            backend = DemoBackend.start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start the demo backend", ex);
        }
        final Appliance appliance;
        try
        {
            appliance = Appliance.start(config(backend.address()));
        }
        catch (final RuntimeException ex)
        {
            backend.close();
            throw ex;
        }
        final InetSocketAddress proxy = appliance.dataPlane().listenerAddress(LISTENER);
        final InetSocketAddress admin = appliance.adminAddress();
        System.out.printf("mecmesh demo: a proxy on 127.0.0.1:%d in front of a demo backend on 127.0.0.1:%d%n",
            proxy.getPort(), backend.address().getPort());
        System.out.printf("Try it:%n  curl -i http://127.0.0.1:%d/hello%n", proxy.getPort());
        System.out.printf("Admin endpoint: http://127.0.0.1:%d/ready  /live  /metrics%n", admin.getPort());
        System.out.println("Press Ctrl-C to stop.");
        System.out.flush();
        UntilStopped.await(appliance, backend);
        return ExitCode.OK;
    }

    private ApplianceConfig config(final InetSocketAddress backend)
    {
        final MeshConfig mesh = new MeshConfig(0, transport, 1,
            List.of(ListenerConfig.of(LISTENER, "127.0.0.1", proxyPort)),
            List.of(new RouteConfig(RouteConfig.ANY_HOST, "/", "demo-backend")),
            List.of(ClusterConfig.of("demo-backend", List.of(new Endpoint("127.0.0.1", backend.getPort())))));
        return new ApplianceConfig(new NodeConfig("demo"), new AdminConfig("127.0.0.1", adminPort), mesh);
    }
}
