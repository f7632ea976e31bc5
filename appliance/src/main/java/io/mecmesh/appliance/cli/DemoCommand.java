package io.mecmesh.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.mecmesh.appliance.Appliance;
import io.mecmesh.appliance.config.AccessLogConfig;
import io.mecmesh.appliance.config.AdminConfig;
import io.mecmesh.appliance.config.ApplianceConfig;
import io.mecmesh.appliance.config.ControlPlaneConfig;
import io.mecmesh.appliance.config.NodeConfig;
import io.mecmesh.appliance.config.Role;
import io.mecmesh.appliance.config.TelemetryConfig;
import io.mecmesh.mecapi.dns.DnsConfig;
import io.mecmesh.appliance.demo.DemoAuthorizationServer;
import io.mecmesh.appliance.demo.DemoBackend;
import io.mecmesh.appliance.demo.DemoIdentities;
import io.mecmesh.appliance.demo.DemoMecApplication;
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
import io.mecmesh.mecapi.MecApiConfig;
import io.mecmesh.mecapi.MecApiOAuth2;
import io.mecmesh.slicemanager.SliceManager;
import io.mecmesh.slicemanager.api.DesiredStateDocument;
import io.mecmesh.slicemanager.ca.CaKeyStore;
import io.mecmesh.slicemanager.distribution.NodeStatus;
import io.mecmesh.slicemanager.model.Command.Batch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code mecmesh demo}: a small mesh on loopback from an embedded default, no files needed. A demo workload calls
 * through sidecar A, which carries the request over mutual TLS to sidecar B, which checks the caller's SPIFFE id and
 * hands it to the demo backend. Certificates come from a CA made for the demo in a temporary directory (removed on
 * exit). Prints the curl line to try and the admin endpoints, serves until Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run a demo mesh on loopback (control plane, two sidecars, mTLS); no files needed.")
final class DemoCommand implements Callable<Integer>
{
    static final String LISTENER = "demo-ingress";
    static final String MESH_LISTENER = "mesh-in";
    static final String LISTENER_B = "demo-ingress-b";
    private static final String DESIRED_STATE = "/io/mecmesh/appliance/demo/desired-state.yaml";
    private static final long CONVERGE_NS = TimeUnit.SECONDS.toNanos(10);
    /** The DNS rule of the demo's MEC application (desired-state.yaml), answered by sidecar A's MEC DNS. */
    static final String DNS_NAME = "mec.demo";
    static final String DNS_ADDRESS = "127.0.0.1";
    /** How long the demo application's printed bearer token is valid. */
    private static final Duration DEMO_TOKEN_LIFETIME = Duration.ofHours(12);

    @Option(names = "--proxy-port", paramLabel = "PORT", defaultValue = "10080",
        description = "Port of sidecar A on 127.0.0.1; sidecar B's plain port is 10 above it (default: "
            + "${DEFAULT-VALUE}; 0 for any free ports).")
    int proxyPort;

    @Option(names = "--admin-port", paramLabel = "PORT", defaultValue = "10081",
        description = "Admin port of sidecar A on 127.0.0.1; sidecar B's is the next one, the control-plane API's"
            + " the one after, the MEC API's the next (default: ${DEFAULT-VALUE}; 0 for any free ports).")
    int adminPort;

    @Option(names = "--dns-port", paramLabel = "PORT", defaultValue = "10053",
        description = "UDP and TCP port of sidecar A's MEC DNS responder on 127.0.0.1 (default: ${DEFAULT-VALUE};"
            + " any free port when --proxy-port is 0).")
    int dnsPort;

