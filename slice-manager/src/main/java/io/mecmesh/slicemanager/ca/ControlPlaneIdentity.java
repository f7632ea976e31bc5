package io.mecmesh.slicemanager.ca;

import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.tls.TlsMaterial;
import io.mecmesh.dataplane.tls.TlsMaterialSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The control plane's own X.509-SVID, {@code spiffe://<trust-domain>/control-plane} ({@link #spiffeId}), which its
 * API presents over TLS. Issued from the control plane's CA at start (key generated here, never written), reissued
 * at half its lifetime by one daemon thread ({@code mecmesh-control-identity}), and swapped into the
 * {@link TlsMaterialSource} the API's TLS context reads at each handshake. One id for every control-plane member:
 * clients check that they talk to <em>a</em> control plane of their trust domain.
 * <p>
 * The chain presented ends with the root CA certificate, so that a node enrolling with a token (which pins the root's
 * SHA-256, see {@link EnrolmentTokens}) can find and check the root before it has a trust bundle.
 */
public final class ControlPlaneIdentity implements AutoCloseable
{
    /** The path of the control plane's SPIFFE id. */
    public static final String PATH = "/control-plane";

    private static final Logger LOG = LoggerFactory.getLogger(ControlPlaneIdentity.class);
    private static final Duration RETRY = Duration.ofSeconds(30);

    private final CaDirectory directory;
    private final Duration ttl;
    private final InstantSource clock;
    private final TlsMaterialSource source;
    private final ScheduledExecutorService scheduler;

    private ControlPlaneIdentity(final CaDirectory directory, final Duration ttl, final InstantSource clock)
    {
        this.directory = directory;
        this.ttl = ttl;
        this.clock = clock;
        this.source = new TlsMaterialSource(issue());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "mecmesh-control-identity");
            thread.setDaemon(true);
            return thread;
        });
        schedule(source.current());
    }

    /**
     * Issues the control plane's SVID and keeps renewing it.
     *
     * @param directory the running CA directory.
     * @param ttl       the SVID's lifetime.
     * @param clock     the time source.
     * @return the running identity.
     * @throws CertificateAuthorityException if the CA cannot issue it.
     */
    public static ControlPlaneIdentity start(final CaDirectory directory, final Duration ttl,
        final InstantSource clock)
    {
        return new ControlPlaneIdentity(requireNonNull(directory, "directory"), requireNonNull(ttl, "ttl"),
            requireNonNull(clock, "clock"));
    }

    /**
     * @param trustDomain the trust domain.
     * @return the control plane's SPIFFE id in it.
     */
    public static SpiffeId spiffeId(final String trustDomain)
    {
        return new SpiffeId(trustDomain, PATH);
    }

    /**
     * @return the certificate, key and trust bundle the API's TLS context reads at each handshake.
     */
    public TlsMaterialSource source()
    {
        return source;
    }

    private TlsMaterial issue()
    {
        final CertificateAuthority ca = directory.authority();
        final KeyPair key = CertificateRequests.newKeyPair();
        final List<X509Certificate> chain = new ArrayList<>(ca.issue(ca.root(), CertificateRequests.csr(key),
            spiffeId(ca.trustDomain()), ttl));
        chain.add(ca.root().certificate());
        return new TlsMaterial(chain, key.getPrivate(), directory.trustBundle());
    }

    private void schedule(final TlsMaterial current)
    {
        final Instant notBefore = current.leaf().getNotBefore().toInstant();
        final Instant notAfter = current.leaf().getNotAfter().toInstant();
        final Instant due = notBefore.plus(Duration.between(notBefore, notAfter).dividedBy(2));
        final long delayMs = Math.max(0, Duration.between(clock.instant(), due).toMillis());
        scheduler.schedule(this::renew, delayMs, TimeUnit.MILLISECONDS);
    }

    private void renew()
    {
        try
        {
            final TlsMaterial renewed = issue();
            source.swap(renewed);
            LOG.info("control-plane SVID renewed until {}", renewed.leaf().getNotAfter().toInstant());
            schedule(renewed);
        }
        catch (final CertificateAuthorityException ex)
        {
            LOG.warn("control-plane SVID: renewal failed, retrying in {}: {}", RETRY, ex.getMessage());
            scheduler.schedule(this::renew, RETRY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close()
    {
        scheduler.shutdownNow();
    }
}
