package io.mecmesh.appliance.config;

import io.mecmesh.appliance.ApplianceException;
import io.mecmesh.mecapi.MecApiConfig;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MecApiConfigTest
{
    @Test
    void shouldServeNoMecApiUnlessConfigured()
    {
        assertThat(control("controlPlane: {keyFile: /k}\n").mecApi()).isEmpty();
    }

    @Test
    void shouldDefaultTheMecApiToTheControlPlaneAddressPort9903AndNoRoot()
    {
        assertThat(control("controlPlane: {address: 10.1.2.3, keyFile: /k, mecApi: {}}\n").mecApi())
            .contains(new MecApiConfig("10.1.2.3", 9903, ""));
        assertThat(control("controlPlane: {keyFile: /k, mecApi: {address: 127.0.0.2, port: 0, apiRoot: /mec}}\n")
            .mecApi()).isEqualTo(Optional.of(new MecApiConfig("127.0.0.2", 0, "/mec")));
    }

    @Test
    void shouldRefuseABadMecApiNamingTheKey()
    {
        assertRejected("controlPlane: {keyFile: /k, mecApi: {apiRoot: mec/}}\n", "a.yaml: controlPlane.mecApi");
        assertRejected("controlPlane: {keyFile: /k, mecApi: {port: 70000}}\n", "a.yaml: controlPlane.mecApi.port");
        assertRejected("controlPlane: {keyFile: /k, mecApi: {tls: false}}\n",
            "a.yaml: controlPlane.mecApi.tls: unknown key");
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
