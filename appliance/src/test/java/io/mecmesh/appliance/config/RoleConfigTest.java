package io.mecmesh.appliance.config;

import io.mecmesh.appliance.ApplianceException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code role}, {@code dataDirectory} and {@code controlPlane}: defaults, and errors that name the key.
 */
class RoleConfigTest
{
    private static final String LISTENER = """
        dataplane:
          listeners:
            - name: outbound
              port: 0
        """;

    @Test
    void anEdgeWithoutControlPlaneShouldServeTheFileAlone()
    {
        final ApplianceConfig config = ConfigLoader.parse("a.yaml", LISTENER);

        assertThat(config.role()).isEqualTo(Role.EDGE);
        assertThat(config.controlPlane()).isEmpty();
        assertThat(config.dataDirectory()).isEqualTo(ApplianceConfig.DEFAULT_DATA_DIRECTORY);
    }

    @Test
    void anEdgeWithAControlPlaneShouldTakeItsEndpointsAndResolveFilesNextToTheConfiguration()
    {
        final ApplianceConfig config = ConfigLoader.parse("a.yaml", """
            role: edge
            dataDirectory: state
            controlPlane:
              address: 10.1.2.3
              nodeEndpoint: 10.1.2.4:40403
              keyFile: distribution.key
            """ + LISTENER, Path.of("/etc/mecmesh"));

        final ControlPlaneConfig control = config.controlPlane().orElseThrow();
        assertThat(control.configEndpoint()).isEqualTo("10.1.2.3:40401");
        assertThat(control.ackEndpoint()).isEqualTo("10.1.2.3:40402");
        assertThat(control.apiPort()).isEqualTo(9902);
        assertThat(control.keyFile()).isEqualTo(Path.of("/etc/mecmesh/distribution.key"));
        assertThat(config.dataDirectory()).isEqualTo(Path.of("/etc/mecmesh/state"));
    }

    @Test
    void theControlRoleShouldNeedNoDataPlaneSection()
    {
        final ApplianceConfig config = ConfigLoader.parse("a.yaml", """
            role: control
            controlPlane:
              keyFile: /etc/mecmesh/distribution.key
            """);

        assertThat(config.role()).isEqualTo(Role.CONTROL);
        assertThat(config.controlPlane().orElseThrow().address()).isEqualTo("127.0.0.1");
    }

    @Test
    void shouldSplitTheConfigStreamIntoTheConfiguredShardsAndRefuseShardPortsOverTheAckPort()
    {
        final ApplianceConfig config = ConfigLoader.parse("a.yaml", """
            role: control
            controlPlane:
              keyFile: /etc/mecmesh/distribution.key
              configPort: 40500
              ackPort: 40402
              distribution:
                shards: 64
            """);

        assertThat(config.controlPlane().orElseThrow().shards()).isEqualTo(64);
        assertThat(ConfigLoader.parse("a.yaml", "role: control\ncontrolPlane:\n  keyFile: k\n")
            .controlPlane().orElseThrow().shards()).as("default").isEqualTo(1);
        assertRejected("role: control\ncontrolPlane:\n  keyFile: k\n  distribution:\n    shards: 4\n",
            "a.yaml: controlPlane.distribution.shards: the 4 shards use the UDP control ports 40401 to 40404, which must"
                + " stay at most 65535 and not include ackPort 40402");
        assertRejected("role: control\ncontrolPlane:\n  keyFile: k\n  distribution:\n    shards: 0\n",
            "a.yaml: controlPlane.distribution.shards: ");
        assertRejected("role: control\ncontrolPlane:\n  keyFile: k\n  distribution:\n    shard: 2\n",
            "a.yaml: controlPlane.distribution.shard: unknown key");
    }

    @Test
    void shouldNameTheKeyOfEveryRoleMistake()
    {
        assertRejected("role: hub\n" + LISTENER, "a.yaml: role: expected one of");
        assertRejected("role: control\n", "a.yaml: controlPlane: missing (role control needs");
        assertRejected("role: all\n" + LISTENER, "a.yaml: controlPlane: missing (role all needs");
        assertRejected("controlPlane:\n  keyFile: k\n" + LISTENER, "a.yaml: controlPlane.nodeEndpoint: missing");
        assertRejected("role: control\ncontrolPlane:\n  address: 127.0.0.1\n", "a.yaml: controlPlane.keyFile: missing");
        assertRejected("controlPlane:\n  keyFile: k\n  nodeEndpoint: nowhere\n" + LISTENER,
            "a.yaml: controlPlane.nodeEndpoint: expected host:port, got \"nowhere\"");
        assertRejected("controlPlane:\n  keyFile: k\n  nodeEndpoint: h:1\n  ackPort: 0\n" + LISTENER,
            "a.yaml: controlPlane.ackPort: ");
        assertRejected("controlPlane:\n  keyFile: k\n  nodeEndpoint: h:1\n  peers: []\n" + LISTENER,
            "a.yaml: controlPlane.peers: unknown key");
    }

