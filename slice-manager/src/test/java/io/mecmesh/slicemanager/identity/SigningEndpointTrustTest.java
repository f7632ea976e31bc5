package io.mecmesh.slicemanager.identity;

import io.mecmesh.slicemanager.agent.ConfigVerifier;
import io.mecmesh.slicemanager.ca.CertificateAuthority;
import io.mecmesh.slicemanager.ca.ConfigSigningKeys;
import io.mecmesh.slicemanager.ca.IdentityHttpHandler;
import io.mecmesh.slicemanager.ca.SigningService;
import io.mecmesh.slicemanager.http.ApiGate;
import io.mecmesh.slicemanager.http.ApiHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.mecmesh.slicemanager.identity.IdentityTestSupport.TOKEN;
import static io.mecmesh.slicemanager.identity.IdentityTestSupport.TRUST_DOMAIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The control plane's configuration-verification keys travel with the trust bundle: the CA's signing endpoint (real
 * HTTP on loopback) hands them out with each SVID, the node persists them beside its bundle, and its node agent
 * trusts them; a rotation reaches the node at its next renewal. Refused requests are counted by reason.
 */
class SigningEndpointTrustTest
{
    private static final Duration TTL = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private ApiHttpServer controlPlane;
    private IdentityHttpHandler handler;
    private final IdentityTestSupport.ManualClock clock = new IdentityTestSupport.ManualClock(Instant.now());

    @AfterEach
    void stop()
    {
        if (controlPlane != null)
        {
            controlPlane.close();
        }
    }

    @Test
    void shouldPersistTheKeysThatComeWithTheSvidAndFollowARotationAtTheNextRenewal() throws IOException
    {
        final ConfigSigningKeys keys = startControlPlane();
        final Path identity = dir.resolve("identity");
        final NodeIdentityClient client = NodeIdentityClient.open(new NodeIdentityConfig(TRUST_DOMAIN, "site-a",
            "edge-a", identity, Duration.ofMillis(100), Duration.ofSeconds(1)), signer(TOKEN), clock);

        final Path delivered = identity.resolve(ConfigSigningKeys.VERIFICATION_FILE);
        assertThat(Files.getPosixFilePermissions(delivered)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(ConfigVerifier.keysFrom(List.of(delivered)).get()).isEqualTo(keys.verificationKeys());

        ConfigSigningKeys.rotate(dir.resolve("ca"));
        clock.advance(Duration.ofSeconds(15));
        client.step();

        assertThat(client.status().renewals()).isEqualTo(2);
        assertThat(ConfigVerifier.keysFrom(List.of(delivered)).get()).as("both keys during the overlap")
            .hasSize(2).isEqualTo(keys.verificationKeys());
    }

    @Test
    void shouldCountRefusedSigningRequestsByReason() throws IOException
    {
        startControlPlane();
        final SigningRequest request = new SigningRequest("edge-a", "site-a", "not a CSR");

        assertThatThrownBy(() -> signer("another-token").sign(request)).isInstanceOf(IdentityClientException.class);
        assertThatThrownBy(() -> signer(TOKEN).sign(new SigningRequest("edge-z", "site-a", "not a CSR")))
            .isInstanceOf(IdentityClientException.class);
        assertThatThrownBy(() -> signer(TOKEN).sign(request)).isInstanceOf(IdentityClientException.class);

        assertThat(handler.refusals()).containsEntry("unauthenticated", 1L).containsEntry("malformed_request", 2L)
            .containsEntry("forbidden", 0L);
    }

    private ConfigSigningKeys startControlPlane() throws IOException
    {
        final CertificateAuthority ca = CertificateAuthority.generate(TRUST_DOMAIN, Duration.ofDays(10), clock);
        final ConfigSigningKeys keys = ConfigSigningKeys.openOrCreate(dir.resolve("ca"));
        handler = new IdentityHttpHandler(new SigningService(ca, ca.root(), Map.of("edge-a", "site-a"), TOKEN, TTL)
            .handOutConfigVerificationKeys(keys::verificationKeys));
        controlPlane = ApiHttpServer.start(ApiHttpServer.Settings.plain("test-ca", "127.0.0.1", 0), ApiGate.OPEN,
            Map.of(IdentityHttpHandler.CONTEXT, handler));
        return keys;
    }

    private HttpCertificateSigner signer(final String token)
    {
        return new HttpCertificateSigner(URI.create("http://127.0.0.1:" + controlPlane.address().getPort()), token,
            Duration.ofSeconds(5));
    }
}
