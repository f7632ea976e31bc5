package io.mecmesh.slicemanager.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.dataplane.tls.JdkSslContexts;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.util.Objects.requireNonNull;

/**
 * An HTTP/1.1 API server on Vert.x Web, the stack of the MEC APIs (see {@code mec-api-adapter/DESIGN.md}): the
 * control plane's API and CA endpoints run on it. Optionally TLS 1.3 with the given key and trust managers, a client
 * certificate asked for but not required (a node's first enrolment has none; a certificate the trust manager refuses
 * fails the handshake).
 *
 * <p>A request goes to the handler of the longest path prefix it starts with (as the JDK server's contexts did); a
 * path under no prefix is a 404 problem. Threads: one Vert.x event loop parses requests and collects bodies (at most
 * the handler's {@link ApiHandler#maxBodyBytes()} + 1 bytes); the {@link ApiGate} and the handler run on a worker
 * pool of {@link Settings#workers()} threads named {@code NAME-worker-N}. A request the gate denies or whose body is
 * over the limit is answered without its body being read (what follows the answer is dropped, up to 64 KiB, then
 * the connection is closed).
 */
public final class ApiHttpServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ApiHttpServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    /** The most of an unread body dropped after the answer before the connection is closed (the JDK server's). */
    private static final long DRAIN_BYTES = 64 * 1024;

    private final Vertx vertx;
    private final HttpServer server;
    private final InetSocketAddress address;
    private final boolean tls;

    /**
     * Where and how a server listens.
     *
     * @param name    the server's name, for its worker threads and logs (e.g. {@code mecmesh-control-api}).
     * @param address the address to bind.
     * @param port    the TCP port, 0 for one the kernel chooses.
     * @param workers the worker threads that run the gate and the handlers (at least 1).
     * @param tls     the server's TLS, empty for plain HTTP.
     */
    public record Settings(String name, String address, int port, int workers, Optional<Tls> tls)
    {
        public Settings
        {
            requireNonNull(name, "name");
            requireNonNull(address, "address");
            requireNonNull(tls, "tls");
            if (port < 0 || port > 65_535)
            {
                throw new IllegalArgumentException("port: expected 0 to 65535, got " + port);
            }
            if (workers < 1)
            {
                throw new IllegalArgumentException("workers: expected at least 1, got " + workers);
            }
        }

        /**
         * Plain HTTP with two workers, for a loopback API or a test.
         *
         * @param name    the server's name.
         * @param address the address to bind.
         * @param port    the TCP port, 0 for any.
         * @return the settings.
         */
        public static Settings plain(final String name, final String address, final int port)
        {
            return new Settings(name, address, port, 2, Optional.empty());
        }
    }

    /**
     * The server's TLS 1.3: its certificate (read at each handshake) and the validation of clients' certificates.
     *
     * @param keys  the server's key manager ({@link JdkSslContexts#keyManager}).
     * @param trust the clients' trust manager ({@link JdkSslContexts#trustManager}).
     */
    public record Tls(X509ExtendedKeyManager keys, X509ExtendedTrustManager trust)
    {
        public Tls
        {
            requireNonNull(keys, "keys");
            requireNonNull(trust, "trust");
        }
    }

    private ApiHttpServer(final Vertx vertx, final HttpServer server, final InetSocketAddress address,
        final boolean tls)
    {
        this.vertx = vertx;
        this.server = server;
        this.address = address;
        this.tls = tls;
    }

    /**
     * Binds and starts a server.
     *
     * @param settings where and how it listens.
     * @param gate     the check before every handler.
     * @param handlers the handler of each path prefix (the longest matching prefix wins).
     * @return the running server.
     * @throws IllegalStateException when it cannot bind or does not start in time.
     */
    public static ApiHttpServer start(final Settings settings, final ApiGate gate,
        final Map<String, ? extends ApiHandler> handlers)
    {
        requireNonNull(settings, "settings");
        requireNonNull(gate, "gate");
        requireNonNull(handlers, "handlers");
        final List<Map.Entry<String, ? extends ApiHandler>> mounts = new ArrayList<>(handlers.entrySet());
        mounts.sort(Comparator.comparingInt((Map.Entry<String, ? extends ApiHandler> mount) -> mount.getKey().length())
            .reversed());
        final Vertx vertx = Vertx.vertx(new VertxOptions()
            .setEventLoopPoolSize(1)
            .setWorkerPoolSize(1)
            .setInternalBlockingPoolSize(1)
            .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false)
                .setClassPathResolvingEnabled(false)));
        try
        {
            final WorkerExecutor workers = vertx.createSharedWorkerExecutor(settings.name() + "-worker",
                settings.workers());
            final HttpServerOptions options = new HttpServerOptions()
                .setHost(settings.address())
                .setPort(settings.port())
                .setHandle100ContinueAutomatically(true)
                // HTTP/1.1 only, as the JDK server: no h2c upgrade (an HTTP/2 request has no Host header to check).
                .setHttp2ClearTextEnabled(false)
                .setMaxFormAttributeSize(0);
            settings.tls().ifPresent(tls -> options
                .setSsl(true)
                .setEnabledSecureTransportProtocols(Set.of(JdkSslContexts.PROTOCOL))
                .setKeyCertOptions(KeyCertOptions.wrap(tls.keys()))
                .setTrustOptions(TrustOptions.wrap(tls.trust()))
                .setClientAuth(ClientAuth.REQUEST));
            final Router router = Router.router(vertx);
            router.route().handler(context ->
            {
                final String path = context.request().path();
                for (final Map.Entry<String, ? extends ApiHandler> mount : mounts)
                {
                    if (path != null && path.startsWith(mount.getKey()))
                    {
                        dispatch(context, workers, gate, mount.getValue());
                        return;
                    }
                }
                context.next();
            });
            router.errorHandler(404, context -> problem(context, 404, "no such resource: "
                + context.request().path()));
            router.errorHandler(500, context ->
            {
                LOG.warn("{}: {} {} failed", settings.name(), context.request().method(), context.request().path(),
                    context.failure());
                problem(context, 500, "internal error");
            });
            final HttpServer server = vertx.createHttpServer(options).requestHandler(router).listen()
                .await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            final InetSocketAddress bound = new InetSocketAddress(settings.address(), server.actualPort());
            LOG.info("{} on {}://{}:{}{}", settings.name(), settings.tls().isPresent() ? "https" : "http",
                settings.address(), server.actualPort(), handlers.keySet());
            return new ApiHttpServer(vertx, server, bound, settings.tls().isPresent());
        }
        catch (final TimeoutException ex)
        {
            vertx.close();
            throw new IllegalStateException(settings.name() + ": the server did not start within " + START_TIMEOUT,
                ex);
        }
        catch (final Exception ex)
        {
            // Vert.x's await rethrows the bind's checked BindException as it is.
            vertx.close();
            throw new IllegalStateException(settings.name() + " cannot listen on " + settings.address() + ":"
                + settings.port() + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Pauses the request, asks the gate on a worker, then (if admitted) reads the body on the event loop and runs
     * the handler on a worker.
     */
    private static void dispatch(final RoutingContext context, final WorkerExecutor workers, final ApiGate gate,
        final ApiHandler handler)
    {
        final HttpServerRequest request = context.request();
        request.pause();
        final VertxExchange exchange = new VertxExchange(request, peerChain(request));
        workers.executeBlocking(() -> gate.admit(exchange), false).onComplete(admitted ->
        {
            if (admitted.failed())
            {
                context.fail(admitted.cause());
                return;
            }
            if (!admitted.result())
            {
                return;
            }
            readBody(request, handler.maxBodyBytes() + 1, body ->
            {
                exchange.body = body;
                workers.executeBlocking(() ->
                {
                    handler.handle(exchange);
                    return null;
                }, false).onFailure(context::fail);
            });
        });
    }

    /** Collects the body on the event loop up to {@code limit} bytes, then calls {@code then} once. */
    private static void readBody(final HttpServerRequest request, final int limit,
        final java.util.function.Consumer<byte[]> then)
    {
        if (request.isEnded())
        {
            then.accept(new byte[0]);
            return;
        }
        final Buffer body = Buffer.buffer();
        final boolean[] done = new boolean[1];
        request.handler(chunk ->
        {
            if (done[0])
            {
                return;
            }
            final int room = limit - body.length();
            if (chunk.length() >= room)
            {
                body.appendBuffer(chunk, 0, room);
                done[0] = true;
                request.pause();
                then.accept(body.getBytes());
            }
            else
            {
                body.appendBuffer(chunk);
            }
        });
        request.endHandler(end ->
        {
            if (!done[0])
            {
                done[0] = true;
                then.accept(body.getBytes());
            }
        });
        request.resume();
    }

    /**
     * After an answer to a request whose body was not read to its end (a denial, a body over the limit): reads and
     * drops up to {@link #DRAIN_BYTES} more (so that a client still sending gets the answer, not a reset, as the JDK
     * server did), then closes the connection if the body goes on. Runs on the event loop.
     */
    private static void discardRest(final HttpServerRequest request)
    {
        final long[] drained = new long[1];
        request.handler(chunk ->
        {
            drained[0] += chunk.length();
            if (drained[0] > DRAIN_BYTES)
            {
                request.handler(null);
                request.connection().close();
            }
        });
        request.resume();
    }

    private static List<X509Certificate> peerChain(final HttpServerRequest request)
    {
        if (!request.isSSL())
        {
            return List.of();
        }
        try
        {
            final List<X509Certificate> chain = new ArrayList<>();
            for (final Certificate certificate : request.connection().peerCertificates())
            {
                if (certificate instanceof X509Certificate x509)
                {
                    chain.add(x509);
                }
            }
            return chain;
        }
        catch (final SSLPeerUnverifiedException ex)
        {
            return List.of();
        }
    }

    private static void problem(final RoutingContext context, final int status, final String detail)
    {
        final ObjectNode body = JSON.createObjectNode();
        body.put("type", "about:blank");
        body.put("title", status == 404 ? "Not Found" : "Internal Server Error");
        body.put("status", status);
        body.put("detail", detail);
        if (!context.response().headWritten())
        {
            context.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json")
                .end(body.toString());
        }
    }

    /**
     * @return the bound address.
     */
    public InetSocketAddress address()
    {
        return address;
    }

    /**
     * @return {@code https} or {@code http}.
     */
    public String scheme()
    {
        return tls ? "https" : "http";
    }

    @Override
    public void close()
    {
        try
        {
            vertx.close().await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException ex)
        {
            LOG.warn("HTTP API server on {}: Vert.x did not stop within {}", address, START_TIMEOUT);
        }
    }

    /** A Vert.x request as an {@link ApiExchange}: read on a worker, answered from it (Vert.x hands the write to the
     * event loop). */
    private static final class VertxExchange implements ApiExchange
    {
        private final HttpServerRequest request;
        private final List<X509Certificate> peerChain;
        private final Map<String, Object> attributes = new ConcurrentHashMap<>();
        private volatile byte[] body = new byte[0];

        VertxExchange(final HttpServerRequest request, final List<X509Certificate> peerChain)
        {
            this.request = request;
            this.peerChain = peerChain;
        }

        @Override
        public String method()
        {
            return request.method().name();
        }

        @Override
        public String rawPath()
        {
            return request.path();
        }

        @Override
        public String rawQuery()
        {
            return request.query();
        }

        @Override
        public String header(final String name)
        {
            return request.getHeader(name);
        }

        @Override
        public List<X509Certificate> peerChain()
        {
            return peerChain;
        }

        @Override
        public String remoteAddress()
        {
            return String.valueOf(request.remoteAddress());
        }

        @Override
        public byte[] body()
        {
            return body;
        }

        @Override
        public Object attribute(final String name)
        {
            return attributes.get(name);
        }

        @Override
        public void attribute(final String name, final Object value)
        {
            attributes.put(name, value);
        }

        @Override
        public void respond(final int status, final String contentType, final byte[] content,
            final Map<String, String> headers)
        {
            final HttpServerResponse response = request.response();
            response.setStatusCode(status).putHeader("Content-Type", contentType);
            headers.forEach(response::putHeader);
            response.end(Buffer.buffer(content)).onComplete(sent ->
            {
                if (!request.isEnded())
                {
                    discardRest(request);
                }
            });
        }
    }
}