    @Option(names = "--warm-up", hidden = true,
        description = "Start, send each printed request once, stop (the build uses it to record the classes the"
            + " appliance loads in a class-data-sharing archive).")
    boolean warmUp;

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
            final Path state = identities.directory();
            final Path key = state.resolve("distribution.key");
            final byte[] keyBytes = new byte[32];
            new SecureRandom().nextBytes(keyBytes);
            CaKeyStore.writeOwnerOnly(key, keyBytes);
            final int[] udp = freeUdpPorts(5);
            final DemoAuthorizationServer authorizationServer = DemoAuthorizationServer.create(state);
            final Appliance control = Appliance.start(control(identities, state, key, udp,
                authorizationServer.oauth2()));
            started.add(0, control);
            final Appliance sidecarB = Appliance.start(sidecarB(identities, backend.address(), state, key, udp));
            started.add(0, sidecarB);
            final Appliance sidecarA = Appliance.start(sidecarA(identities,
                sidecarB.dataPlane().listenerAddress(MESH_LISTENER), state, key, udp));
            started.add(0, sidecarA);
            applyDesiredState(control, backend.address().getPort());
            final String mecApi = "https://127.0.0.1:" + control.mecApiPort().orElseThrow();
            new DemoMecApplication(identities.mecApp(), mecApi).start(backend.address().getPort());
            final long version = awaitConverged(control.sliceManager());

            final InetSocketAddress proxy = sidecarA.dataPlane().listenerAddress(LISTENER);
            final InetSocketAddress proxyB = sidecarB.dataPlane().listenerAddress(LISTENER_B);
            final String server = "https://127.0.0.1:" + control.controlApiAddress().getPort();
            final Path operator = identities.operatorDirectory();
            final String credentials = " --cert " + operator.resolve(ServerOption.CERT_FILE) + " --key "
                + operator.resolve(ServerOption.KEY_FILE) + " --cacert " + operator.resolve(ServerOption.CA_FILE);
            System.out.printf("mecmesh demo: curl -> sidecar A (127.0.0.1:%d) == mTLS ==> sidecar B (127.0.0.1:%d)"
                + " -> demo backend (127.0.0.1:%d)%n", proxy.getPort(),
                sidecarB.dataPlane().listenerAddress(MESH_LISTENER).getPort(), backend.address().getPort());
            System.out.printf("  identities: %s -> %s (TLS 1.3 via %s); B allows only A%n",
                DemoIdentities.SIDECAR_A, DemoIdentities.SIDECAR_B, TlsContexts.providerName());
            System.out.printf("  control plane: %s (slices embb 1-000001, 5QI 9, and urllc 2-000002, 5QI 82;"
                + " desired state version %d applied on both sidecars)%n", server, version);
            System.out.printf("MEC API: %s app-instance %s traffic-rule %s dns-rule %s token %s%n", mecApi,
                DemoMecApplication.APP_INSTANCE, DemoMecApplication.TRAFFIC_RULE, DemoMecApplication.DNS_RULE,
                authorizationServer.clientToken(DemoMecApplication.APP_INSTANCE, DEMO_TOKEN_LIFETIME));
            System.out.printf("DNS: 127.0.0.1:%d %s -> %s%n", sidecarDnsPort(udp), DNS_NAME, DNS_ADDRESS);
            System.out.printf("Try it:%n  curl -i http://127.0.0.1:%d/hello%n", proxy.getPort());
            System.out.printf("  curl -i -H 'Host: video.demo' http://127.0.0.1:%d/watch          (eMBB slice, on A)%n",
                proxy.getPort());
            System.out.printf("  curl -i -H 'Host: plc.demo' http://127.0.0.1:%d/control/valve   (URLLC slice, on B)%n",
                proxyB.getPort());
            System.out.printf("  curl -i -k --cert %s --key %s %s/mec_app_support/v2/applications/%s/traffic_rules/%s"
                + "   (MEC 011 as the demo app, %s; -k: the API's SVID names no host)%n",
                identities.mecApp().certificateChain(), identities.mecApp().privateKey(), mecApi,
                DemoMecApplication.APP_INSTANCE, DemoMecApplication.TRAFFIC_RULE, DemoIdentities.MEC_APP);
            System.out.printf("  dig @127.0.0.1 -p %d %s%n", sidecarDnsPort(udp), DNS_NAME);
            System.out.printf("  mecmesh status --server %s%s%n  mecmesh get services --server %s%s%n", server,
                credentials, server, credentials);
            System.out.printf("  (the control-plane API is TLS with client certificates; the demo made an admin"
                + " certificate, %s. Or set once:%n    export %s=%s %s=%s %s=%s %s=%s)%n",
                "spiffe://" + DemoIdentities.TRUST_DOMAIN + "/operator/" + DemoIdentities.OPERATOR,
                ServerOption.VARIABLE, server, ServerOption.CERT_VARIABLE, operator.resolve(ServerOption.CERT_FILE),
                ServerOption.KEY_VARIABLE, operator.resolve(ServerOption.KEY_FILE), ServerOption.CA_VARIABLE,
                operator.resolve(ServerOption.CA_FILE));
            System.out.printf("Admin endpoint: http://127.0.0.1:%d/ready  /live  /metrics  /config_dump"
                + "  (sidecar B: http://127.0.0.1:%d/, control plane: http://127.0.0.1:%d/)%n",
                sidecarA.adminAddress().getPort(), sidecarB.adminAddress().getPort(), control.adminAddress().getPort());
            if (warmUp)
            {
                warmUp(proxy.getPort(), proxyB.getPort(), sidecarA.adminAddress().getPort());
                warmUpApi(server, operator);
                closeAll(started);
                return ExitCode.OK;
            }
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

