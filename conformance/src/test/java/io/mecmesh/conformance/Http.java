package io.mecmesh.conformance;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

    /**
     * @param port a port on 127.0.0.1.
     * @param path the request target.
     * @param json    the body, sent as {@code application/json}.
     * @param headers more header names and values, alternating.
     * @return the response.
     */
    static HttpResponse<String> post(final int port, final String path, final String json, final String... headers)
        throws IOException, InterruptedException
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(15)).header("content-type", "application/json");
        for (int i = 0; i < headers.length; i += 2)
        {
            request.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(request.POST(HttpRequest.BodyPublishers.ofString(json)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A GET with a chosen Host header over a raw socket (java.net.http does not let a caller set Host), one request
     * per connection.
     *
     * @param port a port on 127.0.0.1.
     * @param host the Host header.
     * @param path the request target.
     * @return the status code and the body, as {@code "200 body"}; {@code "error: ..."} when the connection fails.
     */
    static String getVia(final int port, final String host, final String path)
    {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port))
        {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            final String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            final int headEnd = response.indexOf("\r\n\r\n");
            if (!response.startsWith("HTTP/1.1 ") || headEnd < 0)
            {
                return "error: not an HTTP response: " + response;
            }
            return response.substring(9, 12) + " " + response.substring(headEnd + 4);
        }
        catch (final IOException ex)
        {
            return "error: " + ex;
        }
    }
}
