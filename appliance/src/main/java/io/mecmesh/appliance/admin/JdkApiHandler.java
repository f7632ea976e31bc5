package io.mecmesh.appliance.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.mecmesh.slicemanager.http.ApiExchange;
import io.mecmesh.slicemanager.http.ApiHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Runs an {@link ApiHandler} on the loopback admin server (the JDK's {@code HttpServer}): the site CA's workload
 * endpoint, which the edge serves beside its admin pages. The body is read up to the handler's limit + 1 bytes
 * before the handler runs; the exchange is closed by the admin server's guard.
 */
public final class JdkApiHandler implements HttpHandler
{
    private final ApiHandler handler;

    private JdkApiHandler(final ApiHandler handler)
    {
        this.handler = handler;
    }

    /**
     * @param handler an API handler.
     * @return it, as a JDK server handler (plain HTTP: no client certificate).
     */
    public static HttpHandler of(final ApiHandler handler)
    {
        return new JdkApiHandler(requireNonNull(handler, "handler"));
    }

    @Override
    public void handle(final HttpExchange exchange) throws IOException
    {
        final byte[] body;
        try (InputStream in = exchange.getRequestBody())
        {
            body = in.readNBytes(handler.maxBodyBytes() + 1);
        }
        try
        {
            handler.handle(new Exchange(exchange, body));
        }
        catch (final UncheckedIOException ex)
        {
            throw ex.getCause();
        }
    }

    private record Exchange(HttpExchange exchange, byte[] body) implements ApiExchange
    {
        @Override
        public String method()
        {
            return exchange.getRequestMethod();
        }

        @Override
        public String rawPath()
        {
            return exchange.getRequestURI().getRawPath();
        }

        @Override
        public String rawQuery()
        {
            return exchange.getRequestURI().getRawQuery();
        }

        @Override
        public String header(final String name)
        {
            return exchange.getRequestHeaders().getFirst(name);
        }

        @Override
        public List<X509Certificate> peerChain()
        {
            return List.of();
        }

        @Override
        public String remoteAddress()
        {
            return String.valueOf(exchange.getRemoteAddress());
        }

        @Override
        public Object attribute(final String name)
        {
            return exchange.getAttribute(name);
        }

        @Override
        public void attribute(final String name, final Object value)
        {
            exchange.setAttribute(name, value);
        }

        @Override
        public void respond(final int status, final String contentType, final byte[] content,
            final Map<String, String> headers)
        {
            try
            {
                exchange.getResponseHeaders().set("Content-Type", contentType);
                headers.forEach(exchange.getResponseHeaders()::set);
                exchange.sendResponseHeaders(status, content.length);
                try (OutputStream out = exchange.getResponseBody())
                {
                    out.write(content);
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }
}
