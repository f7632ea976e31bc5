package io.mecmesh.appliance.config;

import io.mecmesh.appliance.ApplianceException;
import io.mecmesh.slicemanager.cluster.MemberAddress;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code controlPlane.cluster} (issue 18 steps 1 and 2): the switch, the members and this process's id. */
class ControlPlaneClusterConfigTest
{
    @Test
    void shouldRunWithoutTheClusterUnlessEnabled()
    {
        assertThat(control("controlPlane: {keyFile: /k}\n").cluster()).isEqualTo(ControlPlaneConfig.Cluster.DISABLED);
        assertThat(control("controlPlane: {keyFile: /k, cluster: {}}\n").cluster().enabled()).isFalse();
    }

    @Test
    void shouldReadTheSwitchAndTheCommitTimeout()
    {
        assertThat(control("controlPlane: {keyFile: /k, cluster: {enabled: true}}\n").cluster())
            .isEqualTo(new ControlPlaneConfig.Cluster(true, Duration.ofSeconds(5)));
        assertThat(control("controlPlane: {keyFile: /k, cluster: {enabled: true, commitTimeoutSeconds: 12}}\n")
            .cluster().commitTimeout()).isEqualTo(Duration.ofSeconds(12));
    }

    @Test
    void shouldRefuseABadClusterSectionNamingTheKey()
    {
        assertRejected("controlPlane: {keyFile: /k, cluster: {enabled: maybe}}\n",
            "a.yaml: controlPlane.cluster.enabled");
        assertRejected("controlPlane: {keyFile: /k, cluster: {commitTimeoutSeconds: 0}}\n",
            "a.yaml: controlPlane.cluster.commitTimeoutSeconds");
        assertRejected("controlPlane: {keyFile: /k, cluster: {members: []}}\n",
            "a.yaml: controlPlane.cluster.members: empty");
        assertRejected("controlPlane: {keyFile: /k, cluster: {replicas: 3}}\n",
            "a.yaml: controlPlane.cluster.replicas: unknown key");
    }

    @Test
    void shouldReadThreeMembersWithThisProcessesId()
    {
        final ControlPlaneConfig.Cluster cluster = control(three(1, 20000, 20010, 20020)).cluster();
        assertThat(cluster.enabled()).isTrue();
        assertThat(cluster.isMultiMember()).isTrue();
        assertThat(cluster.memberId()).isEqualTo(1);
        assertThat(cluster.members()).extracting(MemberAddress::basePort)
            .containsExactly(20000, 20010, 20020);
        assertThat(cluster.self().orElseThrow().endpoint(4)).isEqualTo("127.0.0.1:20014");
        assertThat(cluster.members().get(2).api()).isEqualTo("127.0.0.1:9922");
        assertThat(cluster.leaderHeartbeatTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void shouldStillRunOneMemberWithoutMembersOrWithAListOfOne()
    {
        final ControlPlaneConfig.Cluster none = control("controlPlane: {keyFile: /k, cluster: {enabled: true}}\n")
            .cluster();
        assertThat(none.isMultiMember()).isFalse();
        assertThat(none.members()).isEmpty();
        final ControlPlaneConfig.Cluster one = control("controlPlane: {keyFile: /k, cluster: {memberId: 0, members:"
            + " [{id: 0, host: 127.0.0.1, basePort: 20000}]}}\n").cluster();
        assertThat(one.enabled()).isTrue();
        assertThat(one.isMultiMember()).isFalse();
    }

    @Test
    void shouldRefuseDuplicateOrMisnumberedIdsNamingTheMember()
    {
        assertRejected("controlPlane: {keyFile: /k, cluster: {memberId: 0, members: [" + member(0, 20000) + ", "
            + member(0, 20010) + ", " + member(2, 20020) + "]}}\n",
            "a.yaml: controlPlane.cluster.members[1].id: expected 1");
    }

    @Test
    void shouldRefuseAnOwnIdThatIsNotAmongTheMembers()
    {
        assertRejected(three(3, 20000, 20010, 20020), "a.yaml: controlPlane.cluster.memberId: 3 is not among the members");
        assertRejected("controlPlane: {keyFile: /k, cluster: {members: [" + member(0, 20000) + "]}}\n",
            "a.yaml: controlPlane.cluster.memberId: missing");
    }

    @Test
    void shouldRefuseMembersWhosePortsOverlap()
    {
        assertRejected(three(0, 20000, 20003, 20020),
            "a.yaml: controlPlane.cluster.members[1].basePort: 20003 to 20007 overlaps member 0's ports");
    }

    @Test
    void shouldRefuseClusterPortsThatAreTheDistributionPorts()
    {
        assertRejected("controlPlane: {keyFile: /k, configPort: 20002, cluster: {memberId: 0, members: ["
            + member(0, 20000) + ", " + member(1, 20010) + ", " + member(2, 20020) + "]}}\n",
            "a.yaml: controlPlane.cluster.members[0].basePort: its UDP ports 20000 to 20004 include configPort 20002");
        assertRejected("controlPlane: {keyFile: /k, ackPort: 20014, cluster: {memberId: 1, members: ["
            + member(0, 20000) + ", " + member(1, 20010) + ", " + member(2, 20020) + "]}}\n",
            "a.yaml: controlPlane.cluster.members[1].basePort: its UDP ports 20010 to 20014 include ackPort 20014");
    }

    @Test
    void shouldRefuseAnEvenMemberCountThatCannotSurviveALoss()
    {
        assertRejected("controlPlane: {keyFile: /k, cluster: {memberId: 0, members: [" + member(0, 20000) + ", "
            + member(1, 20010) + "]}}\n", "a.yaml: controlPlane.cluster.members: 2 members cannot survive the loss");
    }

    @Test
    void shouldRefuseAnOwnHostThatIsNotOnThisMachine()
    {
        assertRejected("controlPlane: {keyFile: /k, cluster: {memberId: 1, members: [" + member(0, 20000)
            + ", {id: 1, host: 192.0.2.1, basePort: 20010}, " + member(2, 20020) + "]}}\n",
            "a.yaml: controlPlane.cluster.members[1].host: 192.0.2.1 is not an address of this machine");
    }

    @Test
    void shouldRefuseSeveralMembersWithRoleAll()
    {
        assertThatThrownBy(() -> ConfigLoader.parse("a.yaml", "role: all\n" + three(0, 20000, 20010, 20020)
            + "dataplane: {listeners: [{name: outbound, port: 0}]}\n"))
            .isInstanceOf(ApplianceException.class)
            .hasMessageStartingWith("a.yaml: controlPlane.cluster.members: role all supports a one-member cluster");
    }

    private static String three(final int memberId, final int base0, final int base1, final int base2)
    {
        return "controlPlane: {keyFile: /k, cluster: {memberId: " + memberId + ", members: [" + member(0, base0)
            + ", " + member(1, base1) + ", " + member(2, base2) + "]}}\n";
    }

    private static String member(final int id, final int basePort)
    {
        return "{id: " + id + ", host: 127.0.0.1, basePort: " + basePort + ", api: \"127.0.0.1:99" + id + "2\"}";
    }

    private static ControlPlaneConfig control(final String controlPlane)
    {
        return ConfigLoader.parse("a.yaml", "role: control\n" + controlPlane).controlPlane().orElseThrow();
    }

    private static void assertRejected(final String controlPlane, final String message)
    {
        assertThatThrownBy(() -> ConfigLoader.parse("a.yaml", "role: control\n" + controlPlane))
            .isInstanceOf(ApplianceException.class)
            .hasMessageStartingWith(message)
            .hasMessageNotContaining("\n");
    }
}
