package io.mecmesh.appliance.roles;

import io.mecmesh.appliance.Appliance;
import io.mecmesh.appliance.ApplianceException;
import io.mecmesh.appliance.config.AdminConfig;
import io.mecmesh.appliance.config.ApplianceConfig;
import io.mecmesh.appliance.config.ControlPlaneConfig;
import io.mecmesh.appliance.config.NodeConfig;
import io.mecmesh.appliance.config.Role;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.testing.Await;
import io.mecmesh.dataplane.transport.TransportKind;
import io.mecmesh.slicemanager.agent.LastKnownGoodStore;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.Node;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What start-up refuses and what {@code /ready} says while an edge has nothing to serve (issue 12, items 6-8).
 */
class StartupReadinessTest
{
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path data;

    private Path key;
    private int[] udp;

    @BeforeEach
    void prepare() throws IOException
    {
        key = Files.write(data.resolve("distribution.key"), new byte[32]);
        try (DatagramSocket config = udpSocket(0); DatagramSocket ack = udpSocket(0); DatagramSocket node = udpSocket(0))
        {
            udp = new int[] {config.getLocalPort(), ack.getLocalPort(), node.getLocalPort()};
        }
    }

    @Test
    void shouldAnswer503WithTheReasonUntilAConfigurationIsAppliedWhenBothLastKnownGoodFilesAreCorrupt()
        throws Exception
    {
        final Path lkg = Files.createDirectories(data.resolve("edge/lkg"));
        Files.writeString(lkg.resolve(LastKnownGoodStore.CURRENT_FILE_NAME), "not a configuration");
        Files.writeString(lkg.resolve(LastKnownGoodStore.PREVIOUS_FILE_NAME), "nor this");
        try (Appliance edge = Appliance.start(edge(data.resolve("edge"), "127.0.0.1:" + udp[2])))
        {
            final HttpResponse<String> notYet = ready(edge);

            assertThat(notYet.statusCode()).isEqualTo(503);
            assertThat(notYet.body()).startsWith("not ready: no configuration applied yet: no usable last known good"
                + " configuration");

            try (Appliance control = Appliance.start(control()))
            {
                control.sliceManager().submit(new Command.PutNode(new Node("edge-1", "site-a", "zone-1",
                    List.of())));
                Await.until("the edge ready once the control plane's configuration is applied",
                    Duration.ofSeconds(20), () -> ready(edge).statusCode() == 200);
            }
            assertThat(ready(edge).body()).isEqualTo("ready\n");
        }
    }

    @Test
    void shouldBeReadyWithoutAControlPlaneOnceTheListenersAreBound() throws Exception
    {
        try (Appliance edge = Appliance.start(new ApplianceConfig(new NodeConfig("edge-1"),
            new AdminConfig("127.0.0.1", 0), mesh())))
        {
            assertThat(ready(edge).statusCode()).isEqualTo(200);
            assertThat(ready(edge).body()).isEqualTo("ready\n");
        }
    }

    @Test
    void shouldRefuseASecondProcessOnTheSameDataDirectory() throws Exception
    {
        try (Appliance first = Appliance.start(edge(data.resolve("shared"), "127.0.0.1:" + udp[2])))
        {
            assertThatThrownBy(() -> Appliance.start(edge(data.resolve("shared"), "127.0.0.1:" + udp[1])))
                .isInstanceOfSatisfying(ApplianceException.class, ex -> assertThat(ex.category())
                    .isEqualTo(ApplianceException.Category.UNAVAILABLE))
                .hasMessageStartingWith("dataDirectory " + data.resolve("shared") + " is in use by another mecmesh"
                    + " process");
            assertThat(ready(first).statusCode()).as("the first keeps running").isEqualTo(503);
        }
        try (Appliance again = Appliance.start(edge(data.resolve("shared"), "127.0.0.1:" + udp[2])))
        {
            assertThat(again.adminAddress()).as("the lock is released at close").isNotNull();
        }
    }

    @Test
    void shouldFailStartNamingTheNodeEndpointWhenItCannotBeBound() throws Exception
    {
        try (DatagramSocket taken = udpSocket(0))
        {
            final String endpoint = "127.0.0.1:" + taken.getLocalPort();

            assertThatThrownBy(() -> Appliance.start(edge(data.resolve("edge"), endpoint)))
                .isInstanceOfSatisfying(ApplianceException.class, ex -> assertThat(ex.category())
                    .isEqualTo(ApplianceException.Category.UNAVAILABLE))
                .hasMessageStartingWith("controlPlane.nodeEndpoint " + endpoint + ": ")
                .hasMessageContaining("Address already in use")
                .hasMessageNotContaining("\n");
        }
    }

    @Test
    void shouldFailTheControlPlaneStartNamingTheEndpointWhenThePublisherCannotBind() throws Exception
    {
        try (DatagramSocket taken = udpSocket(udp[1]))
        {
            assertThat(taken.isBound()).isTrue();
            assertThatThrownBy(() -> Appliance.start(control()))
                .isInstanceOfSatisfying(ApplianceException.class, ex -> assertThat(ex.category())
                    .isEqualTo(ApplianceException.Category.UNAVAILABLE))
                .hasMessageContaining("127.0.0.1:" + udp[1])
                .hasMessageContaining("Address already in use")
                .hasMessageNotContaining("\n");
        }
    }

    private static DatagramSocket udpSocket(final int port) throws IOException
    {
        return new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    private ApplianceConfig edge(final Path dataDirectory, final String nodeEndpoint)
    {
        return new ApplianceConfig(Role.EDGE, new NodeConfig("edge-1", "site-a", "zone-1"),
            new AdminConfig("127.0.0.1", 0), mesh(), dataDirectory, Optional.of(new ControlPlaneConfig("127.0.0.1", 0,
            udp[0], udp[1], nodeEndpoint, key)));
    }

    private ApplianceConfig control()
    {
        return new ApplianceConfig(Role.CONTROL, new NodeConfig("control"), new AdminConfig("127.0.0.1", 0),
            mesh(), data.resolve("control"),
            Optional.of(new ControlPlaneConfig("127.0.0.1", 0, udp[0], udp[1], "", key)));
    }

    private static MeshConfig mesh()
    {
        return new MeshConfig(0, TransportKind.AUTO, 1, List.of(ListenerConfig.of("outbound", "127.0.0.1", 0)),
            List.of(), List.of());
    }

    private HttpResponse<String> ready(final Appliance appliance)
    {
        try
        {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + appliance.adminAddress().getPort() + "/ready")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }
}
