package io.mecmesh.appliance.config;

import io.mecmesh.appliance.ApplianceException;
import io.mecmesh.mecapi.MecApiConfig;
import io.mecmesh.mecapi.MecApiOAuth2;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MecApiConfigTest
{
    @TempDir
    Path directory;

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

    @Test
    void shouldReadOAuth2BearerTokenSettingsWithClientIdAsTheDefaultClaim() throws Exception
    {
        final Path jwks = Files.writeString(directory.resolve("jwks.json"),
            "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"x\",\"y\":\"y\",\"use\":\"sig\"}]}");

        assertThat(control("controlPlane: {keyFile: /k, mecApi: {oauth2: {jwksFile: " + jwks + ", issuer: https://as, "
            + "audience: mp1}}}\n").mecApi().orElseThrow().oauth2())
            .contains(new MecApiOAuth2(jwks, "https://as", "mp1", "client_id"));
        assertThat(control("controlPlane: {keyFile: /k, mecApi: {oauth2: {jwksFile: " + jwks + ", issuer: https://as, "
            + "audience: mp1, claim: sub}}}\n").mecApi().orElseThrow().oauth2().orElseThrow().claim()).isEqualTo("sub");
    }

    @Test
    void shouldRefuseAnOAuth2SectionWithoutAUsableKeySetOrIssuerNamingTheKey() throws Exception
    {
        final Path secret = Files.writeString(directory.resolve("secret.json"),
            "{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}");
        assertRejected("controlPlane: {keyFile: /k, mecApi: {oauth2: {jwksFile: " + secret + ", issuer: i, "
            + "audience: a}}}\n", "a.yaml: controlPlane.mecApi.oauth2.jwksFile: " + secret + ": keys[0].kty");
        assertRejected("controlPlane: {keyFile: /k, mecApi: {oauth2: {jwksFile: " + directory.resolve("none.json")
            + ", issuer: i, audience: a}}}\n", "a.yaml: controlPlane.mecApi.oauth2.jwksFile: ");
        assertRejected("controlPlane: {keyFile: /k, mecApi: {oauth2: {jwksFile: " + secret + ", audience: a}}}\n",
            "a.yaml: controlPlane.mecApi.oauth2.issuer: missing");
        assertRejected("controlPlane: {keyFile: /k, mecApi: {oauth2: {jwksFile: " + secret + ", issuer: i, "
            + "audience: a, scope: x}}}\n", "a.yaml: controlPlane.mecApi.oauth2.scope: unknown key");
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
