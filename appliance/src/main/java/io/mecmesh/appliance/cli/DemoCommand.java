package io.mecmesh.appliance.cli;

import io.mecmesh.appliance.Appliance;
import io.mecmesh.appliance.config.AdminConfig;
import io.mecmesh.appliance.config.ApplianceConfig;
import io.mecmesh.appliance.config.NodeConfig;
import io.mecmesh.appliance.demo.DemoBackend;
import io.mecmesh.appliance.demo.DemoIdentities;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.authz.AuthorizationPolicy;
import io.mecmesh.dataplane.authz.AuthzRule;
import io.mecmesh.dataplane.authz.PrincipalMatch;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.ClusterTls;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.LbPolicy;
import io.mecmesh.dataplane.cluster.OutlierDetection;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.HeaderRewrite;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.route.RouteMatch;
import io.mecmesh.dataplane.tls.TlsContexts;
import io.mecmesh.dataplane.transport.TransportKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code mecmesh demo}: a small mesh on loopback from an embedded default, no files needed. A demo workload calls
 * through sidecar A, which carries the request over mutual TLS to sidecar B, which checks the caller's SPIFFE id and
 * hands it to the demo backend. Certificates come from a CA made for the demo in a temporary directory (removed on
 * exit). Prints the curl line to try and the admin endpoints, serves until Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run a demo mesh on loopback (two sidecars, mTLS); no files needed.")
final class DemoCommand implements Callable<Integer>
{
    static final String LISTENER = "demo-ingress";
    static final String MESH_LISTENER = "mesh-in";

    @Option(names = "--proxy-port", paramLabel = "PORT", defaultValue = "10080",
        description = "Port of sidecar A on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 for any free port).")
    int proxyPort;

    @Option(names = "--admin-port", paramLabel = "PORT", defaultValue = "10081",
        description = "Admin port of sidecar A on 127.0.0.1; sidecar B's is the next one (default: "
            + "${DEFAULT-VALUE}; 0 for any free ports).")
    int adminPort;

    @Option(names = "--transport", paramLabel = "KIND", defaultValue = "auto",
        description = "Socket transport: auto, io_uring, epoll or nio (default: auto).")
    TransportKind transport;

    @Override
    public Integer call()
    {
        final List<AutoCloseable> started = new ArrayList<>();
        try
        {
            final DemoIdentities identities = DemoIdentities.create();
            started.add(identities);
            final DemoBackend backend = DemoBackend.start();
            started.add(0, backend);
            final Appliance sidecarB = Appliance.start(sidecarB(identities, backend.address()));
            started.add(0, sidecarB);
            final Appliance sidecarA = Appliance.start(sidecarA(identities,
                sidecarB.dataPlane().listenerAddress(MESH_LISTENER)));
            started.add(0, sidecarA);

            final InetSocketAddress proxy = sidecarA.dataPlane().listenerAddress(LISTENER);
            System.out.printf("mecmesh demo: curl -> sidecar A (127.0.0.1:%d) == mTLS ==> sidecar B (127.0.0.1:%d)"
                + " -> demo backend (127.0.0.1:%d)%n", proxy.getPort(),
                sidecarB.dataPlane().listenerAddress(MESH_LISTENER).getPort(), backend.address().getPort());
            System.out.printf("  identities: %s -> %s (TLS 1.3 via %s); B allows only A%n",
                DemoIdentities.SIDECAR_A, DemoIdentities.SIDECAR_B, TlsContexts.providerName());
            System.out.printf("Try it:%n  curl -i http://127.0.0.1:%d/hello%n", proxy.getPort());
            System.out.printf("Admin endpoint: http://127.0.0.1:%d/ready  /live  /metrics  /config_dump"
                + "  (sidecar B: http://127.0.0.1:%d/)%n", sidecarA.adminAddress().getPort(),
                sidecarB.adminAddress().getPort());
            System.out.println("Press Ctrl-C to stop.");
            System.out.flush();
            UntilStopped.await(started.toArray(new AutoCloseable[0]));
            return ExitCode.OK;
        }
        catch (final IOException ex)
        {
            closeAll(started);
            throw new UncheckedIOException("cannot start the demo", ex);
        }
        catch (final RuntimeException ex)
        {
            closeAll(started);
            throw ex;
        }
    }

    private static void closeAll(final List<AutoCloseable> started)
    {
        for (final AutoCloseable resource : started)
        {
            try
            {
                resource.close();
            }
            catch (final Exception ignored)
            {
                // already failing; the first error is the one reported
            }
        }
    }

    private ApplianceConfig sidecarB(final DemoIdentities identities, final InetSocketAddress backend)
    {
        final AuthorizationPolicy onlyA = new AuthorizationPolicy(List.of(new AuthzRule(
            List.of(PrincipalMatch.parse(DemoIdentities.SIDECAR_A)), List.of(), List.of())), List.of());
        final MeshConfig mesh = new MeshConfig(0, transport, 1,
            List.of(ListenerConfig.builder(MESH_LISTENER, "127.0.0.1", 0).tls(identities.sidecarB()).build()),
            List.of(new RouteConfig("to-demo-backend", RouteMatch.prefix(RouteConfig.ANY_HOST, "/"),
                RouteAction.Forward.to("demo-backend"), HeaderRewrite.NONE, HeaderRewrite.NONE, onlyA)),
            List.of(ClusterConfig.of("demo-backend", List.of(new Endpoint("127.0.0.1", backend.getPort())))));
        return new ApplianceConfig(new NodeConfig("sidecar-b"),
            new AdminConfig("127.0.0.1", adminPort == 0 ? 0 : adminPort + 1), mesh);
    }

    private ApplianceConfig sidecarA(final DemoIdentities identities, final InetSocketAddress sidecarB)
    {
        final ClusterTls mtls = new ClusterTls(identities.sidecarA(),
            SpiffeId.parse(DemoIdentities.SIDECAR_B), "demo-backend");
        final MeshConfig mesh = new MeshConfig(0, transport, 1,
            List.of(ListenerConfig.of(LISTENER, "127.0.0.1", proxyPort)),
            List.of(new RouteConfig(RouteConfig.ANY_HOST, "/", "sidecar-b")),
            List.of(new ClusterConfig("sidecar-b", List.of(new Endpoint("127.0.0.1", sidecarB.getPort())),
                ClusterConfig.DEFAULT_CONNECT_TIMEOUT_MS, ClusterConfig.DEFAULT_MAX_IDLE_CONNECTIONS_PER_LOOP,
                ClusterConfig.DEFAULT_IDLE_TIMEOUT_MS, LbPolicy.ROUND_ROBIN, "",
                ClusterConfig.DEFAULT_LOCALITY_SPILL_PERCENT, OutlierDetection.DEFAULT, Optional.of(mtls))));
        return new ApplianceConfig(new NodeConfig("sidecar-a"), new AdminConfig("127.0.0.1", adminPort), mesh);
    }
}
