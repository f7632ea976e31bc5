package io.mecmesh.mecapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * POSTs MEC 011 notifications to applications' {@code callbackReference}s with the JDK's asynchronous HTTP client:
 * never on the API's event loop and never waiting for the callee. Each notification gets {@link #ATTEMPTS} tries of
 * at most {@link #TIMEOUT} each, {@link #BACKOFF} doubled between them; a 2xx answer is delivered, anything else (or
 * no answer) is tried again, and after the last try the notification is dropped and counted. At most
 * {@link #MAX_IN_FLIGHT} notifications are pending at once (more are dropped and counted): a dead callback cannot
 * make the control plane hold unbounded work.
 */
final class Notifier
{
    static final int ATTEMPTS = 3;
    static final Duration TIMEOUT = Duration.ofSeconds(2);
    static final Duration BACKOFF = Duration.ofMillis(250);
    static final int MAX_IN_FLIGHT = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER).build();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    /**
     * Sends a notification (returns at once).
     *
     * @param callback     the subscriber's {@code callbackReference}.
     * @param notification the body.
     * @return completes with whether it was delivered.
     */
    CompletableFuture<Boolean> send(final String callback, final ObjectNode notification)
    {
        requireNonNull(callback, "callback");
        requireNonNull(notification, "notification");
        if (inFlight.incrementAndGet() > MAX_IN_FLIGHT)
        {
            inFlight.decrementAndGet();
            dropped.incrementAndGet();
            return CompletableFuture.completedFuture(false);
        }
        final HttpRequest request;
        try
        {
            request = HttpRequest.newBuilder(URI.create(callback)).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(notification.toString())).build();
        }
        catch (final IllegalArgumentException ex)
        {
            inFlight.decrementAndGet();
            failed.incrementAndGet();
            return CompletableFuture.completedFuture(false);
        }
        final CompletableFuture<Boolean> outcome = new CompletableFuture<>();
        attempt(request, 1, outcome);
        return outcome.whenComplete((ok, error) -> inFlight.decrementAndGet());
    }

    private void attempt(final HttpRequest request, final int attempt, final CompletableFuture<Boolean> outcome)
    {
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) ->
        {
            if (error == null && response.statusCode() / 100 == 2)
            {
                delivered.incrementAndGet();
                outcome.complete(true);
            }
            else if (attempt < ATTEMPTS)
            {
                retried.incrementAndGet();
                final Executor later = CompletableFuture.delayedExecutor(BACKOFF.toMillis() << (attempt - 1),
                    TimeUnit.MILLISECONDS);
                later.execute(() -> attempt(request, attempt + 1, outcome));
            }
            else
            {
                failed.incrementAndGet();
                LOG.warn("MEC API: a notification to {} was not accepted after {} tries (last: {})", request.uri(),
                    ATTEMPTS, error == null ? "HTTP " + response.statusCode() : error.toString());
                outcome.complete(false);
            }
        });
    }

    /**
     * @param counter an outcome.
     * @return how many notifications (or tries, for {@link NotificationCounter#RETRIED}) had it, since start.
     */
    long count(final NotificationCounter counter)
    {
        return switch (requireNonNull(counter, "counter"))
        {
            case DELIVERED -> delivered.get();
            case RETRIED -> retried.get();
            case FAILED -> failed.get();
            case DROPPED -> dropped.get();
        };
    }

    /**
     * @return notifications a callback accepted (2xx), since start.
     */
    long delivered()
    {
        return delivered.get();
    }

    /**
     * @return tries that were repeated (no answer, or not 2xx), since start.
     */
    long retried()
    {
        return retried.get();
    }

    /**
     * @return notifications given up after the last try (or with a callback that is not a URI), since start.
     */
    long failed()
    {
        return failed.get();
    }

    /**
     * @return notifications not sent because {@link #MAX_IN_FLIGHT} were pending, since start.
     */
    long dropped()
    {
        return dropped.get();
    }
}
