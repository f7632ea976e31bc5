package io.mecmesh.slicemanager;

import io.mecmesh.slicemanager.agent.NodeAgent;
import io.mecmesh.slicemanager.ca.ConfigSigningKeys;
import io.mecmesh.slicemanager.compiler.CompilerSettings;
import io.mecmesh.slicemanager.distribution.AeronMessaging;
import io.mecmesh.slicemanager.distribution.DistributionChannels;
import io.mecmesh.slicemanager.distribution.DistributionFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Aeron binds a UDP channel after {@code addSubscription} / {@code addPublication} have returned: a port taken by
 * another process must still fail the start of the node agent and of the slice manager, naming the address, instead
 * of leaving a process that looks started and never receives or distributes anything.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelBindingStartTest
{
    @TempDir
    Path directory;

    private AeronMessaging messaging;
    private DatagramSocket taken;

    @BeforeEach
    void start() throws Exception
    {
        messaging = AeronMessaging.launch(directory.resolve("aeron"));
        taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void stop()
    {
        taken.close();
        messaging.close();
    }

    @Test
    void shouldFailTheNodeAgentStartNamingTheNodeEndpointWhenItCannotBeBound()
    {
        final String endpoint = "127.0.0.1:" + taken.getLocalPort();
        final DistributionChannels channels = DistributionChannels.udpNode("127.0.0.1:1", "127.0.0.1:2", endpoint);

        assertThatThrownBy(() -> EdgeNode.start(new NodeAgent.Context("edge-1", messaging.aeron(), channels,
            DistributionFixtures.KEY, directory.resolve("lkg"), compiled -> { })))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageStartingWith("UDP " + endpoint + ": cannot bind: ")
            .hasMessageContaining("in use")
            .hasMessageNotContaining("\n");
    }

    @Test
    void shouldFailTheSliceManagerStartNamingTheEndpointWhenThePublisherCannotBind()
    {
        final String endpoint = "127.0.0.1:" + taken.getLocalPort();
        final DistributionChannels channels = DistributionChannels.udpControlPlane("127.0.0.1:0", endpoint);

        assertThatThrownBy(() -> SliceManager.start(new SliceManager.Settings(directory.resolve("control"), channels,
            DistributionFixtures.KEY, CompilerSettings.DEFAULT, ConfigSigningKeys.openOrCreate(directory.resolve("keys"))),
            messaging.aeron()))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageStartingWith("UDP " + endpoint + ": cannot bind: ")
            .hasMessageNotContaining("\n");
    }

    @Test
    void shouldStartTheNodeAgentWhenItsEndpointIsFree()
    {
        final String endpoint = "127.0.0.1:" + taken.getLocalPort();
        taken.close();
        final DistributionChannels channels = DistributionChannels.udpNode("127.0.0.1:1", "127.0.0.1:2", endpoint);

        try (EdgeNode node = EdgeNode.start(new NodeAgent.Context("edge-1", messaging.aeron(), channels,
            DistributionFixtures.KEY, directory.resolve("lkg"), compiled -> { })))
        {
            assertThat(node.runningVersion()).isEqualTo(-1);
        }
    }
}
