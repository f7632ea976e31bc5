package io.mecmesh.appliance.config;

import io.mecmesh.appliance.ApplianceException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code controlPlane.cluster} (issue 18 step 1): the one-member Aeron Cluster switch. */
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
            "a.yaml: controlPlane.cluster.members: unknown key");
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