    @Test
    void shouldTakeTheNodeIdentityAndTheCaAndRefuseThemWhereTheyCannotWork()
    {
        final String edge = """
            role: edge
            node: {id: edge-a, site: site-a}
            dataDirectory: /var/lib/mecmesh
            controlPlane: {keyFile: k, nodeEndpoint: "h:1"}
            identity: {trustDomain: mesh.test, joinTokenFile: /etc/mecmesh/join.token}
            dataplane:
              listeners:
                - name: mesh-in
                  port: 0
                  tls: {identity: node}
            """;
        final ApplianceConfig config = ConfigLoader.parse("a.yaml", edge);
        assertThat(config.identity().orElseThrow().directory()).isEqualTo(Path.of("/var/lib/mecmesh/identity"));
        assertThat(config.identity().orElseThrow().siteCa()).isEmpty();
        final ApplianceConfig withSiteCa = ConfigLoader.parse("a.yaml", edge.replace("joinTokenFile: /etc/mecmesh/join.token}",
            "joinTokenFile: /etc/mecmesh/join.token, siteCa: {directory: /etc/mecmesh/site-ca, svidTtlSeconds: 600}}"));
        assertThat(withSiteCa.identity().orElseThrow().siteCa().orElseThrow().svidTtl()).hasMinutes(10);
        assertRejected(edge.replace("joinTokenFile: /etc/mecmesh/join.token}",
            "joinTokenFile: /etc/mecmesh/join.token, siteCa: {dir: x}}"), "a.yaml: identity.siteCa.dir: unknown key");
        assertThat(ConfigLoader.isNodeIdentity(config.dataplane().listeners().get(0).tls().orElseThrow())).isTrue();

        final ApplianceConfig control = ConfigLoader.parse("c.yaml", """
            role: control
            controlPlane: {keyFile: /k}
            ca: {directory: /etc/mecmesh/ca, joinTokenFile: /etc/mecmesh/join.token, svidTtlSeconds: 3600}
            """);
        assertThat(control.ca().orElseThrow().svidTtl()).hasHours(1);
        assertThat(control.ca().orElseThrow().joinTokenFile()).contains(Path.of("/etc/mecmesh/join.token"));
        assertThat(ConfigLoader.parse("c.yaml", "role: control\ncontrolPlane: {keyFile: /k}\nca: {directory: /ca}\n")
            .ca().orElseThrow().joinTokenFile()).as("no shared join token: per-node tokens only").isEmpty();

        assertRejected(edge.replace("identity: {trustDomain", "other: {trustDomain"), "a.yaml: other: unknown key");
        assertRejected(edge.replace("    identity: {trustDomain: mesh.test, joinTokenFile: /etc/mecmesh/join.token}\n",
            "").replace("identity: {trustDomain: mesh.test, joinTokenFile: /etc/mecmesh/join.token}\n", ""),
            "a.yaml: dataplane.listeners[0].tls.identity: node needs the identity section");
        assertRejected(edge.replace("tls: {identity: node}", "tls: {identity: peer}"),
            "a.yaml: dataplane.listeners[0].tls.identity: expected node");
        assertRejected(edge.replace("tls: {identity: node}", "tls: {identity: node, privateKey: k.pem}"),
            "a.yaml: dataplane.listeners[0].tls.privateKey: not with identity: node");
        assertRejected(edge.replace("site: site-a", "zone: z"), "a.yaml: node.site: required with identity");
        assertRejected(edge.replace("identity: {", "ca: {directory: d, joinTokenFile: t}\nidentity: {"),
            "a.yaml: ca: only a control plane");
        assertRejected("role: control\ncontrolPlane: {keyFile: /k}\nca: {directory: d, joinTokenFile: t,"
            + " svidTtlSeconds: 10}\n", "a.yaml: ca.svidTtlSeconds: ");
    }

    private static void assertRejected(final String yaml, final String message)
    {
        assertThatThrownBy(() -> ConfigLoader.parse("a.yaml", yaml))
            .isInstanceOf(ApplianceException.class)
            .hasMessageStartingWith(message);
    }
}