    /**
     * Applies the embedded desired state through the control plane (as {@code mecmesh apply -f} would) and waits,
     * for at most 10 s, until both sidecars run it.
     */
    private static long applyDesiredState(final Appliance control, final int backendPort) throws IOException
    {
        final String text;
        try (InputStream in = DemoCommand.class.getResourceAsStream(DESIRED_STATE))
        {
            if (in == null)
            {
                throw new IOException(DESIRED_STATE + " is missing from the build");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("BACKEND",
                Integer.toString(backendPort));
        }
        final SliceManager sliceManager = control.sliceManager();
        final JsonNode document = new YAMLMapper().readTree(text);
        sliceManager.submit(new Batch(DesiredStateDocument.standard().parse(document, sliceManager.state())));
        return awaitConverged(sliceManager);
    }

    /** Waits, for at most 10 s, until both sidecars run the current desired state; its version. */
    private static long awaitConverged(final SliceManager sliceManager)
    {
        final long version = sliceManager.state().sequence();
        final long deadline = System.nanoTime() + CONVERGE_NS;
        while (!sliceManager.nodeStatus().values().stream().allMatch(NodeStatus::isUpToDate)
            || sliceManager.nodeStatus().size() < 2)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("the sidecars did not apply the demo's desired state within 10 s: "
                    + sliceManager.nodeStatus());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return version;
    }

    private static void warmUp(final int proxy, final int proxyB, final int admin) throws IOException
    {
        final String[][] requests = {
            {Integer.toString(proxy), "127.0.0.1", "/hello"},
            {Integer.toString(proxy), "video.demo", "/watch"},
            {Integer.toString(proxyB), "plc.demo", "/control/valve"},
            {Integer.toString(admin), "127.0.0.1", "/metrics"},
        };
        for (final String[] request : requests)
        {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(request[0])))
            {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("GET " + request[2] + " HTTP/1.1\r\nHost: " + request[1]
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                final String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                System.out.println("warm-up " + request[1] + request[2] + ": "
                    + answer.lines().findFirst().orElse("(no answer)"));
            }
        }
    }

    /** One {@code GET /v1/status} as {@code mecmesh status} sends it: TLS 1.3 with the operator certificate. */
    private static void warmUpApi(final String server, final Path operator)
    {
        final ServerOption option = new ServerOption();
        option.server = server;
        option.cert = operator.resolve(ServerOption.CERT_FILE);
        option.key = operator.resolve(ServerOption.KEY_FILE);
        option.cacert = operator.resolve(ServerOption.CA_FILE);
        System.out.println("warm-up control-plane API /v1/status: version "
            + option.client().get("status").path("version").asLong());
    }

    private static int[] freeUdpPorts(final int count) throws IOException
    {
        final int[] ports = new int[count];
        final DatagramSocket[] sockets = new DatagramSocket[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                sockets[i] = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
        }
        finally
        {
            for (final DatagramSocket socket : sockets)
            {
                if (socket != null)
                {
                    socket.close();
                }
            }
        }
        return ports;
    }

