package io.mecmesh.slicemanager.identity;

import io.mecmesh.dataplane.identity.SpiffeId;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The node identity at one moment, for the metrics export and the admin API.
 *
 * @param spiffeId           the node's SPIFFE id.
 * @param serial             the serving certificate's serial number (hex).
 * @param notAfter           its expiry.
 * @param lifetimeUsed       the fraction of its lifetime gone (0 at receipt, 1 at expiry; more once expired).
 * @param lastRenewalError   the last renewal failure, empty since the last success.
 * @param alarm              the alarm level.
 * @param renewals           certificates obtained since start.
 * @param renewalFailures    renewal attempts that failed since start.
 */
public record IdentityStatus(SpiffeId spiffeId, String serial, Instant notAfter, double lifetimeUsed,
    Optional<String> lastRenewalError, AlarmLevel alarm, long renewals, long renewalFailures)
{
    /**
     * How worried to be: raised while renewal fails and the certificate ages past half and 80% of its lifetime.
     */
    public enum AlarmLevel
    {
        /** Renewed on time. */
        NONE,
        /** Renewal is failing and more than half the lifetime is gone. */
        WARN50,
        /** Renewal is failing and more than 80% of the lifetime is gone (or the certificate expired). */
        CRIT80
    }

    public IdentityStatus
    {
        requireNonNull(spiffeId, "spiffeId");
        requireNonNull(serial, "serial");
        requireNonNull(notAfter, "notAfter");
        requireNonNull(lastRenewalError, "lastRenewalError");
        requireNonNull(alarm, "alarm");
    }
}
