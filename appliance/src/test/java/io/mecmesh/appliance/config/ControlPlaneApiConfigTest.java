package io.mecmesh.appliance.config;

import io.mecmesh.appliance.ApplianceException;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.slicemanager.ca.ApiRole;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ControlPlaneApiConfigTest
{
    @Test
    void shouldServeTheApiOverTlsOnTheControlPlaneAddressByDefault()
    {
        final ControlPlaneConfig control = control("controlPlane: {address: 10.1.2.3, keyFile: /k}\n");

        assertThat(control.api()).isEqualTo(new ControlPlaneConfig.Api("10.1.2.3", 9902, false, Map.of()));
        assertThat(control.api().scheme()).isEqualTo("https");
        assertThat(control.apiPort()).isEqualTo(9902);
    }

    @Test
    void shouldReadTheApiListenerItsRolesAndTheDeprecatedApiPort()
    {
        final ControlPlaneConfig control = control("""
            controlPlane:
              address: 10.1.2.3
              keyFile: /k
              api:
                address: 127.0.0.1
                port: 19902
                insecureLoopback: true
                roles:
                  "spiffe://mesh.test/ops": admin
                  "spiffe://mesh.test/ops/readers": viewer
            """);

        assertThat(control.api().address()).isEqualTo("127.0.0.1");
        assertThat(control.api().port()).isEqualTo(19902);
        assertThat(control.api().scheme()).isEqualTo("http");
        assertThat(control.api().roles()).containsEntry(SpiffeId.parse("spiffe://mesh.test/ops"), ApiRole.ADMIN)
            .containsEntry(SpiffeId.parse("spiffe://mesh.test/ops/readers"), ApiRole.VIEWER);
        assertThat(control("controlPlane: {keyFile: /k, apiPort: 9000}\n").api().port()).isEqualTo(9000);
    }

    @Test
    void shouldRefusePlainHttpOffLoopbackAndNameTheKey()
    {
        assertRejected("controlPlane: {address: 10.1.2.3, keyFile: /k, api: {insecureLoopback: true}}\n",
            "a.yaml: controlPlane.api.insecureLoopback: plain HTTP is allowed only on a loopback address, and the"
                + " API's address is 10.1.2.3");
        assertRejected("controlPlane: {keyFile: /k, api: {address: 0.0.0.0, insecureLoopback: true}}\n",
            "a.yaml: controlPlane.api.insecureLoopback: ");
        assertRejected("controlPlane: {keyFile: /k, apiPort: 1, api: {port: 2}}\n",
            "a.yaml: controlPlane.apiPort: conflicts with api.port");
        assertRejected("controlPlane: {keyFile: /k, api: {roles: {\"spiffe://mesh.test/ops\": root}}}\n",
            "a.yaml: controlPlane.api.roles");
        assertRejected("controlPlane: {keyFile: /k, api: {tls: false}}\n", "a.yaml: controlPlane.api.tls: unknown key");
    }

    private static ControlPlaneConfig control(final String controlPlane)
    {
        return ConfigLoader.parse("a.yaml", "role: control\n" + controlPlane).controlPlane().orElseThrow();
    }

    private static void assertRejected(final String controlPlane, final String message)
    {
        assertThatThrownBy(() -> ConfigLoader.parse("a.yaml", "role: control\n" + controlPlane))
            .isInstanceOf(ApplianceException.class)
            .hasMessageStartingWith(message);
    }
}
