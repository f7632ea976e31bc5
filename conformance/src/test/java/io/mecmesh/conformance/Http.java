package io.mecmesh.conformance;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Plain-text HTTP/1.1 to 127.0.0.1 (admin endpoints, outbound listeners, HAProxy frontends), never through a proxy.
 */
final class Http
{
    private static final HttpClient CLIENT = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .proxy(HttpClient.Builder.NO_PROXY)
        .connectTimeout(Duration.ofSeconds(5))
        .build();

    private Http()
    {
    }

    /**
     * @param port    a port on 127.0.0.1.
     * @param path    the request target.
     * @param headers header names and values, alternating.
     * @return the response.
     */
    static HttpResponse<String> get(final int port, final String path, final String... headers)
        throws IOException, InterruptedException
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(15));
        for (int i = 0; i < headers.length; i += 2)
        {
            request.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
