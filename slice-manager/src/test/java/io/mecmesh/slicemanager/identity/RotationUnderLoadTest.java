package io.mecmesh.slicemanager.identity;

import io.mecmesh.dataplane.tls.TlsMaterial;
import io.mecmesh.slicemanager.identity.IdentityStatus.AlarmLevel;
import io.mecmesh.slicemanager.identity.IdentityTestSupport.SwitchableSigner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.math.BigInteger;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static io.mecmesh.slicemanager.identity.IdentityTestSupport.TOKEN;
import static io.mecmesh.slicemanager.identity.IdentityTestSupport.TRUST_DOMAIN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rotation under load: two data planes, A's outbound cluster over mTLS to B's mesh listener, B forwarding to a
 * loopback backend; each node's identity comes from its own {@link NodeIdentityClient} talking HTTP to the real CA
 * endpoint, with 30-second certificates renewed at half life. Requests at a fixed rate of 100/s go through A while
 * certificates rotate several times on both sides and the CA is switched off for longer than a renewal period.
 * Not one request may fail; the alarm must rise to WARN50 during the outage and clear after it.
 */
class RotationUnderLoadTest
{
    private static final Duration TTL = Duration.ofSeconds(30);
    private static final Duration OUTAGE = Duration.ofSeconds(18);
    private static final long PERIOD_NS = 10_000_000L;
    private static final int MAX_REQUESTS = 12_000;
    private static final int LANES = 4;
    private static final int WARM_UP_REQUESTS = 20;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void stop() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    @Test
    void shouldRotateSeveralTimesOnBothSidesWithoutAFailedRequestThroughACaOutage() throws Exception
    {
        final URI caUri = IdentityTestSupport.controlPlaneCa(TTL, resources);
        final SwitchableSigner signerA = new SwitchableSigner(
            new HttpCertificateSigner(caUri, TOKEN, Duration.ofSeconds(2)));
        final SwitchableSigner signerB = new SwitchableSigner(
            new HttpCertificateSigner(caUri, TOKEN, Duration.ofSeconds(2)));
        final NodeIdentityClient identityA = client(signerA, "site-a", "edge-a");
        final NodeIdentityClient identityB = client(signerB, "site-b", "edge-b");

        final IdentityTestSupport.MtlsHop hop = IdentityTestSupport.mtlsHop(identityA, identityB, resources);

        final Load load = new Load(hop.outbound());
        load.warmUp();
        load.start();
        resources.add(load::stopAndJoin);
        final Observer observer = new Observer(identityA, identityB, hop.meshIn());

        observer.until("both nodes renewed once", Duration.ofSeconds(30),
            () -> identityA.status().renewals() >= 2 && identityB.status().renewals() >= 2);
        observer.until("both certificates fresh", Duration.ofSeconds(20),
            () -> identityA.status().lifetimeUsed() < 0.2 && identityB.status().lifetimeUsed() < 0.2);

        signerA.down(true);
        signerB.down(true);
        final long renewalsBeforeOutageA = identityA.status().renewals();
        final long renewalsBeforeOutageB = identityB.status().renewals();
        final long outageEnd = System.nanoTime() + OUTAGE.toNanos();
        observer.until("the outage is over", OUTAGE.plusSeconds(5), () -> System.nanoTime() - outageEnd > 0);
        assertThat(identityA.status().renewals()).as("nothing renewed while the CA was away")
            .isEqualTo(renewalsBeforeOutageA);
        assertThat(identityB.status().renewals()).isEqualTo(renewalsBeforeOutageB);
        assertThat(identityA.status().lastRenewalError()).isPresent();
        signerA.down(false);
        signerB.down(false);

        observer.until("both identities recovered", Duration.ofSeconds(10),
            () -> identityA.status().alarm() == AlarmLevel.NONE && identityB.status().alarm() == AlarmLevel.NONE
                && identityA.status().renewals() > renewalsBeforeOutageA
                && identityB.status().renewals() > renewalsBeforeOutageB);
        final long renewalsAfterOutageA = identityA.status().renewals();
        final long renewalsAfterOutageB = identityB.status().renewals();
        observer.until("a renewal on schedule after the outage", Duration.ofSeconds(25),
            () -> identityA.status().renewals() > renewalsAfterOutageA
                && identityB.status().renewals() > renewalsAfterOutageB);
        observer.until("four serials of B seen in handshakes", Duration.ofSeconds(5),
            () -> observer.serialsSeenFromB.size() >= 4);

        load.stopAndJoin();

        assertThat(load.failures).as("failed requests").isEmpty();
        assertThat(load.succeeded.get()).as("requests carried").isGreaterThan(2_000);
        assertThat(observer.serialsOfA).as("A's certificates during the run").hasSizeGreaterThanOrEqualTo(4);
        assertThat(observer.serialsSeenFromB).as("B's certificates seen by new handshakes")
            .hasSizeGreaterThanOrEqualTo(4);
        assertThat(observer.maxAlarmA).as("A's alarm during the outage").isEqualTo(AlarmLevel.WARN50);
        assertThat(observer.maxAlarmB).as("B's alarm during the outage").isEqualTo(AlarmLevel.WARN50);
        assertThat(identityA.warn50Alarms()).isEqualTo(1);
        assertThat(identityB.warn50Alarms()).isEqualTo(1);
        assertThat(identityA.status().lastRenewalError()).isEmpty();
        assertThat(observer.serialsOfAAcceptedByB).as("A's certificates B accepted in new handshakes")
            .hasSizeGreaterThanOrEqualTo(4);
        assertThat(observer.probeFailures).as("probe handshakes to B refused").isEmpty();
    }

