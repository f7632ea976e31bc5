package io.mecmesh.slicemanager.identity;

import com.sun.net.httpserver.HttpServer;
import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.dataplane.transport.TransportKind;
import io.mecmesh.slicemanager.ca.CertificateAuthority;
import io.mecmesh.slicemanager.ca.SigningService;
import io.mecmesh.slicemanager.identity.IdentityStatus.AlarmLevel;
import io.mecmesh.slicemanager.identity.IdentityTestSupport.ManualClock;
import io.mecmesh.slicemanager.identity.IdentityTestSupport.SwitchableSigner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.mecmesh.slicemanager.identity.IdentityTestSupport.TOKEN;
import static io.mecmesh.slicemanager.identity.IdentityTestSupport.TRUST_DOMAIN;
import static io.mecmesh.slicemanager.identity.IdentityTestSupport.clientMaterial;
import static io.mecmesh.slicemanager.identity.IdentityTestSupport.connect;
import static io.mecmesh.slicemanager.identity.IdentityTestSupport.get;
import static io.mecmesh.slicemanager.identity.IdentityTestSupport.serverSerial;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node identity client against the real CA (in process through {@link SigningService}), with a clock moved by
 * hand: renewal at half life, alarms while the CA is away, persistence and restarts.
 */
class NodeIdentityClientTest
{
    private static final Duration TTL = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(Instant.now());
    private final CertificateAuthority ca = CertificateAuthority.generate(TRUST_DOMAIN, Duration.ofDays(10), clock);
    private final SwitchableSigner signer = new SwitchableSigner(IdentityTestSupport.inProcess(
        new SigningService(ca, ca.root(), Map.of("edge-a", "site-a"), TOKEN, TTL)));

    private NodeIdentityConfig config()
    {
        return new NodeIdentityConfig(TRUST_DOMAIN, "site-a", "edge-a", dir.resolve("identity"),
            Duration.ofMillis(100), Duration.ofSeconds(1));
    }

