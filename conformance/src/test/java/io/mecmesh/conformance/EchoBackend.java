package io.mecmesh.conformance;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The workload behind the mesh: a tiny HTTP server on 127.0.0.1 that answers {@code 200 "backend METHOD PATH"} and
 * records every request with its headers, so that a test can see what the appliance forwarded.
 */
final class EchoBackend implements AutoCloseable
{
    /**
     * One request as the backend received it.
     *
     * @param method  the method.
     * @param path    the path.
     * @param headers the headers, names in lower case, first value of each.
     */
    record Request(String method, String path, Map<String, String> headers)
    {
        Optional<String> header(final String name)
        {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private final String name;

    EchoBackend() throws IOException
    {
        this("backend");
    }

    /**
     * @param name the first word of every response body.
     */
    EchoBackend(final String name) throws IOException
    {
        this.name = name;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    int port()
    {
        return server.getAddress().getPort();
    }

    List<Request> requests()
    {
        return List.copyOf(requests);
    }

    /**
     * @param path the exact path.
     * @return the requests received for it, oldest first.
     */
    List<Request> requestsFor(final String path)
    {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    private void handle(final HttpExchange exchange) throws IOException
    {
        try (InputStream body = exchange.getRequestBody())
        {
            body.readAllBytes();
        }
        final Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) ->
            headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
        final String method = exchange.getRequestMethod();
        final String path = exchange.getRequestURI().getRawPath();
        requests.add(new Request(method, path, headers));
        final byte[] response = (name + " " + method + " " + path).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", "text/plain");
        exchange.sendResponseHeaders(200, response.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(response);
        }
    }

    @Override
    public void close()
    {
        server.stop(0);
    }
}
