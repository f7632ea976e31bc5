package io.mecmesh.appliance.roles;

import io.mecmesh.appliance.Appliance;
import io.mecmesh.appliance.config.AdminConfig;
import io.mecmesh.appliance.config.ApplianceConfig;
import io.mecmesh.appliance.config.ControlPlaneConfig;
import io.mecmesh.appliance.config.NodeConfig;
import io.mecmesh.appliance.config.Role;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.testing.TestHttp2Backend;
import io.mecmesh.dataplane.transport.TransportKind;
import io.mecmesh.slicemanager.model.ClassificationRule;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.FiveQiTable;
import io.mecmesh.slicemanager.model.Node;
import io.mecmesh.slicemanager.model.Protocol;
import io.mecmesh.slicemanager.model.Service;
import io.mecmesh.slicemanager.model.ServiceEndpoint;
import io.mecmesh.slicemanager.model.Slice;
import io.mecmesh.slicemanager.model.Snssai;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The roles assembled in one process: role {@code all} turns commands into routes on its own data plane over Aeron
 * IPC; role {@code edge} restarted with no reachable control plane serves its last known good configuration.
 */
class ApplianceRolesTest
{
    private static final Snssai EMBB = Snssai.parse("1-000001");
    @TempDir
    Path data;

    @Test
    void roleAllShouldRouteByTheAppliedStateAndAnEdgeShouldRestartFromItsLastKnownGood() throws Exception
    {
        try (TestBackend blue = new TestBackend("blue"); TestBackend green = new TestBackend("green"))
        {
            final ControlPlaneConfig control = new ControlPlaneConfig("127.0.0.1", 0, 40401, 40402, "", null);
            final int listenerPort;
            staticPort = blue.port();
            try (Appliance all = Appliance.start(config(Role.ALL, 0, Optional.of(control))))
            {
                listenerPort = all.dataPlane().listenerAddresses().get(0).getPort();
                final Slice slice = Slice.builder(EMBB, "embb", FiveQiTable.standard().get(9))
                    .classify(ClassificationRule.sourceCidrs("127.0.0.0/8")).build();
                all.sliceManager().submit(new Command.PutSlice(slice));
                all.sliceManager().submit(new Command.PutService(video(slice, blue.port())));
                final long version = all.sliceManager().submit(new Command.PutNode(
                    new Node("edge-1", "site-a", "zone-1", List.of("video"))));
                awaitUntil("version " + version + " applied", () -> all.dataPlane().config().version() == version);
                assertThat(get(listenerPort, "video.example")).startsWith("blue GET /play");
                assertThat(all.dataPlane().sliceStats().slice(EMBB.sliceId()).policyHits())
                    .as("classified into the slice by source address, its policy record applied").isEqualTo(1);
                awaitUntil("edge-1 acknowledged", () -> all.sliceManager().nodeStatus().get("edge-1") != null
                    && all.sliceManager().nodeStatus().get("edge-1").appliedVersion() == version);

                final long moved = all.sliceManager().submit(new Command.PutService(video(slice, green.port())));
                awaitUntil("version " + moved + " applied", () -> all.dataPlane().config().version() == moved);
                assertThat(get(listenerPort, "video.example")).startsWith("green GET /play");
                assertThat(get(listenerPort, "static.example")).as("the file's routes stay beside the control"
                    + " plane's").startsWith("blue GET /play");
            }

            final Path key = data.resolve("distribution.key");
            Files.write(key, new byte[32]);
            final ControlPlaneConfig unreachable = new ControlPlaneConfig("127.0.0.1", 0, 40411, 40412,
                "127.0.0.1:40413", key);
            try (Appliance edge = Appliance.start(config(Role.EDGE, listenerPort, Optional.of(unreachable))))
            {
                assertThat(edge.dataPlane().config().version()).isGreaterThan(0);
                assertThat(get(listenerPort, "video.example")).startsWith("green GET /play");
            }
        }
    }

    @Test
    void shouldSpeakHttp2ToAServiceWhoseEndpointsDo() throws Exception
    {
        try (TestBackend staticBackend = new TestBackend("static"); TestHttp2Backend nrf = new TestHttp2Backend())
        {
            staticPort = staticBackend.port();
            final ControlPlaneConfig control = new ControlPlaneConfig("127.0.0.1", 0, 40401, 40402, "", null);
            try (Appliance all = Appliance.start(config(Role.ALL, 0, Optional.of(control))))
            {
                final int listenerPort = all.dataPlane().listenerAddresses().get(0).getPort();
                final Slice slice = Slice.builder(EMBB, "embb", FiveQiTable.standard().get(9)).build();
                all.sliceManager().submit(new Command.PutSlice(slice));
                all.sliceManager().submit(new Command.PutService(Service.builder("nrf", slice)
                    .endpoint(new ServiceEndpoint("127.0.0.1", nrf.port(), Protocol.HTTP2, "site-a", "zone-1", 1))
                    .route("nrf.example", "/").build()));
                final long version = all.sliceManager().submit(new Command.PutNode(
                    new Node("edge-1", "site-a", "zone-1", List.of("nrf"))));
                awaitUntil("version " + version + " applied", () -> all.dataPlane().config().version() == version);

                assertThat(get(listenerPort, "nrf.example")).as("an HTTP/1.1 client, the h2-only endpoint answers")
                    .contains("/play");
                assertThat(nrf.requests()).hasSize(1);
            }
        }
    }

    private static Service video(final Slice slice, final int port)
    {
        return Service.builder("video", slice).endpoint("127.0.0.1", port, "site-a", "zone-1")
            .route("video.example", "/").build();
    }

    private int staticPort;

    private ApplianceConfig config(final Role role, final int port, final Optional<ControlPlaneConfig> control)
    {
        return new ApplianceConfig(role, new NodeConfig("edge-1", "site-a", "zone-1"), new AdminConfig("127.0.0.1", 0),
            new MeshConfig(0, TransportKind.AUTO, 1, List.of(ListenerConfig.of("outbound", "127.0.0.1", port)),
                List.of(new RouteConfig("static.example", "/", "static")),
                List.of(ClusterConfig.of("static", List.of(new Endpoint("127.0.0.1", staticPort))))),
            data, control);
    }

    private static String get(final int port, final String host) throws IOException
    {
        try (Socket socket = new Socket("127.0.0.1", port))
        {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("GET /play HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            final String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 200");
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    private static void awaitUntil(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            assertThat(System.nanoTime() - deadline).as("timed out awaiting " + what).isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
