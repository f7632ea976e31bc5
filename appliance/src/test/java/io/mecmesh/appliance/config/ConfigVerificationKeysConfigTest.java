package io.mecmesh.appliance.config;

import io.mecmesh.appliance.ApplianceException;
import io.mecmesh.slicemanager.distribution.SignedConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code controlPlane.configVerificationKeys}: read once when the configuration loads, so a missing or malformed key
 * file stops {@code run}, {@code run --check} and {@code check} with one line naming the key.
 */
class ConfigVerificationKeysConfigTest
{
    @TempDir
    Path dir;

    @Test
    void shouldTakeAFileOfPublicKeys() throws IOException
    {
        final Path keys = Files.writeString(dir.resolve("keys.pem"),
            SignedConfig.toPem(List.of(SignedConfig.generateKeyPair().getPublic())));

        final ApplianceConfig config = ConfigLoader.parse("a.yaml", edge("configVerificationKeys: " + keys));

        assertThat(config.controlPlane().orElseThrow().configVerificationKeys()).contains(keys);
    }

    @Test
    void shouldRefuseAMissingEmptyOrMalformedFileNamingTheKey() throws IOException
    {
        assertRejected(edge("configVerificationKeys: " + dir.resolve("missing.pem")),
            "a.yaml: controlPlane.configVerificationKeys: " + dir.resolve("missing.pem") + ": cannot be read");
        final Path empty = Files.writeString(dir.resolve("empty.pem"), "no keys here\n");
        assertRejected(edge("configVerificationKeys: " + empty), "a.yaml: controlPlane.configVerificationKeys: "
            + empty + ": no PUBLIC KEY block");
        final Path malformed = Files.writeString(dir.resolve("bad.pem"),
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        assertRejected(edge("configVerificationKeys: " + malformed), "a.yaml: controlPlane.configVerificationKeys: "
            + malformed + ": PUBLIC KEY block 1: not an Ed25519 public key");
    }

    private static String edge(final String line)
    {
        return """
            controlPlane:
              keyFile: /etc/mecmesh/distribution.key
              nodeEndpoint: 127.0.0.1:40403
              %s
            dataplane:
              listeners:
                - name: outbound
                  port: 0
            """.formatted(line);
    }

    private static void assertRejected(final String yaml, final String message)
    {
        assertThatThrownBy(() -> ConfigLoader.parse("a.yaml", yaml)).isInstanceOf(ApplianceException.class)
            .hasMessageStartingWith(message).satisfies(ex -> assertThat(ex.getMessage()).doesNotContain("\n"));
    }
}