    private NodeIdentityClient client(final CertificateSigner signer, final String site, final String node)
    {
        final NodeIdentityClient client = NodeIdentityClient.start(new NodeIdentityConfig(TRUST_DOMAIN, site, node,
            dir.resolve(node), Duration.ofMillis(250), Duration.ofSeconds(1)), signer, InstantSource.system());
        resources.add(client);
        return client;
    }

    /**
     * Requests at a fixed rate through A, each checked: {@link #LANES} keep-alive connections, each sending its share
     * of the schedule one request after the other (a lane that falls behind catches up); bounded in count.
     */
    private static final class Load
    {
        private final InetSocketAddress address;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong succeeded = new AtomicLong();
        private final List<String> failures = new CopyOnWriteArrayList<>();
        private final List<Thread> lanes = new ArrayList<>();

        Load(final InetSocketAddress address)
        {
            this.address = address;
        }

        /** A few requests one after the other, each of which must succeed, before the fixed rate starts. */
        void warmUp() throws IOException
        {
            try (Socket socket = connect())
            {
                for (int i = 0; i < WARM_UP_REQUESTS; i++)
                {
                    assertThat(exchange(socket, "/warm-up/" + i)).as("warm-up request " + i).isEqualTo("200 ok");
                }
            }
        }

        void start()
        {
            final long startNs = System.nanoTime();
            for (int lane = 0; lane < LANES; lane++)
            {
                final int index = lane;
                final Thread thread = new Thread(() -> runLane(index, startNs), "rotation-load-" + lane);
                thread.start();
                lanes.add(thread);
            }
        }

        void stopAndJoin() throws InterruptedException
        {
            stop.set(true);
            for (final Thread lane : lanes)
            {
                lane.join(REQUEST_TIMEOUT.toMillis() * 2);
            }
        }

