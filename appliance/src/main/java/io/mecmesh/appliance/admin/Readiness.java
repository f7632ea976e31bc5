package io.mecmesh.appliance.admin;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * What {@code GET /ready} answers: ready (200) or not (503), and why, one reason a line. A ready appliance may be
 * degraded (still 200: it serves what it can, e.g. its plain listeners without a node identity); the body says so.
 *
 * @param ready    whether the appliance should take traffic.
 * @param notReady why not (empty when ready).
 * @param degraded what does not work while ready (empty when all does).
 */
public record Readiness(boolean ready, List<String> notReady, List<String> degraded)
{
    /** Ready, nothing degraded. */
    public static final Readiness READY = new Readiness(true, List.of(), List.of());

    public Readiness
    {
        notReady = List.copyOf(requireNonNull(notReady, "notReady"));
        degraded = List.copyOf(requireNonNull(degraded, "degraded"));
        if (ready != notReady.isEmpty())
        {
            throw new IllegalArgumentException("notReady: expected reasons exactly when not ready");
        }
    }

    /**
     * @param reasons why not ready (at least one), or none.
     * @param degraded what does not work.
     * @return ready when there is no reason against it.
     */
    public static Readiness of(final List<String> reasons, final List<String> degraded)
    {
        return new Readiness(reasons.isEmpty(), reasons, degraded);
    }

    /**
     * @return the body of {@code /ready}: {@code ready} or {@code not ready: REASON} lines, then
     *         {@code degraded: WHAT} lines.
     */
    String body()
    {
        final StringBuilder body = new StringBuilder(ready ? "ready\n" : "");
        notReady.forEach(reason -> body.append("not ready: ").append(reason).append('\n'));
        degraded.forEach(what -> body.append("degraded: ").append(what).append('\n'));
        return body.toString();
    }
}
