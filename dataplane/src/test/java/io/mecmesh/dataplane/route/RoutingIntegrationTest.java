package io.mecmesh.dataplane.route;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.testing.RawHttp;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Route matching and actions end to end: real client sockets, the data plane, real backends.
 */
class RoutingIntegrationTest
{
    private TestBackend v1;
    private TestBackend v2;
    private DataPlane dataPlane;

    @BeforeEach
    void start()
    {
        v1 = new TestBackend("v1");
        v2 = new TestBackend("v2");
        final RouteAction.Forward toV1 = RouteAction.Forward.to("v1");
        dataPlane = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
            List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
            List.of(
                route("exact", new RouteMatch("app.local", PathMatch.exact("/exact"), List.of(), List.of()),
                    RouteAction.Forward.to("v2")),
                route("regex", new RouteMatch("app.local", PathMatch.regex("/users/[0-9]+"), List.of(), List.of()),
                    RouteAction.Forward.to("v2")),
                route("post-only", new RouteMatch("app.local", PathMatch.prefix("/write"), List.of("POST", "PUT"),
                    List.of()), RouteAction.Forward.to("v2")),
                route("canary", new RouteMatch("app.local", PathMatch.prefix("/"), List.of(),
                    List.of(new HeaderMatch("X-Canary", HeaderMatch.Kind.EXACT, "1"))), RouteAction.Forward.to("v2")),
                route("health", new RouteMatch("app.local", PathMatch.exact("/healthz"), List.of(), List.of()),
                    new RouteAction.Respond(200, "ok\n")),
                route("old", new RouteMatch("app.local", PathMatch.prefix("/old"), List.of(), List.of()),
                    new RouteAction.Redirect(308, "https", "", "/new")),
                new RouteConfig("rewrite", new RouteMatch("app.local", PathMatch.prefix("/rewrite"), List.of(),
                    List.of()), toV1,
                    new HeaderRewrite(Map.of("x-added", "yes"), List.of("x-secret")),
                    new HeaderRewrite(Map.of("x-served-by", "mecmesh"), List.of())),
                route("split", new RouteMatch("split.local", PathMatch.prefix("/"), List.of(), List.of()),
                    new RouteAction.Forward(List.of(new WeightedCluster("v1", 80), new WeightedCluster("v2", 20)),
                        15_000, 0, RetryPolicy.DEFAULT)),
                route("wildcard", new RouteMatch("*.edge.local", PathMatch.prefix("/"), List.of(), List.of()),
                    RouteAction.Forward.to("v2")),
                route("default", RouteMatch.prefix("app.local", "/"), toV1)),
            List.of(
                ClusterConfig.of("v1", List.of(new Endpoint("127.0.0.1", v1.port()))),
                ClusterConfig.of("v2", List.of(new Endpoint("127.0.0.1", v2.port()))))), new DataPlaneCounters());
    }

    @AfterEach
    void stop()
    {
        dataPlane.close();
        v1.close();
        v2.close();
    }

    private static RouteConfig route(final String name, final RouteMatch match, final RouteAction action)
    {
        return new RouteConfig(name, match, action, HeaderRewrite.NONE, HeaderRewrite.NONE);
    }

    private RawHttp.Response get(final String request) throws IOException
    {
        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            return raw.send(request).read();
        }
    }

    private String bodyOf(final String method, final String host, final String path, final String extraHeaders)
        throws IOException
    {
        return get(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + extraHeaders
            + "Content-Length: 0\r\n\r\n").body();
    }

    @Test
    void shouldMatchAnExactPathOnlyExactly() throws IOException
    {
        assertThat(bodyOf("GET", "app.local", "/exact", "")).startsWith("v2");
        assertThat(bodyOf("GET", "app.local", "/exact?x=1", "")).as("the query is not part of the path")
            .startsWith("v2");
        assertThat(bodyOf("GET", "app.local", "/exactly", "")).startsWith("v1");
    }

    @Test
    void shouldMatchAPathRegexAgainstTheWholePath() throws IOException
    {
        assertThat(bodyOf("GET", "app.local", "/users/42", "")).startsWith("v2");
        assertThat(bodyOf("GET", "app.local", "/users/42/x", "")).startsWith("v1");
        assertThat(bodyOf("GET", "app.local", "/users/abc", "")).startsWith("v1");
    }

    @Test
    void shouldMatchMethods() throws IOException
    {
        assertThat(bodyOf("POST", "app.local", "/write", "")).startsWith("v2");
        assertThat(bodyOf("GET", "app.local", "/write", "")).startsWith("v1");
    }

    @Test
    void shouldMatchAHeaderValue() throws IOException
    {
        assertThat(bodyOf("GET", "app.local", "/page", "x-canary: 1\r\n")).startsWith("v2");
        assertThat(bodyOf("GET", "app.local", "/page", "x-canary: 0\r\n")).startsWith("v1");
        assertThat(bodyOf("GET", "app.local", "/page", "")).startsWith("v1");
    }

    @Test
    void shouldMatchSubdomainsOfAWildcardHost() throws IOException
    {
        assertThat(bodyOf("GET", "cell-7.edge.local", "/", "")).startsWith("v2");
        assertThat(get("GET / HTTP/1.1\r\nHost: edge.local\r\n\r\n").status()).isEqualTo(404);
    }

    @Test
    void shouldAnswerADirectResponseWithoutAnUpstream() throws IOException
    {
        final RawHttp.Response response = get("GET /healthz HTTP/1.1\r\nHost: app.local\r\n\r\n");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("ok\n");
        assertThat(v1.requestLines()).isEmpty();
        assertThat(v2.requestLines()).isEmpty();
    }

    @Test
    void shouldRedirectKeepingTheQuery() throws IOException
    {
        final RawHttp.Response response = get("GET /old/page?q=1 HTTP/1.1\r\nHost: app.local\r\n\r\n");

        assertThat(response.status()).isEqualTo(308);
        assertThat(response.headers()).containsEntry("location", "https://app.local/new?q=1");
    }

    @Test
    void shouldRewriteRequestAndResponseHeaders() throws IOException
    {
        final RawHttp.Response response =
            get("GET /rewrite HTTP/1.1\r\nHost: app.local\r\nX-Secret: s\r\nX-Kept: k\r\n\r\n");

        assertThat(response.headers()).containsEntry("x-served-by", "mecmesh");
        final io.netty.handler.codec.http.HttpHeaders forwarded = v1.requests().get(0).headers();
        assertThat(forwarded.get("x-added")).isEqualTo("yes");
        assertThat(forwarded.contains("x-secret")).isFalse();
        assertThat(forwarded.get("x-kept")).isEqualTo("k");
    }

    @Test
    void shouldSplitTrafficByWeight() throws IOException
    {
        int toV2 = 0;
        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            for (int i = 0; i < 1000; i++)
            {
                if (raw.send("GET /s HTTP/1.1\r\nHost: split.local\r\n\r\n").read().body().startsWith("v2"))
                {
                    toV2++;
                }
            }
        }

        assertThat(toV2).as("20% of 1000 ± 5 standard deviations").isBetween(137, 263);
    }
}