        private void runLane(final int lane, final long startNs)
        {
            Socket socket = null;
            for (int i = 0; i < MAX_REQUESTS / LANES && !stop.get(); i++)
            {
                final long wait = startNs + ((long)i * LANES + lane) * PERIOD_NS - System.nanoTime();
                if (wait > 0)
                {
                    LockSupport.parkNanos(wait);
                }
                final String path = "/r/" + lane + "/" + i;
                try
                {
                    if (socket == null)
                    {
                        socket = connect();
                    }
                    final String answer = exchange(socket, path);
                    if ("200 ok".equals(answer))
                    {
                        succeeded.incrementAndGet();
                    }
                    else
                    {
                        failures.add(path + ": " + answer);
                    }
                }
                catch (final IOException ex)
                {
                    failures.add(path + ": " + ex);
                    closeQuietly(socket);
                    socket = null;
                }
            }
            closeQuietly(socket);
        }

        private Socket connect() throws IOException
        {
            final Socket socket = new Socket(address.getAddress(), address.getPort());
            socket.setSoTimeout((int)REQUEST_TIMEOUT.toMillis());
            socket.setTcpNoDelay(true);
            return socket;
        }

        /** One keep-alive request; returns "status x-backend", as {@link IdentityTestSupport#get} does. */
        private static String exchange(final Socket socket, final String path) throws IOException
        {
            final OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: svc\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return IdentityTestSupport.readResponse(socket.getInputStream());
        }

        private static void closeQuietly(final Socket socket)
        {
            if (socket != null)
            {
                try
                {
                    socket.close();
                }
                catch (final IOException ignore)
                {
                    // the failure is already recorded
                }
            }
        }
    }

    /**
     * Watches both identities while waiting, and once a second handshakes with B from a fresh client presenting A's
     * current certificate: B must accept each of A's certificates and present its own current one.
     */
    private static final class Observer
    {
        private final NodeIdentityClient identityA;
        private final NodeIdentityClient identityB;
        private final InetSocketAddress listenerB;
        private final Set<String> serialsOfA = ConcurrentHashMap.newKeySet();
        private final Set<BigInteger> serialsSeenFromB = ConcurrentHashMap.newKeySet();
        private final Set<BigInteger> serialsOfAAcceptedByB = ConcurrentHashMap.newKeySet();
        private final List<String> probeFailures = new ArrayList<>();
        private AlarmLevel maxAlarmA = AlarmLevel.NONE;
        private AlarmLevel maxAlarmB = AlarmLevel.NONE;
        private long nextProbe = System.nanoTime();

        Observer(final NodeIdentityClient identityA, final NodeIdentityClient identityB,
            final InetSocketAddress listenerB)
        {
            this.identityA = identityA;
            this.identityB = identityB;
            this.listenerB = listenerB;
        }

        void until(final String what, final Duration timeout, final BooleanSupplier condition)
        {
            final long deadline = System.nanoTime() + timeout.toNanos();
            while (!condition.getAsBoolean())
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; A: "
                        + identityA.status() + "; B: " + identityB.status());
                }
                observe();
                LockSupport.parkNanos(50_000_000L);
            }
            observe();
        }

        private void observe()
        {
            final IdentityStatus a = identityA.status();
            final IdentityStatus b = identityB.status();
            serialsOfA.add(a.serial());
            maxAlarmA = a.alarm().compareTo(maxAlarmA) > 0 ? a.alarm() : maxAlarmA;
            maxAlarmB = b.alarm().compareTo(maxAlarmB) > 0 ? b.alarm() : maxAlarmB;
            if (System.nanoTime() - nextProbe >= 0)
            {
                nextProbe = System.nanoTime() + 1_000_000_000L;
                final TlsMaterial currentOfA = identityA.materialSource().current();
                try (SSLSocket socket = IdentityTestSupport.connect(listenerB, currentOfA))
                {
                    serialsSeenFromB.add(IdentityTestSupport.serverSerial(socket));
                    final String answer = IdentityTestSupport.get(socket, "/probe");
                    if ("200 ok".equals(answer))
                    {
                        serialsOfAAcceptedByB.add(currentOfA.leaf().getSerialNumber());
                    }
                    else
                    {
                        probeFailures.add(answer);
                    }
                }
                catch (final Exception ex)
                {
                    probeFailures.add(ex.toString());
                }
            }
        }
    }
}
