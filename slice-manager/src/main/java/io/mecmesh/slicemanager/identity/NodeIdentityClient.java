package io.mecmesh.slicemanager.identity;

import io.mecmesh.dataplane.identity.KeyMatch;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.dataplane.tls.TlsMaterial;
import io.mecmesh.dataplane.tls.TlsMaterialSource;
import io.mecmesh.slicemanager.ca.CaKeyStore;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException;
import io.mecmesh.slicemanager.ca.ConfigSigningKeys;
import io.mecmesh.slicemanager.ca.CertificateRequests;
import io.mecmesh.slicemanager.distribution.SignedConfig;
import io.mecmesh.slicemanager.identity.IdentityClientException.Category;
import io.mecmesh.slicemanager.identity.IdentityStatus.AlarmLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * The node's own X.509-SVID, obtained and renewed without the private key ever leaving the node, and kept serving
 * through CA outages.
 * <ul>
 *   <li>Identity: {@code spiffe://<trust-domain>/site/<site>/node/<node-id>} ({@link NodeIdentityConfig#spiffeId}).</li>
 *   <li>Each renewal generates a new ECDSA P-256 key here, sends a PKCS#10 request through the
 *       {@link CertificateSigner}, checks the answer (the chain validates against the returned bundle for this node's
 *       id, and certifies this key), persists it ({@link IdentityStore}: one atomic rename, 0600) and swaps it into
 *       the {@link TlsMaterialSource} that the data plane's listener and cluster contexts read at every handshake:
 *       new connections present the new certificate, established ones are untouched.</li>
 *   <li>Renewal is due at half the lifetime, measured from when the certificate was received (after a restart, the
 *       persisted file's modification time) to its {@code notAfter}; not from {@code notBefore}, which the CA
 *       backdates for clock skew.</li>
 *   <li>A failed renewal is retried after {@code retryInitial}, doubling up to {@code retryMax}. The serving
 *       certificate is never replaced by anything but a newer valid one. While renewal fails the alarm is
 *       {@code WARN50} past half the lifetime and {@code CRIT80} past 80% (logged once per change, readable in
 *       {@link #status}).</li>
 *   <li>At start the persisted identity is served if it is valid; if it is missing, corrupt or expired that is
 *       logged and a renewal is attempted; if that fails too, the client starts <em>without an identity</em>
 *       ({@link #degraded()} says why): its {@link TlsMaterialSource} has no material, so mesh listeners refuse
 *       connections and mesh hops fail, while everything that needs no identity keeps working; renewal retries with
 *       the same backoff and the first certificate issued is swapped in like a renewal. An identity never takes the
 *       node down.</li>
 * </ul>
 * Scheduling: one daemon thread ({@code mecmesh-identity-<node>}) of a single-thread scheduled executor; renewal is
 * rare and may block on the network, so it stays off the data plane's event loops and agents. Time comes from the
 * injected {@link InstantSource}; delays are waited in real time.
 */
public final class NodeIdentityClient implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(NodeIdentityClient.class);
    private static final double WARN_FRACTION = 0.5;
    private static final double CRIT_FRACTION = 0.8;
    /** {@link IdentityStatus#serial()} while there is no certificate. */
    private static final String NO_SERIAL = "none";

    private final NodeIdentityConfig config;
    private final SpiffeId spiffeId;
    private final CertificateSigner signer;
    private final InstantSource clock;
    private final IdentityStore store;
    private final AtomicLong renewals = new AtomicLong();
    private final AtomicLong renewalFailures = new AtomicLong();
    private final AtomicLong warnAlarms = new AtomicLong();
    private final AtomicLong critAlarms = new AtomicLong();
    private volatile Serving serving;
    private volatile TlsMaterialSource source;
    private volatile String lastError;
    /** Why there was no valid certificate at start, until one is obtained; {@code null} once serving. */
    private volatile String startProblem;
    private volatile int consecutiveFailures;
    private AlarmLevel reportedAlarm = AlarmLevel.NONE;
    private ScheduledExecutorService scheduler;
    private volatile boolean closed;

    private record Serving(TlsMaterial material, Instant start)
    {
        Instant notAfter()
        {
            return material.leaf().getNotAfter().toInstant();
        }

        Instant renewAt()
        {
            return start.plus(Duration.between(start, notAfter()).dividedBy(2));
        }

        double lifetimeUsed(final Instant now)
        {
            final long lifetime = Duration.between(start, notAfter()).toMillis();
            return lifetime <= 0 ? 1.0 : (double)Duration.between(start, now).toMillis() / lifetime;
        }
    }

    private NodeIdentityClient(final NodeIdentityConfig config, final CertificateSigner signer,
        final InstantSource clock)
    {
        this.config = requireNonNull(config, "config");
        this.signer = requireNonNull(signer, "signer");
        this.clock = requireNonNull(clock, "clock");
        this.spiffeId = config.spiffeId();
        this.store = new IdentityStore(config.directory());
    }

    /**
     * Loads or obtains the identity, then renews it in the background.
     *
     * @param config the node and its directory.
     * @param signer how requests reach the CA.
     * @param clock  the time source.
     * @return the running client, serving a valid certificate or, without one, retrying ({@link #degraded()}).
     */
    public static NodeIdentityClient start(final NodeIdentityConfig config, final CertificateSigner signer,
        final InstantSource clock)
    {
        final NodeIdentityClient client = open(config, signer, clock);
        client.scheduler = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "mecmesh-identity-" + config.nodeId());
            thread.setDaemon(true);
            return thread;
        });
        // Without a certificate the CA was just asked: the next attempt waits for the first backoff.
        client.scheduler.schedule(client::cycle, client.serving == null ? config.retryInitial().toMillis() : 0,
            TimeUnit.MILLISECONDS);
        return client;
    }

    /**
     * Loads or obtains the identity without scheduling renewals (tests drive {@link #step} themselves); without a
     * valid certificate the client has no material ({@link #degraded()}).
     */
    static NodeIdentityClient open(final NodeIdentityConfig config, final CertificateSigner signer,
        final InstantSource clock)
    {
        final NodeIdentityClient client = new NodeIdentityClient(config, signer, clock);
        client.loadOrObtain();
        return client;
    }

    /**
     * @return this node's SPIFFE id.
     */
    public SpiffeId spiffeId()
    {
        return spiffeId;
    }

    /**
     * @return the material the data plane's contexts read: swapped at each renewal.
     */
    public TlsMaterialSource materialSource()
    {
        return source;
    }

    /**
     * A TLS configuration for a listener or cluster that follows this identity (hot swap), naming the persisted
     * files.
     *
     * @param mode mesh or external.
     * @return the configuration.
     */
    public TlsConfig tlsConfig(final TlsConfig.Mode mode)
    {
        return TlsConfig.fromSource(source, store.identityFile(), store.identityFile(), store.bundleFile(), mode);
    }

    /**
     * @return the identity now: certificate, lifetime used, alarm, counters.
     */
    public IdentityStatus status()
    {
        final Serving current = serving;
        if (current == null)
        {
            return new IdentityStatus(spiffeId, NO_SERIAL, Instant.EPOCH, 1.0, Optional.ofNullable(lastError),
                AlarmLevel.CRIT80, renewals.get(), renewalFailures.get());
        }
        final Instant now = clock.instant();
        return new IdentityStatus(spiffeId, current.material.leaf().getSerialNumber().toString(16),
            current.notAfter(), current.lifetimeUsed(now), Optional.ofNullable(lastError), alarm(current, now),
            renewals.get(), renewalFailures.get());
    }

    /**
     * @return why this node cannot authenticate itself now (no valid certificate since start, or the serving one
     *         expired), for {@code /ready}'s body; empty while it serves a valid certificate.
     */
    public Optional<String> degraded()
    {
        final Serving current = serving;
        if (current == null)
        {
            return Optional.of("node identity " + spiffeId + ": no valid certificate (" + startProblem
                + "); mesh listeners refuse connections, renewal retrying" + (lastError == null ? ""
                : " (last error: " + lastError + ")"));
        }
        if (!clock.instant().isBefore(current.notAfter()))
        {
            return Optional.of("node identity " + spiffeId + ": the serving certificate expired at "
                + current.notAfter() + ", renewal retrying" + (lastError == null ? "" : " (last error: " + lastError
                + ")"));
        }
        return Optional.empty();
    }

    /**
     * @return how many times the alarm rose to {@code WARN50} since start (a counter for the metrics export).
     */
    public long warn50Alarms()
    {
        return warnAlarms.get();
    }

    /**
     * @return how many times the alarm rose to {@code CRIT80} since start (a counter for the metrics export).
     */
    public long crit80Alarms()
    {
        return critAlarms.get();
    }

    @Override
    public void close()
    {
        closed = true;
        if (scheduler != null)
        {
            scheduler.shutdownNow();
            try
            {
                scheduler.awaitTermination(5, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void cycle()
    {
        if (closed)
        {
            return;
        }
        long delayMs;
        try
        {
            delayMs = step();
        }
        catch (final RuntimeException ex)
        {
            LOG.error("node identity {}: renewal cycle failed", spiffeId, ex);
            delayMs = config.retryMax().toMillis();
        }
        if (!closed)
        {
            scheduler.schedule(this::cycle, delayMs, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Renews if due, updates the alarm.
     *
     * @return milliseconds until the next step is due.
     */
    synchronized long step()
    {
        final Instant now = clock.instant();
        if ((serving == null || !now.isBefore(serving.renewAt())) && !renew())
        {
            final long backoff = config.retryInitial().toMillis() << Math.min(20, consecutiveFailures - 1);
            return Math.min(backoff, config.retryMax().toMillis());
        }
        updateAlarm(clock.instant());
        return Math.max(0, Duration.between(clock.instant(), serving.renewAt()).toMillis());
    }

    /**
     * One renewal attempt: new key, CSR, signature, checks, persist, swap.
     *
     * @return whether a new certificate is now served.
     */
    synchronized boolean renew()
    {
        try
        {
            final KeyPair keyPair = CertificateRequests.newKeyPair();
            final String csrPem = "-----BEGIN CERTIFICATE REQUEST-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(CertificateRequests.csr(keyPair))
                + "\n-----END CERTIFICATE REQUEST-----\n";
            final Serving current = serving;
            final SignedIdentity signed = signer.sign(new SigningRequest(config.nodeId(), config.site(), csrPem,
                current == null || !clock.instant().isBefore(current.notAfter()) ? Optional.empty()
                    : Optional.of(current.material())));
            final TlsMaterial material;
            try
            {
                material = new TlsMaterial(signed.chain(), keyPair.getPrivate(), signed.bundle());
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IdentityClientException(Category.REFUSED, "the CA's answer is unusable: " + ex.getMessage(),
                    ex);
            }
            final Optional<String> problem = problem(material, clock.instant());
            if (problem.isPresent())
            {
                throw new IdentityClientException(Category.REFUSED, "the CA's answer is unusable: " + problem.get());
            }
            store.write(material);
            if (!signed.configVerificationKeys().isEmpty())
            {
                // Beside the bundle: the keys the node agent verifies its configurations with (issue 11).
                CaKeyStore.writeOwnerOnly(config.directory().resolve(ConfigSigningKeys.VERIFICATION_FILE),
                    SignedConfig.toPem(signed.configVerificationKeys()).getBytes(StandardCharsets.US_ASCII));
            }
            final boolean first = serving == null;
            install(material, clock.instant());
            startProblem = null;
            renewals.incrementAndGet();
            consecutiveFailures = 0;
            lastError = null;
            LOG.info("node identity {}: {} serial {} valid until {}, renewal due at {}", spiffeId,
                first ? "obtained" : "renewed", material.leaf().getSerialNumber().toString(16),
                serving.notAfter(), serving.renewAt());
            updateAlarm(clock.instant());
            return true;
        }
        catch (final IdentityClientException | CertificateAuthorityException ex)
        {
            renewalFailures.incrementAndGet();
            consecutiveFailures++;
            lastError = ex.getMessage();
            final Serving current = serving;
            if (current == null)
            {
                LOG.warn("node identity {}: the CA did not issue a certificate: {}", spiffeId, ex.getMessage());
            }
            else
            {
                LOG.warn("node identity {}: renewal failed ({} in a row); still serving serial {} valid until {}: {}",
                    spiffeId, consecutiveFailures, current.material.leaf().getSerialNumber().toString(16),
                    current.notAfter(), ex.getMessage());
                updateAlarm(clock.instant());
            }
            return false;
        }
    }

    private void loadOrObtain()
    {
        String problem;
        try
        {
            final Optional<IdentityStore.Persisted> persisted = store.read();
            if (persisted.isEmpty())
            {
                problem = "no persisted identity in " + config.directory();
            }
            else
            {
                final Optional<String> invalid = problem(persisted.get().material(), clock.instant());
                if (invalid.isEmpty())
                {
                    install(persisted.get().material(), persisted.get().receivedAt());
                    LOG.info("node identity {}: serving the persisted serial {} valid until {}, renewal due at {}",
                        spiffeId, persisted.get().material().leaf().getSerialNumber().toString(16),
                        serving.notAfter(), serving.renewAt());
                    return;
                }
                problem = store.identityFile() + ": " + invalid.get();
            }
        }
        catch (final IdentityClientException ex)
        {
            problem = ex.getMessage();
        }
        LOG.warn("node identity {}: {}; asking the CA", spiffeId, problem);
        startProblem = problem;
        source = TlsMaterialSource.withoutMaterial();
        if (!renew())
        {
            LOG.error("node identity {}: no valid certificate to serve ({}) and the CA did not issue one ({}):"
                + " starting without an identity; mesh listeners refuse connections until the CA issues one"
                + " (retrying)", spiffeId, problem, lastError);
        }
    }

    private void install(final TlsMaterial material, final Instant receivedAt)
    {
        final Instant notBefore = material.leaf().getNotBefore().toInstant();
        final Instant notAfter = material.leaf().getNotAfter().toInstant();
        Instant start = receivedAt.isBefore(notBefore) ? notBefore : receivedAt;
        start = start.isAfter(notAfter) ? notAfter : start;
        serving = new Serving(material, start);
        if (source == null)
        {
            source = new TlsMaterialSource(material);
        }
        else
        {
            source.swap(material);
        }
    }

    private Optional<String> problem(final TlsMaterial material, final Instant at)
    {
        final X509SvidValidator.Result result = new X509SvidValidator(material.trustBundle())
            .validate(material.chain(), at, X509SvidValidator.Expectation.spiffeId(spiffeId));
        if (!result.isValid())
        {
            return Optional.of(result.reason().name().toLowerCase(Locale.ROOT) + ": " + result.message());
        }
        if (!KeyMatch.matches(material.privateKey(), material.leaf()))
        {
            return Optional.of("the private key does not match the certificate's public key");
        }
        return Optional.empty();
    }

    private AlarmLevel alarm(final Serving current, final Instant now)
    {
        if (consecutiveFailures == 0)
        {
            return AlarmLevel.NONE;
        }
        final double used = current.lifetimeUsed(now);
        return used >= CRIT_FRACTION ? AlarmLevel.CRIT80 : used >= WARN_FRACTION ? AlarmLevel.WARN50 : AlarmLevel.NONE;
    }

    private void updateAlarm(final Instant now)
    {
        final Serving current = serving;
        if (current == null)
        {
            return;
        }
        final AlarmLevel level = alarm(current, now);
        if (level == reportedAlarm)
        {
            return;
        }
        final String serial = current.material.leaf().getSerialNumber().toString(16);
        final int percent = (int)Math.round(current.lifetimeUsed(now) * 100);
        switch (level)
        {
            case WARN50:
                warnAlarms.incrementAndGet();
                LOG.warn("ALARM WARN50 node identity {}: renewal failing, serial {} is {}% through its lifetime"
                    + " (expires {}): {}", spiffeId, serial, percent, current.notAfter(), lastError);
                break;
            case CRIT80:
                critAlarms.incrementAndGet();
                LOG.error("ALARM CRIT80 node identity {}: renewal failing, serial {} is {}% through its lifetime"
                    + " (expires {}): {}", spiffeId, serial, percent, current.notAfter(), lastError);
                break;
            default:
                LOG.info("ALARM cleared node identity {}: serving serial {} until {}", spiffeId, serial,
                    current.notAfter());
                break;
        }
        reportedAlarm = level;
    }
}
