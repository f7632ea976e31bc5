package io.mecmesh.slicemanager.api;

import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.slicemanager.ca.ApiRole;

import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Who may call which operation of the control-plane API, decided before any handler runs. Independent of the HTTP
 * server: the server hands over the method, path, headers and the client's certificate chain, and sends the
 * {@link Decision}'s problem when it is a denial.
 * <ol>
 *   <li>Browsers: a request with an {@code Origin} that is not the API's own is refused (403, CSRF); on the plain
 *       loopback API a {@code Host} that is not a loopback name is refused too (403, DNS rebinding).</li>
 *   <li>Authentication: over TLS the client's certificate chain must validate as an X.509-SVID against the CA's
 *       current bundle. Its role: the longest {@code roles} prefix that matches its SPIFFE id (configuration), else
 *       the {@link ApiRole} extension of an {@code /operator/NAME} certificate, else {@link ApiRole#NODE} for a
 *       {@code /site/SITE/node/ID} SVID. No certificate: only {@code POST /v1/identity/sign} (a node's first
 *       SVID, with its enrolment token) gets through; else 401. On the plain loopback API (an explicit opt-in)
 *       every caller is admin and may call everything (signing still checks the node's token).</li>
 *   <li>Writes ({@code POST}, {@code PUT}, {@code PATCH}) must carry a JSON or YAML {@code Content-Type} (415).</li>
 *   <li>Authorization: viewer reads; operator also applies, puts and deletes objects; admin also compacts the
 *       journal and creates node tokens; node signs (its own SVID only: the identity handler checks the id) and
 *       reads {@code /v1/status}. Anything not listed needs admin. A role too low is 403.</li>
 * </ol>
 * Every denial is counted by {@link Denial}. Thread safe.
 */
public final class ApiAccess
{
    /** The request attribute under which the server hands the authenticated {@link Caller} to handlers. */
    public static final String CALLER_ATTRIBUTE = "io.mecmesh.api.caller";

    private static final Pattern NODE_PATH = Pattern.compile("/site/[^/]+/node/[^/]+");
    private static final Pattern OBJECT_PATH = Pattern.compile("/v1/(slices|services|nodes)/[^/]+/?");
    private static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]", "::1");
    private static final Set<String> WRITE_METHODS = Set.of("POST", "PUT", "PATCH");

    /** Why a request was refused. */
    public enum Denial
    {
        /** 401: TLS without a client certificate, on an operation that needs one. */
        NO_CERTIFICATE(401),
        /** 401: the client certificate is not a valid SVID of the trust bundle (e.g. expired since the handshake). */
        INVALID_CERTIFICATE(401),
        /** 403: a valid SVID that maps to no role. */
        NO_ROLE(403),
        /** 403: the caller's role does not allow the operation. */
        ROLE_TOO_LOW(403),
        /** 403: an {@code Origin} header that is not the API's own. */
        FOREIGN_ORIGIN(403),
        /** 403: a {@code Host} header that is not a loopback name on the plain loopback API. */
        FOREIGN_HOST(403),
        /** 415: a write without a JSON or YAML body type. */
        UNSUPPORTED_MEDIA_TYPE(415);

        private final int status;

        Denial(final int status)
        {
            this.status = status;
        }

        /**
         * @return the HTTP status.
         */
        public int status()
        {
            return status;
        }

        /**
         * @return the metric label, e.g. {@code no_certificate}.
         */
        public String label()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * An authenticated caller.
     *
     * @param name the SPIFFE id, or {@code insecure-loopback} on the plain loopback API.
     * @param id   the SPIFFE id, empty on the plain loopback API.
     * @param role what it may do.
     */
    public record Caller(String name, Optional<SpiffeId> id, ApiRole role)
    {
        public Caller
        {
            requireNonNull(name, "name");
            requireNonNull(id, "id");
            requireNonNull(role, "role");
        }
    }

    /**
     * One request, as the server sees it.
     *
     * @param method    the HTTP method.
     * @param path      the raw path.
     * @param header    a header's first value by name (case-insensitive), null when absent.
     * @param peerChain the client's certificate chain, leaf first; empty without one (or over plain HTTP).
     */
    public record Request(String method, String path, Function<String, String> header,
        List<X509Certificate> peerChain)
    {
        public Request
        {
            requireNonNull(method, "method");
            requireNonNull(path, "path");
            requireNonNull(header, "header");
            peerChain = List.copyOf(requireNonNull(peerChain, "peerChain"));
        }
    }

    /**
     * The outcome.
     *
     * @param denial empty when allowed.
     * @param caller the authenticated caller, empty for an anonymous enrolment or a denial.
     * @param detail what was wrong, for the problem's {@code detail}; empty when allowed.
     */
    public record Decision(Optional<Denial> denial, Optional<Caller> caller, String detail)
    {
        public Decision
        {
            requireNonNull(denial, "denial");
            requireNonNull(caller, "caller");
            requireNonNull(detail, "detail");
        }

        /**
         * @return whether the request may go to its handler.
         */
        public boolean allowed()
        {
            return denial.isEmpty();
        }

        static Decision allow(final Optional<Caller> caller)
        {
            return new Decision(Optional.empty(), caller, "");
        }

        static Decision deny(final Denial denial, final String detail)
        {
            return new Decision(Optional.of(denial), Optional.empty(), detail);
        }
    }

    private final boolean tls;
    private final Set<String> ownOrigins;
    private final Supplier<List<X509Certificate>> trustBundle;
    private final List<Map.Entry<SpiffeId, ApiRole>> roles;
    private final InstantSource clock;
    private final Map<Denial, LongAdder> denials = new EnumMap<>(Denial.class);
    private final LongAdder allowed = new LongAdder();

    /**
     * @param tls         whether the API is served over TLS (else it is the plain loopback opt-in).
     * @param ownOrigins  the API's own origins ({@code https://127.0.0.1:9902}, ...), lower case.
     * @param trustBundle the CA's current trust bundle (ignored without TLS).
     * @param roles       roles by SPIFFE id prefix (a prefix matches itself and the ids below it).
     * @param clock       the time certificates are checked at.
     */
    public ApiAccess(final boolean tls, final Set<String> ownOrigins, final Supplier<List<X509Certificate>> trustBundle,
        final Map<SpiffeId, ApiRole> roles, final InstantSource clock)
    {
        this.tls = tls;
        this.ownOrigins = Set.copyOf(requireNonNull(ownOrigins, "ownOrigins"));
        this.trustBundle = requireNonNull(trustBundle, "trustBundle");
        this.roles = requireNonNull(roles, "roles").entrySet().stream()
            .sorted(Comparator.comparingInt((Map.Entry<SpiffeId, ApiRole> e) -> e.getKey().toString().length())
                .reversed())
            .map(e -> Map.entry(e.getKey(), e.getValue()))
            .toList();
        this.clock = requireNonNull(clock, "clock");
        for (final Denial denial : Denial.values())
        {
            denials.put(denial, new LongAdder());
        }
    }

    /**
     * @param request the request.
     * @return whether it may proceed, and as whom.
     */
    public Decision decide(final Request request)
    {
        requireNonNull(request, "request");
        final Decision decision = evaluate(request);
        decision.denial().ifPresentOrElse(denial -> denials.get(denial).increment(), allowed::increment);
        return decision;
    }

    /**
     * @param denial a reason.
     * @return how many requests were refused for it.
     */
    public long denials(final Denial denial)
    {
        return denials.get(denial).sum();
    }

    /**
     * @return how many requests were let through to their handler.
     */
    public long allowed()
    {
        return allowed.sum();
    }

    private Decision evaluate(final Request request)
    {
        final String origin = request.header().apply("Origin");
        if (origin != null && !ownOrigins.contains(origin.trim().toLowerCase(Locale.ROOT)))
        {
            return Decision.deny(Denial.FOREIGN_ORIGIN, "Origin " + origin + " is not this API's; browsers may not"
                + " call the control-plane API from another site");
        }
        if (!tls)
        {
            final String host = request.header().apply("Host");
            if (host == null || !LOOPBACK_HOSTS.contains(hostName(host)))
            {
                return Decision.deny(Denial.FOREIGN_HOST, "Host " + host + " is not a loopback name; the plain API"
                    + " (controlPlane.api.insecureLoopback) answers only to 127.0.0.1, [::1] or localhost");
            }
        }
        final Optional<Caller> caller;
        if (!tls)
        {
            caller = Optional.of(new Caller("insecure-loopback", Optional.empty(), ApiRole.ADMIN));
        }
        else if (request.peerChain().isEmpty())
        {
            caller = Optional.empty();
        }
        else
        {
            final X509SvidValidator.Result result = new X509SvidValidator(trustBundle.get())
                .validate(request.peerChain(), clock.instant(), X509SvidValidator.Expectation.anyId());
            if (!result.isValid() || result.spiffeId().isEmpty())
            {
                return Decision.deny(Denial.INVALID_CERTIFICATE, "client certificate refused: " + result.message());
            }
            final SpiffeId id = result.spiffeId().get();
            final Optional<ApiRole> role = role(id, request.peerChain().get(0));
            if (role.isEmpty())
            {
                return Decision.deny(Denial.NO_ROLE, id + " has no role on the control-plane API (an operator"
                    + " certificate from 'mecmesh cert issue --operator NAME --role ROLE', a node SVID, or"
                    + " controlPlane.api.roles)");
            }
            caller = Optional.of(new Caller(id.toString(), Optional.of(id), role.get()));
        }
        final String method = request.method().toUpperCase(Locale.ROOT);
        final String path = request.path();
        final boolean enrolment = "POST".equals(method) && "/v1/identity/sign".equals(path);
        if (caller.isEmpty() && !enrolment)
        {
            return Decision.deny(Denial.NO_CERTIFICATE, "a client certificate is required (mecmesh: --cert/--key,"
                + " $MECMESH_CLIENT_CERT/$MECMESH_CLIENT_KEY or ~/.config/mecmesh/client.pem)");
        }
        if (WRITE_METHODS.contains(method) && !isJsonOrYaml(request.header().apply("Content-Type")))
        {
            return Decision.deny(Denial.UNSUPPORTED_MEDIA_TYPE, "Content-Type " + request.header().apply(
                "Content-Type") + " is not accepted: send application/json or application/yaml");
        }
        if (caller.isPresent() && tls)
        {
            final ApiRole role = caller.get().role();
            if (!allows(role, method, path, enrolment))
            {
                return Decision.deny(Denial.ROLE_TOO_LOW, caller.get().name() + " (role " + role.label()
                    + ") may not " + method + " " + path);
            }
        }
        return Decision.allow(caller);
    }

    private Optional<ApiRole> role(final SpiffeId id, final X509Certificate leaf)
    {
        for (final Map.Entry<SpiffeId, ApiRole> entry : roles)
        {
            if (id.isUnder(entry.getKey()))
            {
                return Optional.of(entry.getValue());
            }
        }
        if (id.path().startsWith("/operator/"))
        {
            return ApiRole.of(leaf);
        }
        return NODE_PATH.matcher(id.path()).matches() ? Optional.of(ApiRole.NODE) : Optional.empty();
    }

    private static boolean allows(final ApiRole role, final String method, final String path, final boolean enrolment)
    {
        if (role == ApiRole.NODE)
        {
            return enrolment || "GET".equals(method) && "/v1/status".equals(path);
        }
        if (enrolment)
        {
            return false;
        }
        final ApiRole needed;
        if ("GET".equals(method) && !path.startsWith("/v1/identity/"))
        {
            needed = ApiRole.VIEWER;
        }
        else if ("POST".equals(method) && "/v1/apply".equals(path)
            || ("PUT".equals(method) || "DELETE".equals(method)) && OBJECT_PATH.matcher(path).matches())
        {
            needed = ApiRole.OPERATOR;
        }
        else
        {
            needed = ApiRole.ADMIN;
        }
        return role.includes(needed);
    }

    private static boolean isJsonOrYaml(final String contentType)
    {
        if (contentType == null)
        {
            return false;
        }
        final int semicolon = contentType.indexOf(';');
        final String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim()
            .toLowerCase(Locale.ROOT);
        return "application/json".equals(type) || "application/yaml".equals(type)
            || "application/x-yaml".equals(type) || "text/yaml".equals(type)
            || type.startsWith("application/") && (type.endsWith("+json") || type.endsWith("+yaml"));
    }

    private static String hostName(final String host)
    {
        final String trimmed = host.trim().toLowerCase(Locale.ROOT);
        if (trimmed.startsWith("["))
        {
            final int end = trimmed.indexOf(']');
            return end < 0 ? trimmed : trimmed.substring(0, end + 1);
        }
        final int colon = trimmed.lastIndexOf(':');
        return colon < 0 || trimmed.indexOf(':') != colon ? trimmed : trimmed.substring(0, colon);
    }

    /**
     * The origins a browser page served by the API itself would send: {@code scheme://host:port} for the bound
     * address and, on loopback, its usual names.
     *
     * @param tls     whether the API is served over TLS.
     * @param address the bound address.
     * @param port    the bound port.
     * @return the origins, lower case.
     */
    public static Set<String> ownOrigins(final boolean tls, final String address, final int port)
    {
        final String scheme = tls ? "https://" : "http://";
        final String host = address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address;
        final Set<String> origins = new HashSet<>();
        origins.add((scheme + host + ":" + port).toLowerCase(Locale.ROOT));
        if (LOOPBACK_HOSTS.contains(host.toLowerCase(Locale.ROOT)) || address.startsWith("127."))
        {
            origins.add(scheme + "localhost:" + port);
            origins.add(scheme + "127.0.0.1:" + port);
            origins.add(scheme + "[::1]:" + port);
        }
        return Set.copyOf(origins);
    }
}
