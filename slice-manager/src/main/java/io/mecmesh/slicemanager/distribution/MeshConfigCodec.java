package io.mecmesh.slicemanager.distribution;

import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.authz.AuthzRule;
import io.mecmesh.dataplane.classify.ClassificationConfig;
import io.mecmesh.dataplane.classify.ClassificationRule;
import io.mecmesh.dataplane.qos.QosConfig;
import io.mecmesh.dataplane.qos.QosMode;
import io.mecmesh.dataplane.qos.SliceQosConfig;
import io.mecmesh.dataplane.classify.HeaderValue;
import io.mecmesh.dataplane.classify.PortRange;
import io.mecmesh.dataplane.classify.SourcePrefix;
import io.mecmesh.dataplane.authz.PrincipalMatch;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.UpstreamProtocol;
import io.mecmesh.dataplane.cluster.ClusterTls;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.LbPolicy;
import io.mecmesh.dataplane.cluster.Locality;
import io.mecmesh.dataplane.cluster.OutlierDetection;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.dataplane.route.HeaderMatch;
import io.mecmesh.dataplane.route.HeaderRewrite;
import io.mecmesh.dataplane.route.PathMatch;
import io.mecmesh.dataplane.route.RetryPolicy;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.route.RouteMatch;
import io.mecmesh.dataplane.route.WeightedCluster;
import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.dataplane.transport.TransportKind;
import io.mecmesh.slicemanager.compiler.NodeDnsRule;
import io.mecmesh.slicemanager.compiler.NodeMeshConfig;
import io.mecmesh.slicemanager.compiler.RouteBinding;
import io.mecmesh.slicemanager.model.AuthorizationPolicy;
import io.mecmesh.slicemanager.model.DnsRule;
import io.mecmesh.slicemanager.model.Snssai;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Encodes a node's compiled configuration ({@link NodeMeshConfig}: the data plane's {@code MeshConfig}, the route
 * bindings, the policy records and the authorization sets) into a deterministic byte string, and back. Equal
 * configurations give equal bytes (sets and maps are written sorted), so the SHA-256 of the bytes identifies the
 * content. The bytes are the CONFIG payload and the content of the node's last-known-good file.
 *
 * <p>Format {@value #FORMAT}, little-endian: {@code int32 format}, then every field in declaration order; integers
 * fixed-width; strings as {@code int32 length + UTF-8}; enums by name; lists as {@code int32 count + elements};
 * optionals as {@code byte 0|1 + value}; doubles as their IEEE-754 bits; the route action as a tag byte (1 forward,
 * 2 respond, 3 redirect) and its fields. Format 2 adds each route's {@code policyRouteId} (after its authorization
 * rules) and the classification rules (after the clusters); a reader takes format 1 (without them: route ids 0, no
 * rules, so a last-known-good file written before the upgrade still loads) and 2, and refuses any other. Format 3
 * appends the node's QoS settings ({@code int64 linkCapacityBps}, then per slice {@code int32 sliceId, mode,
 * int64 maxShapingWaitMs, requestsPerSecond, gbrUplinkBps, gbrDownlinkBps, int32 priorityWeight}); formats 1 and 2
 * decode with {@link QosConfig#NONE}. Format 4 appends the node's MEC DNS rules (per rule {@code appInstanceId, ruleId,
 * domainName, ipAddressType, ipAddress, int32 ttl} with -1 for none); formats 1 to 3 decode without any. Format 5
 * appends the clusters' active-request limits (issue 13 item 9), for each cluster that has one {@code name,
 * int32 maxActiveRequestsPerLoop, maxQueuedRequestsPerLoop} (the other circuit breakers are not distributed: the
 * defaults); formats 1 to 4 decode without any. Format 6 adds to each classification rule, after its header, the
 * connection's 5-tuple criteria ({@code destinationCidrs} list of strings, optional {@code destinationPorts} and
 * optional {@code sourcePorts}, each {@code int32 first, last}); formats 2 to 5 decode rules without them. Format 7
 * adds to each rule, after them, its {@code int32 policyRouteId} (a MEC 015 session's record, 0 for none); formats 2
 * to 6 decode rules with 0. Decoding errors are
 * {@link IllegalArgumentException}s; the decoded configuration is validated by the records' constructors.
 */
public final class MeshConfigCodec
{
    /** The format written and read. */
    public static final int FORMAT = 7;
    /** The previous format, without the classification rules' policy route ids, still read. */
    public static final int FORMAT_WITHOUT_RULE_RECORD = 6;
    /** The previous format, without the classification rules' 5-tuple criteria, still read. */
    public static final int FORMAT_WITHOUT_FIVE_TUPLE = 5;
    /** The format before that, without the clusters' active-request limits, still read. */
    public static final int FORMAT_WITHOUT_ACTIVE_LIMIT = 4;
    /** The previous format, without DNS rules, still read. */
    public static final int FORMAT_WITHOUT_DNS = 3;
    /** The previous format, without QoS settings, still read. */
    public static final int FORMAT_WITHOUT_QOS = 2;
    /** The first format, still read. */
    public static final int FORMAT_WITHOUT_CLASSIFICATION = 1;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int ACTION_FORWARD = 1;
    private static final int ACTION_RESPOND = 2;
    private static final int ACTION_REDIRECT = 3;

    private MeshConfigCodec()
    {
    }

    /**
     * @param config the configuration.
     * @return its encoding.
     */
    public static byte[] encode(final NodeMeshConfig config)
    {
        requireNonNull(config, "config");
        final Writer out = new Writer();
        out.putInt(FORMAT);
        out.putString(config.nodeId());
        out.putLong(config.version());
        out.putString(config.contentHash());
        final MeshConfig mesh = config.meshConfig();
        out.putString(mesh.transport().name());
        out.putInt(mesh.eventLoopThreads());
        locality(out, mesh.locality());
        out.putList(mesh.listeners(), listener -> listener(out, listener));
        out.putList(mesh.routes(), route -> route(out, route));
        out.putList(mesh.clusters(), cluster -> cluster(out, cluster));
        out.putList(mesh.classification().rules(), rule -> classificationRule(out, rule));
        out.putList(config.routes(), binding ->
        {
            out.putInt(binding.routeId());
            out.putString(binding.host());
            out.putString(binding.pathPrefix());
            out.putString(binding.service());
            out.putInt(binding.slice().sst());
            out.putInt(binding.slice().sd());
        });
        out.putList(config.policies(), policy ->
        {
            out.putInt(policy.sliceId());
            out.putInt(policy.routeId());
            out.putInt(policy.priorityLevel());
            out.putInt(policy.dscp());
            out.putLong(policy.uplinkRateBytesPerSecond());
            out.putLong(policy.downlinkRateBytesPerSecond());
            out.putLong(policy.burstBytes());
            out.putLong(policy.requestTimeoutNs());
            out.putInt(policy.maxRetries());
            out.putInt(policy.retryBudgetPercent());
            out.putInt(policy.authorizationSetId());
        });
        out.putList(config.authorizationSets(), set -> out.putStrings(set.allowedCallerPrefixes()));
        out.putLong(mesh.qos().linkCapacityBps());
        out.putList(mesh.qos().slices(), slice ->
        {
            out.putInt(slice.sliceId());
            out.putString(slice.mode().name());
            out.putLong(slice.maxShapingWaitMs());
            out.putLong(slice.requestsPerSecond());
            out.putLong(slice.gbrUplinkBps());
            out.putLong(slice.gbrDownlinkBps());
            out.putInt(slice.priorityWeight());
        });
        out.putList(config.dnsRules(), rule ->
        {
            out.putString(rule.appInstanceId());
            out.putString(rule.ruleId());
            out.putString(rule.domainName());
            out.putString(rule.ipAddressType().name());
            out.putString(rule.ipAddress());
            out.putInt(rule.ttl().orElse(-1));
        });
        out.putList(mesh.clusters().stream().filter(c -> c.circuitBreakers().maxActiveRequestsPerLoop() > 0).toList(),
            cluster ->
            {
                out.putString(cluster.name());
                out.putInt(cluster.circuitBreakers().maxActiveRequestsPerLoop());
                out.putInt(cluster.circuitBreakers().maxQueuedRequestsPerLoop());
            });
        return out.toByteArray();
    }

    /**
     * @param bytes an encoding from {@link #encode(NodeMeshConfig)}.
     * @return the configuration.
     * @throws IllegalArgumentException if the bytes are not a valid encoding of a valid configuration.
     */
    public static NodeMeshConfig decode(final byte[] bytes)
    {
        requireNonNull(bytes, "bytes");
        final Reader in = new Reader(bytes);
        try
        {
            final int format = in.getInt();
            if (format < FORMAT_WITHOUT_CLASSIFICATION || format > FORMAT)
            {
                throw new IllegalArgumentException("format: expected " + FORMAT_WITHOUT_CLASSIFICATION + " to "
                    + FORMAT + ", got " + format);
            }
            final boolean classified = format != FORMAT_WITHOUT_CLASSIFICATION;
            final String nodeId = in.getString();
            final long version = in.getLong();
            final String contentHash = in.getString();
            final TransportKind transport = TransportKind.valueOf(in.getString());
            final int eventLoopThreads = in.getInt();
            final Locality locality = locality(in);
            final List<ListenerConfig> listeners = in.getList(() -> listener(in));
            final List<RouteConfig> routes = in.getList(() -> route(in, classified));
            final List<ClusterConfig> clusters = in.getList(() -> cluster(in));
            final ClassificationConfig classification = classified
                ? new ClassificationConfig(in.getList(() -> classificationRule(in, format)))
                : ClassificationConfig.NONE;
            final List<RouteBinding> bindings = in.getList(() -> new RouteBinding(in.getInt(), in.getString(),
                in.getString(), in.getString(), new Snssai(in.getInt(), in.getInt())));
            final List<SlicePolicy> policies = in.getList(() -> new SlicePolicy(in.getInt(), in.getInt(), in.getInt(),
                in.getInt(), in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getInt(), in.getInt(),
                in.getInt()));
            final List<AuthorizationPolicy> authorizationSets = in.getList(() -> new AuthorizationPolicy(
                in.getStrings()));
            final QosConfig qos = format >= FORMAT_WITHOUT_DNS ? new QosConfig(in.getLong(),
                in.getList(() -> new SliceQosConfig(in.getInt(), QosMode.valueOf(in.getString()), in.getLong(),
                    in.getLong(), in.getLong(), in.getLong(), in.getInt()))) : null;
            final List<NodeDnsRule> dnsRules = format >= FORMAT_WITHOUT_ACTIVE_LIMIT ? in.getList(() -> new NodeDnsRule(
                in.getString(), in.getString(), in.getString(), DnsRule.IpAddressType.valueOf(in.getString()),
                in.getString(), dnsTtl(in.getInt()))) : List.of();
            final MeshConfig unqualified = new MeshConfig(version, transport, eventLoopThreads, locality, listeners,
                routes, format >= FORMAT_WITHOUT_FIVE_TUPLE ? activeLimits(in, clusters) : clusters)
                .withClassification(classification);
            final MeshConfig mesh = qos != null ? unqualified.withQos(qos) : unqualified;
            if (in.remaining() != 0)
            {
                throw new IllegalArgumentException(in.remaining() + " bytes after the end of the configuration");
            }
            return new NodeMeshConfig(nodeId, version, contentHash, mesh, bindings, policies, authorizationSets,
                dnsRules);
        }
        catch (final IndexOutOfBoundsException ex)
        {
            throw new IllegalArgumentException("truncated: " + bytes.length + " bytes end inside a field", ex);
        }
    }

    private static Optional<Integer> dnsTtl(final int ttl)
    {
        return ttl == -1 ? Optional.empty() : Optional.of(ttl);
    }

    private static void locality(final Writer out, final Locality locality)
    {
        out.putString(locality.site());
        out.putString(locality.zone());
    }

    private static Locality locality(final Reader in)
    {
        return new Locality(in.getString(), in.getString());
    }

    private static void listener(final Writer out, final ListenerConfig listener)
    {
        out.putString(listener.name());
        out.putString(listener.address());
        out.putInt(listener.port());
        out.putInt(listener.maxRequestLineBytes());
        out.putInt(listener.maxHeaderBytes());
        out.putInt(listener.maxHeaderCount());
        out.putLong(listener.maxRequestBodyBytes());
        out.putLong(listener.requestHeaderTimeoutMs());
        out.putLong(listener.idleTimeoutMs());
        out.putInt(listener.maxConnections());
        out.putInt(listener.maxRequestsPerConnection());
        out.putOptional(listener.tls(), tls -> tls(out, tls));
        out.putOptional(listener.tcpCluster(), out::putString);
    }

    private static ListenerConfig listener(final Reader in)
    {
        return new ListenerConfig(in.getString(), in.getString(), in.getInt(), in.getInt(), in.getInt(), in.getInt(),
            in.getLong(), in.getLong(), in.getLong(), in.getInt(), in.getInt(), in.getOptional(() -> tls(in)),
            in.getOptional(in::getString));
    }

    private static void tls(final Writer out, final TlsConfig tls)
    {
        out.putString(tls.certificateChain().toString());
        out.putString(tls.privateKey().toString());
        out.putString(tls.trustBundle().toString());
        out.putString(tls.mode().name());
    }

    private static TlsConfig tls(final Reader in)
    {
        return new TlsConfig(Path.of(in.getString()), Path.of(in.getString()), Path.of(in.getString()),
            TlsConfig.Mode.valueOf(in.getString()));
    }

    private static void route(final Writer out, final RouteConfig route)
    {
        out.putString(route.name());
        final RouteMatch match = route.match();
        out.putString(match.authority());
        out.putString(match.path().kind().name());
        out.putString(match.path().value());
        out.putStrings(match.methods());
        out.putList(match.headers(), header ->
        {
            out.putString(header.name());
            out.putString(header.kind().name());
            out.putString(header.value());
        });
        if (route.action() instanceof RouteAction.Forward forward)
        {
            out.putByte(ACTION_FORWARD);
            out.putList(forward.clusters(), cluster ->
            {
                out.putString(cluster.cluster());
                out.putInt(cluster.weight());
            });
            out.putLong(forward.timeoutMs());
            out.putLong(forward.perTryTimeoutMs());
            final RetryPolicy retry = forward.retry();
            out.putInt(retry.maxRetries());
            out.putList(new ArrayList<>(new TreeSet<>(retry.retryOnStatuses())), out::putInt);
            out.putLong(retry.backoffBaseMs());
            out.putLong(retry.backoffMaxMs());
            out.putLong(Double.doubleToLongBits(retry.budgetRatio()));
            out.putInt(retry.minRetriesPerSecond());
            out.putInt(retry.maxBufferedBodyBytes());
        }
        else if (route.action() instanceof RouteAction.Respond respond)
        {
            out.putByte(ACTION_RESPOND);
            out.putInt(respond.status());
            out.putString(respond.body());
        }
        else
        {
            final RouteAction.Redirect redirect = (RouteAction.Redirect)route.action();
            out.putByte(ACTION_REDIRECT);
            out.putInt(redirect.status());
            out.putString(redirect.scheme());
            out.putString(redirect.host());
            out.putString(redirect.path());
        }
        headerRewrite(out, route.requestHeaders());
        headerRewrite(out, route.responseHeaders());
        out.putList(route.authorization().allow(), rule -> rule(out, rule));
        out.putList(route.authorization().deny(), rule -> rule(out, rule));
        out.putInt(route.policyRouteId());
    }

    private static RouteConfig route(final Reader in, final boolean withPolicyRouteId)
    {
        final String name = in.getString();
        final String authority = in.getString();
        final PathMatch path = new PathMatch(PathMatch.Kind.valueOf(in.getString()), in.getString());
        final List<String> methods = in.getStrings();
        final List<HeaderMatch> headers = in.getList(() -> new HeaderMatch(in.getString(),
            HeaderMatch.Kind.valueOf(in.getString()), in.getString()));
        final RouteMatch match = new RouteMatch(authority, path, methods, headers);
        final int tag = in.getByte();
        final RouteAction action = switch (tag)
        {
            case ACTION_FORWARD -> new RouteAction.Forward(
                in.getList(() -> new WeightedCluster(in.getString(), in.getInt())), in.getLong(), in.getLong(),
                new RetryPolicy(in.getInt(), Set.copyOf(in.getList(in::getInt)), in.getLong(), in.getLong(),
                    Double.longBitsToDouble(in.getLong()), in.getInt(), in.getInt()));
            case ACTION_RESPOND -> new RouteAction.Respond(in.getInt(), in.getString());
            case ACTION_REDIRECT -> new RouteAction.Redirect(in.getInt(), in.getString(), in.getString(),
                in.getString());
            default -> throw new IllegalArgumentException("route action: unknown tag " + tag);
        };
        final HeaderRewrite requestHeaders = headerRewrite(in);
        final HeaderRewrite responseHeaders = headerRewrite(in);
        final io.mecmesh.dataplane.authz.AuthorizationPolicy authorization =
            new io.mecmesh.dataplane.authz.AuthorizationPolicy(in.getList(() -> rule(in)), in.getList(() -> rule(in)));
        return new RouteConfig(name, match, action, requestHeaders, responseHeaders, authorization,
            withPolicyRouteId ? in.getInt() : 0);
    }

    private static void classificationRule(final Writer out, final ClassificationRule rule)
    {
        out.putInt(rule.sliceId());
        out.putOptional(rule.listener(), out::putString);
        out.putList(rule.sourceCidrs(), cidr -> out.putString(cidr.toString()));
        out.putOptional(rule.callerSpiffeIdPrefix(), out::putString);
        out.putOptional(rule.header(), header ->
        {
            out.putString(header.name());
            out.putString(header.value());
        });
        out.putList(rule.destinationCidrs(), cidr -> out.putString(cidr.toString()));
        out.putOptional(rule.destinationPorts(), ports -> portRange(out, ports));
        out.putOptional(rule.sourcePorts(), ports -> portRange(out, ports));
        out.putInt(rule.policyRouteId());
    }

    private static void portRange(final Writer out, final PortRange ports)
    {
        out.putInt(ports.first());
        out.putInt(ports.last());
    }

    private static ClassificationRule classificationRule(final Reader in, final int format)
    {
        final int sliceId = in.getInt();
        final Optional<String> listener = in.getOptional(in::getString);
        final List<SourcePrefix> sources = in.getList(() -> SourcePrefix.parse(in.getString()));
        final Optional<String> caller = in.getOptional(in::getString);
        final Optional<HeaderValue> header = in.getOptional(() -> new HeaderValue(in.getString(), in.getString()));
        if (format < FORMAT_WITHOUT_RULE_RECORD)
        {
            return new ClassificationRule(sliceId, listener, sources, caller, header);
        }
        final List<SourcePrefix> destinations = in.getList(() -> SourcePrefix.parse("destinationCidrs",
            in.getString()));
        final Optional<PortRange> destinationPorts = in.getOptional(() -> new PortRange(in.getInt(), in.getInt()));
        final Optional<PortRange> sourcePorts = in.getOptional(() -> new PortRange(in.getInt(), in.getInt()));
        return new ClassificationRule(sliceId, listener, sources, caller, header, destinations, destinationPorts,
            sourcePorts, format >= FORMAT ? in.getInt() : 0);
    }

    private static void headerRewrite(final Writer out, final HeaderRewrite rewrite)
    {
        final List<Map.Entry<String, String>> set = new ArrayList<>(new TreeMap<>(rewrite.set()).entrySet());
        out.putList(set, entry ->
        {
            out.putString(entry.getKey());
            out.putString(entry.getValue());
        });
        out.putStrings(rewrite.remove());
    }

    private static HeaderRewrite headerRewrite(final Reader in)
    {
        final Map<String, String> set = new TreeMap<>();
        final int count = in.getCount();
        for (int i = 0; i < count; i++)
        {
            set.put(in.getString(), in.getString());
        }
        return new HeaderRewrite(set, in.getStrings());
    }

    private static void rule(final Writer out, final AuthzRule rule)
    {
        out.putList(rule.principals(), principal ->
        {
            out.putString(principal.kind().name());
            out.putString(principal.id().toString());
        });
        out.putStrings(rule.methods());
        out.putStrings(rule.pathPrefixes());
    }

    private static AuthzRule rule(final Reader in)
    {
        return new AuthzRule(in.getList(() -> new PrincipalMatch(PrincipalMatch.Kind.valueOf(in.getString()),
            SpiffeId.parse(in.getString()))), in.getStrings(), in.getStrings());
    }

    private static void cluster(final Writer out, final ClusterConfig cluster)
    {
        out.putString(cluster.name());
        out.putList(cluster.endpoints(), endpoint ->
        {
            out.putString(endpoint.host());
            out.putInt(endpoint.port());
            locality(out, endpoint.locality());
            out.putInt(endpoint.weight());
        });
        out.putInt(cluster.connectTimeoutMs());
        out.putInt(cluster.maxIdleConnectionsPerLoop());
        out.putLong(cluster.idleTimeoutMs());
        out.putString(cluster.lbPolicy().name());
        out.putString(cluster.hashHeader());
        out.putInt(cluster.localitySpillPercent());
        out.putInt(cluster.outlierDetection().consecutiveFailures());
        out.putLong(cluster.outlierDetection().baseEjectionMs());
        out.putInt(cluster.outlierDetection().maxEjectionPercent());
        out.putOptional(cluster.tls(), tls ->
        {
            tls(out, tls.tls());
            out.putString(tls.expectedPeer().toString());
            out.putString(tls.sni());
        });
        out.putString(cluster.protocol().name());
    }

    private static ClusterConfig cluster(final Reader in)
    {
        return new ClusterConfig(in.getString(),
            in.getList(() -> new Endpoint(in.getString(), in.getInt(), locality(in), in.getInt())),
            in.getInt(), in.getInt(), in.getLong(), LbPolicy.valueOf(in.getString()), in.getString(), in.getInt(),
            new OutlierDetection(in.getInt(), in.getLong(), in.getInt()),
            in.getOptional(() -> new ClusterTls(tls(in), SpiffeId.parse(in.getString()), in.getString())),
            UpstreamProtocol.valueOf(in.getString()));
    }

    /** Format 5's active-request limits, by cluster name, set on the decoded clusters. */
    private static List<ClusterConfig> activeLimits(final Reader in, final List<ClusterConfig> clusters)
    {
        final Map<String, ClusterConfig> byName = new LinkedHashMap<>();
        clusters.forEach(cluster -> byName.put(cluster.name(), cluster));
        in.getList(() ->
        {
            final String name = in.getString();
            final ClusterConfig cluster = byName.get(name);
            if (cluster == null)
            {
                throw new IllegalArgumentException("active-request limit of an unknown cluster: " + name);
            }
            byName.put(name, cluster.withCircuitBreakers(cluster.circuitBreakers().withActiveRequestsPerLoop(
                in.getInt(), in.getInt())));
            return name;
        });
        return List.copyOf(byName.values());
    }

    private interface Element<T>
    {
        void write(T value);
    }

    private static final class Writer
    {
        private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);
        private int position;

        void putByte(final int value)
        {
            buffer.putByte(position, (byte)value);
            position += Byte.BYTES;
        }

        void putInt(final int value)
        {
            buffer.putInt(position, value, ORDER);
            position += Integer.BYTES;
        }

        void putLong(final long value)
        {
            buffer.putLong(position, value, ORDER);
            position += Long.BYTES;
        }

        void putString(final String value)
        {
            final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            putInt(bytes.length);
            buffer.putBytes(position, bytes);
            position += bytes.length;
        }

        void putStrings(final List<String> values)
        {
            putList(values, this::putString);
        }

        <T> void putList(final List<T> values, final Element<T> element)
        {
            putInt(values.size());
            for (final T value : values)
            {
                element.write(value);
            }
        }

        <T> void putOptional(final Optional<T> value, final Element<T> element)
        {
            putByte(value.isPresent() ? 1 : 0);
            value.ifPresent(element::write);
        }

        byte[] toByteArray()
        {
            final byte[] bytes = new byte[position];
            buffer.getBytes(0, bytes);
            return bytes;
        }
    }

    private static final class Reader
    {
        private final UnsafeBuffer buffer;
        private int position;

        Reader(final byte[] bytes)
        {
            buffer = new UnsafeBuffer(bytes);
        }

        int remaining()
        {
            return buffer.capacity() - position;
        }

        int getByte()
        {
            final int value = buffer.getByte(position);
            position += Byte.BYTES;
            return value;
        }

        int getInt()
        {
            final int value = buffer.getInt(position, ORDER);
            position += Integer.BYTES;
            return value;
        }

        long getLong()
        {
            final long value = buffer.getLong(position, ORDER);
            position += Long.BYTES;
            return value;
        }

        /** A count, refused when larger than the bytes left (every element takes at least one byte). */
        int getCount()
        {
            final int count = getInt();
            if (count < 0 || count > remaining())
            {
                throw new IllegalArgumentException("count " + count + " does not fit in the " + remaining()
                    + " bytes left");
            }
            return count;
        }

        String getString()
        {
            final int length = getCount();
            final String value = buffer.getStringWithoutLengthUtf8(position, length);
            position += length;
            return value;
        }

        List<String> getStrings()
        {
            return getList(this::getString);
        }

        <T> List<T> getList(final Supplier<T> element)
        {
            final int count = getCount();
            final List<T> values = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                values.add(element.get());
            }
            return values;
        }

        <T> Optional<T> getOptional(final Supplier<T> element)
        {
            final int present = getByte();
            if (present != 0 && present != 1)
            {
                throw new IllegalArgumentException("optional: expected flag 0 or 1, got " + present);
            }
            return present == 1 ? Optional.of(element.get()) : Optional.empty();
        }
    }
}