    @Test
    void shouldObtainPersistAndRenewAtHalfLife() throws Exception
    {
        final NodeIdentityClient client = NodeIdentityClient.open(config(), signer, clock);
        final IdentityStatus first = client.status();
        assertThat(first.spiffeId()).hasToString("spiffe://mesh.test/site/site-a/node/edge-a");
        assertThat(first.renewals()).isEqualTo(1);
        assertThat(first.alarm()).isEqualTo(AlarmLevel.NONE);
        assertThat(Files.getPosixFilePermissions(dir.resolve("identity/identity.pem")))
            .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(dir.resolve("identity/bundle.pem")))
            .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(dir.resolve("identity")))
            .isEqualTo(PosixFilePermissions.fromString("rwx------"));

        clock.advance(Duration.ofSeconds(14));
        assertThat(client.step()).as("ms until the renewal is due").isBetween(500L, 1_000L);
        assertThat(client.status().serial()).isEqualTo(first.serial());

        clock.advance(Duration.ofSeconds(1));
        client.step();
        final IdentityStatus renewed = client.status();
        assertThat(renewed.serial()).isNotEqualTo(first.serial());
        assertThat(renewed.renewals()).isEqualTo(2);
        assertThat(client.materialSource().current().leaf().getSerialNumber().toString(16))
            .isEqualTo(renewed.serial());
        assertThat(client.materialSource().generation()).isEqualTo(2);
        assertThat(renewed.lifetimeUsed()).isLessThan(0.01);
    }

    @Test
    void shouldKeepTheValidCertificateAndRaiseAlarmsAt50And80PercentWhileTheCaIsAway()
    {
        final NodeIdentityClient client = NodeIdentityClient.open(config(), signer, clock);
        final String serial = client.status().serial();
        signer.down(true);

        clock.advance(Duration.ofSeconds(16));
        assertThat(client.step()).as("retry after the initial backoff").isEqualTo(100L);
        IdentityStatus status = client.status();
        assertThat(status.alarm()).isEqualTo(AlarmLevel.WARN50);
        assertThat(status.serial()).isEqualTo(serial);
        assertThat(status.lastRenewalError()).hasValueSatisfying(e -> assertThat(e).contains("switched off"));
        assertThat(client.step()).as("backoff doubles").isEqualTo(200L);

        clock.advance(Duration.ofSeconds(9));
        for (int i = 0; i < 5; i++)
        {
            client.step();
        }
        status = client.status();
        assertThat(status.alarm()).isEqualTo(AlarmLevel.CRIT80);
        assertThat(status.serial()).as("never discards the valid certificate").isEqualTo(serial);
        assertThat(client.materialSource().current().leaf().getSerialNumber().toString(16)).isEqualTo(serial);
        assertThat(status.renewalFailures()).isEqualTo(7);
        assertThat(client.step()).as("backoff capped at retryMax").isEqualTo(1_000L);
        assertThat(client.warn50Alarms()).isEqualTo(1);
        assertThat(client.crit80Alarms()).isEqualTo(1);

        signer.down(false);
        client.step();
        status = client.status();
        assertThat(status.alarm()).isEqualTo(AlarmLevel.NONE);
        assertThat(status.lastRenewalError()).isEmpty();
        assertThat(status.serial()).isNotEqualTo(serial);
    }

    @Test
    void shouldRestartFromThePersistedIdentityWithTheCaDownAndServeMutualTls() throws Exception
    {
        final BigInteger persisted;
        final NodeIdentityClient before = NodeIdentityClient.start(config(), signer, clock);
        try (before)
        {
            persisted = before.materialSource().current().leaf().getSerialNumber();
        }
        signer.down(true);

        final HttpServer backend = IdentityTestSupport.backend();
        try (NodeIdentityClient after = NodeIdentityClient.start(config(), signer, clock))
        {
            assertThat(after.status().renewals()).as("nothing asked of the CA").isZero();
            final DataPlane node = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
                List.of(ListenerConfig.builder("mesh-in", "127.0.0.1", 0).tls(after.tlsConfig(TlsConfig.Mode.MESH))
                    .build()),
                List.of(new RouteConfig("*", "/", "local")),
                List.of(ClusterConfig.of("local", List.of(new Endpoint("127.0.0.1",
                    backend.getAddress().getPort()))))), new DataPlaneCounters());
            try (SSLSocket socket = connect(node.listenerAddress("mesh-in"),
                clientMaterial(ca, "site/site-b/node/edge-b", Duration.ofHours(1))))
            {
                assertThat(serverSerial(socket)).isEqualTo(persisted);
                assertThat(get(socket, "/restarted")).isEqualTo("200 ok");
            }
            finally
            {
                node.close();
            }
        }
        finally
        {
            backend.stop(0);
        }
    }

    @Test
    void shouldStartWithoutAnIdentityWhenThePersistedOneExpiredAndTheCaIsAwayAndTakeTheFirstOneIssued()
    {
        final String expiredSerial;
        try (NodeIdentityClient first = NodeIdentityClient.open(config(), signer, clock))
        {
            expiredSerial = first.status().serial();
        }
        clock.advance(Duration.ofMinutes(5));
        signer.down(true);

        final NodeIdentityClient client = NodeIdentityClient.open(config(), signer, clock);

        assertThat(client.materialSource().hasMaterial()).as("nothing to present: mesh listeners refuse").isFalse();
        assertThat(client.degraded()).hasValueSatisfying(reason -> assertThat(reason)
            .contains("no valid certificate").contains("identity.pem: expired")
            .contains("last error: test CA switched off"));
        assertThat(client.status().alarm()).isEqualTo(AlarmLevel.CRIT80);
        assertThat(client.status().serial()).isEqualTo("none");
        assertThat(client.step()).as("retrying with backoff").isEqualTo(200L);
        assertThat(client.step()).isEqualTo(400L);

        signer.down(false);
        client.step();

        assertThat(client.materialSource().hasMaterial()).isTrue();
        assertThat(client.degraded()).isEmpty();
        assertThat(client.status().serial()).isNotEqualTo(expiredSerial).isNotEqualTo("none");
        assertThat(client.status().alarm()).isEqualTo(AlarmLevel.NONE);
        assertThat(client.materialSource().current().leaf().getSerialNumber().toString(16))
            .isEqualTo(client.status().serial());
    }

    @Test
    void shouldReportACorruptPersistedIdentityClearly() throws Exception
    {
        NodeIdentityClient.open(config(), signer, clock).close();
        final Path identity = dir.resolve("identity/identity.pem");
        Files.writeString(identity, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        signer.down(true);

        assertThat(NodeIdentityClient.open(config(), signer, clock).degraded()).hasValueSatisfying(reason ->
            assertThat(reason).contains(identity.toString()).contains("corrupt persisted identity")
                .contains("not a valid PKCS#8"));

        Files.delete(dir.resolve("identity/bundle.pem"));
        Files.writeString(identity, "");
        assertThat(NodeIdentityClient.open(config(), signer, clock).degraded()).hasValueSatisfying(reason ->
            assertThat(reason).contains(identity.toString()));
    }

    @Test
    void shouldSayWhyWithNothingPersistedAndNoCa()
    {
        signer.down(true);
        assertThat(NodeIdentityClient.open(config(), signer, clock).degraded()).hasValueSatisfying(reason ->
            assertThat(reason).contains("no persisted identity in " + dir.resolve("identity"))
                .contains("test CA switched off"));
    }

    @Test
    void shouldRefuseAPersistedIdentityOfAnotherNode()
    {
        NodeIdentityClient.open(config(), signer, clock).close();
        signer.down(true);
        final NodeIdentityConfig otherNode = new NodeIdentityConfig(TRUST_DOMAIN, "site-a", "edge-z",
            dir.resolve("identity"));
        final NodeIdentityClient client = NodeIdentityClient.open(otherNode, signer, clock);

        assertThat(client.materialSource().hasMaterial()).isFalse();
        assertThat(client.degraded()).hasValueSatisfying(reason -> assertThat(reason)
            .contains("spiffe_id_mismatch"));
    }
}