    /** The sidecars' view of the control plane: they receive configurations only (their SVIDs are the demo's). */
    private ControlPlaneConfig controlPlane(final Path key, final int[] udp, final String nodeEndpoint)
    {
        return new ControlPlaneConfig("127.0.0.1", apiPort(), udp[0], udp[1], nodeEndpoint, key);
    }

    /** Sidecar A's DNS port: the option, or a free one (udp[4]) when the demo takes any free ports. */
    private int sidecarDnsPort(final int[] udp)
    {
        return proxyPort == 0 ? udp[4] : dnsPort;
    }

    private int apiPort()
    {
        return adminPort == 0 ? 0 : adminPort + 2;
    }

    /** The control plane runs the demo CA, and its API is TLS with client certificates, as in production. */
    private ApplianceConfig control(final DemoIdentities identities, final Path state, final Path key,
        final int[] udp, final MecApiOAuth2 oauth2)
    {
        final ControlPlaneConfig controlPlane = new ControlPlaneConfig("127.0.0.1", apiPort(), udp[0], udp[1], "",
            key, Optional.empty(), new ControlPlaneConfig.Api("127.0.0.1", apiPort(), false, Map.of()),
            Optional.of(new MecApiConfig("127.0.0.1", adminPort == 0 ? 0 : adminPort + 3, "", Optional.of(oauth2))));
        return new ApplianceConfig(Role.CONTROL, new NodeConfig("control"),
            new AdminConfig("127.0.0.1", 0), new MeshConfig(0, transport, 1,
            List.of(ListenerConfig.of("none", "127.0.0.1", 0)), List.of(), List.of()),
            state.resolve("control"), Optional.of(controlPlane), Optional.of(identities.ca()), Optional.empty());
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

    private ApplianceConfig sidecarB(final DemoIdentities identities, final InetSocketAddress backend,
        final Path state, final Path key, final int[] udp)
    {
        final AuthorizationPolicy onlyA = new AuthorizationPolicy(List.of(new AuthzRule(
            List.of(PrincipalMatch.parse(DemoIdentities.SIDECAR_A)), List.of(), List.of())), List.of());
        final MeshConfig mesh = new MeshConfig(0, transport, 1,
            List.of(ListenerConfig.builder(MESH_LISTENER, "127.0.0.1", 0).tls(identities.sidecarB()).build(),
                ListenerConfig.of(LISTENER_B, "127.0.0.1", proxyPort == 0 ? 0 : proxyPort + 10)),
            List.of(new RouteConfig("to-demo-backend", RouteMatch.prefix(RouteConfig.ANY_HOST, "/"),
                RouteAction.Forward.to("demo-backend"), HeaderRewrite.NONE, HeaderRewrite.NONE, onlyA)),
            List.of(ClusterConfig.of("demo-backend", List.of(new Endpoint("127.0.0.1", backend.getPort())))));
        return new ApplianceConfig(Role.EDGE, new NodeConfig("sidecar-b", "site-b", "demo"),
            new AdminConfig("127.0.0.1", adminPort == 0 ? 0 : adminPort + 1), mesh, state.resolve("sidecar-b"),
            Optional.of(controlPlane(key, udp, "127.0.0.1:" + udp[2])));
    }

    private ApplianceConfig sidecarA(final DemoIdentities identities, final InetSocketAddress sidecarB,
        final Path state, final Path key, final int[] udp)
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
        final Path data = state.resolve("sidecar-a");
        return new ApplianceConfig(Role.EDGE, new NodeConfig("sidecar-a", "site-a", "demo"),
            new AdminConfig("127.0.0.1", adminPort), mesh, data,
            Optional.of(controlPlane(key, udp, "127.0.0.1:" + udp[3])), Optional.empty(), Optional.empty(),
            TelemetryConfig.NONE, List.of(), AccessLogConfig.disabled(data),
            new DnsConfig(true, "127.0.0.1", sidecarDnsPort(udp), List.of(), DnsConfig.DEFAULT_TIMEOUT_MS,
                DnsConfig.DEFAULT_QUERIES_PER_SECOND_PER_CLIENT, DnsConfig.DEFAULT_TTL));
    }
}
