package io.mecmesh.slicemanager.identity;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static io.mecmesh.slicemanager.identity.IdentityTestSupport.TOKEN;
import static io.mecmesh.slicemanager.identity.IdentityTestSupport.TRUST_DOMAIN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JDK's own HTTP client (default settings: HTTP/2 preferred, so an {@code Upgrade: h2c} offer on each new
 * connection, and its own keep-alive pool) sending asynchronously at a fixed rate through an mTLS hop
 * (client → node A's plain listener → mTLS → node B → backend) while both nodes' certificates rotate every few
 * seconds. An earlier session saw bursts of such requests time out through a hop; this checks that every request
 * is answered within the client's timeout ({@value #REQUEST_TIMEOUT_S} s), with the backend's answer. (How long they
 * take is measured by the perf harness, not here.)
 */
class JdkHttpClientThroughMtlsHopTest
{
    private static final Duration TTL = Duration.ofSeconds(10);
    private static final int REQUESTS = 1_500;
    private static final long PERIOD_NS = 10_000_000L;
    private static final int REQUEST_TIMEOUT_S = 5;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(REQUEST_TIMEOUT_S);

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
    void shouldAnswerEveryAsyncRequestOfTheJdkClientWhileCertificatesRotate() throws Exception
    {
        final URI caUri = IdentityTestSupport.controlPlaneCa(TTL, resources);
        final NodeIdentityClient identityA = client(caUri, "site-a", "edge-a");
        final NodeIdentityClient identityB = client(caUri, "site-b", "edge-b");
        final IdentityTestSupport.MtlsHop hop = IdentityTestSupport.mtlsHop(identityA, identityB, resources);
        final long renewalsBeforeA = identityA.status().renewals();
        final long renewalsBeforeB = identityB.status().renewals();

        final HttpClient http = HttpClient.newHttpClient();
        final URI uri = URI.create("http://127.0.0.1:" + hop.outbound().getPort() + "/hop");
        final List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        final AtomicInteger answered = new AtomicInteger();
        final long start = System.nanoTime();
        for (int i = 0; i < REQUESTS; i++)
        {
            final long due = start + i * PERIOD_NS;
            while (System.nanoTime() - due < 0)
            {
                LockSupport.parkNanos(200_000);
            }
            sent.add(http.sendAsync(HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) ->
                {
                    if (failure == null && response.statusCode() == 200
                        && "ok".equals(response.headers().firstValue("x-backend").orElse("")))
                    {
                        answered.incrementAndGet();
                    }
                }));
        }
        final List<String> failures = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++)
        {
            try
            {
                final HttpResponse<String> response = sent.get(i).join();
                if (response.statusCode() != 200)
                {
                    failures.add("request " + i + ": status " + response.statusCode());
                }
            }
            catch (final RuntimeException e)
            {
                failures.add("request " + i + ": " + e.getCause());
            }
        }

        assertThat(failures).as("failed requests").isEmpty();
        assertThat(answered.get()).as("requests answered by the backend").isEqualTo(REQUESTS);
        assertThat(identityA.status().renewals() - renewalsBeforeA).as("A's rotations during the run")
            .isGreaterThanOrEqualTo(2);
        assertThat(identityB.status().renewals() - renewalsBeforeB).as("B's rotations during the run")
            .isGreaterThanOrEqualTo(2);
    }

    private NodeIdentityClient client(final URI caUri, final String site, final String node)
    {
        final NodeIdentityClient client = NodeIdentityClient.start(new NodeIdentityConfig(TRUST_DOMAIN, site, node,
            dir.resolve(node), Duration.ofMillis(250), Duration.ofSeconds(1)),
            new HttpCertificateSigner(caUri, TOKEN, Duration.ofSeconds(2)), InstantSource.system());
        resources.add(client);
        return client;
    }
}
