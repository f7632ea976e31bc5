package io.mecmesh.appliance.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.mecmesh.appliance.ApplianceException;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.authz.AuthorizationPolicy;
import io.mecmesh.dataplane.authz.AuthzRule;
import io.mecmesh.dataplane.authz.PrincipalMatch;
import io.mecmesh.dataplane.cluster.CircuitBreakers;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.ClusterTls;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.HealthCheckConfig;
import io.mecmesh.dataplane.cluster.LbPolicy;
import io.mecmesh.dataplane.cluster.Locality;
import io.mecmesh.dataplane.cluster.OutlierDetection;
import io.mecmesh.dataplane.cluster.UpstreamProtocol;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.overload.OverloadConfig;
import io.mecmesh.dataplane.classify.ClassificationConfig;
import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.dataplane.qos.QosConfig;
import io.mecmesh.dataplane.qos.SliceQosConfig;
import io.mecmesh.dataplane.trace.TraceConfig;
import io.mecmesh.slicemanager.api.DesiredStateDocument;
import io.mecmesh.slicemanager.cluster.MemberAddress;
import io.mecmesh.slicemanager.compiler.MeshCompiler;
import io.mecmesh.slicemanager.distribution.DistributionChannels;
import io.mecmesh.slicemanager.model.DscpTable;
import io.mecmesh.slicemanager.model.FiveQiTable;
import io.mecmesh.slicemanager.model.Slice;
import io.mecmesh.slicemanager.model.Snssai;
import java.util.ArrayList;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.mecapi.MecApiConfig;
import io.mecmesh.mecapi.MecApiOAuth2;
import io.mecmesh.mecapi.dns.DnsConfig;
import io.mecmesh.slicemanager.ca.ApiRole;
import io.mecmesh.dataplane.route.HeaderMatch;
import io.mecmesh.dataplane.route.HeaderRewrite;
import io.mecmesh.dataplane.route.Mirror;
import io.mecmesh.dataplane.route.PathMatch;
import io.mecmesh.dataplane.route.RetryPolicy;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.route.RouteMatch;
import io.mecmesh.dataplane.route.WeightedCluster;
import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.dataplane.tls.TlsPolicy;
import io.mecmesh.dataplane.transport.TransportKind;
import io.mecmesh.slicemanager.distribution.SignedConfig;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Reads {@code appliance.yaml} into an {@link ApplianceConfig}, validated once. Every key is documented in
 * {@code packaging/src/etc/appliance.yaml}; an unknown key is an error (a typo must not silently fall back to a
 * default). Errors name the file, the key path and what was expected.
 */
public final class ConfigLoader
{
    /** A key given twice in one mapping is an error, not "the last one wins". */
    private static final YAMLMapper YAML = YAMLMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    /** Role control runs no data plane: this stands in for the absent {@code dataplane} section and never starts. */
    private static final MeshConfig CONTROL_ROLE_DATAPLANE = new MeshConfig(0, TransportKind.AUTO, 0,
        new Locality("", ""), List.of(ListenerConfig.of("none", "127.0.0.1", 0)), List.of(), List.of());

    private ConfigLoader()
    {
    }

    /**
     * Loads and validates a configuration file.
     *
     * @param file the file.
     * @return the configuration.
     * @throws ApplianceException with category {@code CONFIG} naming the file, key path and what was expected.
     */
    public static ApplianceConfig load(final Path file)
    {
        final String name = file.toString();
        final String text;
        try
        {
            text = Files.readString(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw new ApplianceException(ApplianceException.Category.CONFIG, name + ": no such file", ex);
        }
        catch (final CharacterCodingException ex)
        {
            throw new ApplianceException(ApplianceException.Category.CONFIG,
                name + ": not a text file (expected YAML in UTF-8)", ex);
        }
        catch (final IOException ex)
        {
            throw new ApplianceException(ApplianceException.Category.CONFIG,
                name + ": cannot read: " + ex.getMessage(), ex);
        }
        final Path parent = file.toAbsolutePath().getParent();
        return parse(name, text, parent == null ? Path.of("") : parent);
    }

    /**
     * Parses and validates configuration text.
     *
     * @param name what to call the source in errors (the file name).
     * @param text the YAML text.
     * @return the configuration.
     */
    public static ApplianceConfig parse(final String name, final String text)
    {
        return parse(name, text, Path.of(""));
    }

    /**
     * Parses and validates configuration text whose relative file paths are relative to a directory.
     *
     * @param name    what to call the source in errors (the file name).
     * @param text    the YAML text.
     * @param baseDir the directory relative paths (certificates, keys) are resolved against.
     * @return the configuration.
     */
    public static ApplianceConfig parse(final String name, final String text, final Path baseDir)
    {
        requireNonNull(baseDir, "baseDir");
        final JsonNode tree;
        try
        {
            tree = YAML.readTree(text);
        }
        catch (final JsonProcessingException ex)
        {
            throw new ApplianceException(ApplianceException.Category.CONFIG, YamlErrors.notValid(name, ex), ex);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull())
        {
            throw new ApplianceException(ApplianceException.Category.CONFIG, name + ": the file is empty");
        }
        final ConfigNode root = ConfigNode.root(name, tree, baseDir).requireMapping("role", "node", "admin",
            "dataDirectory", "controlPlane", "ca", "identity", "dataplane", "telemetry", "accessLog", "dns");
        final Role role = root.enumValue("role", Role.class, Role.EDGE);
        final NodeConfig node = node(root.get("node"));
        final MeshConfig dataplane;
        final List<DeclaredSlice> slices = root.get("dataplane").isPresent()
            ? root.get("dataplane").list("slices", ConfigLoader::slice) : List.of();
        if (root.get("dataplane").isPresent())
        {
            dataplane = withSlices(dataplane(root.get("dataplane"), node), root.get("dataplane"), slices);
        }
        else if (role == Role.CONTROL)
        {
            dataplane = CONTROL_ROLE_DATAPLANE;
        }
        else
        {
            throw root.get("dataplane").error("missing (expected a mapping with listeners, clusters and routes)");
        }
        final Path dataDirectory = root.get("dataDirectory").isPresent() ? root.file("dataDirectory")
            : ApplianceConfig.DEFAULT_DATA_DIRECTORY;
        final ConfigNode controlPlane = root.get("controlPlane");
        if (!controlPlane.isPresent() && role != Role.EDGE)
        {
            throw controlPlane.error("missing (role " + role.name().toLowerCase(Locale.ROOT) + " needs the control"
                + " plane's address and ports)");
        }
        final Optional<ControlPlaneConfig> control = controlPlane.isPresent()
            ? Optional.of(controlPlane(controlPlane, role)) : Optional.empty();
        final Optional<CaConfig> ca = root.get("ca").isPresent() ? Optional.of(ca(root.get("ca")))
            : Optional.empty();
        final Optional<IdentityConfig> identity = root.get("identity").isPresent()
            ? Optional.of(identity(root.get("identity"), dataDirectory)) : Optional.empty();
        if (identity.isEmpty())
        {
            requireNoNodeIdentityTls(root.get("dataplane"), dataplane);
        }
        final TelemetryConfig telemetry = telemetry(root.get("telemetry"));
        final AccessLogConfig accessLog = accessLog(root.get("accessLog"), dataDirectory);
        final DnsConfig dns = dns(root.get("dns"));
        return root.build(r -> new ApplianceConfig(role, node, admin(root.get("admin")), dataplane, dataDirectory,
            control, ca, identity, telemetry,
            slices.stream().map(s -> MeshCompiler.sliceDefaultPolicy(s.slice())).toList(), accessLog, dns));
    }

    /** {@code dns}: absent, the responder is off; present, on unless {@code enabled: false}. */
    private static DnsConfig dns(final ConfigNode dns)
    {
        if (!dns.isPresent())
        {
            return DnsConfig.DISABLED;
        }
        dns.requireMapping("enabled", "address", "port", "upstreams", "timeoutMs", "queriesPerSecondPerClient",
            "defaultTtl", "localZones");
        final List<InetSocketAddress> upstreams = dns.list("upstreams", upstream -> upstream.build(u ->
            dnsUpstream(u.asString())));
        final List<String> localZones = dns.list("localZones", zone -> zone.build(z ->
            DnsConfig.zoneName(z.asString())));
        return dns.build(d -> new DnsConfig(d.bool("enabled", true), d.string("address", DnsConfig.DEFAULT_ADDRESS),
            d.integer("port", DnsConfig.DEFAULT_PORT, 0, 65535), upstreams,
            d.longInteger("timeoutMs", DnsConfig.DEFAULT_TIMEOUT_MS, DnsConfig.MIN_TIMEOUT_MS,
                DnsConfig.MAX_TIMEOUT_MS),
            d.integer("queriesPerSecondPerClient", DnsConfig.DEFAULT_QUERIES_PER_SECOND_PER_CLIENT, 1,
                DnsConfig.MAX_QUERIES_PER_SECOND_PER_CLIENT),
            d.integer("defaultTtl", DnsConfig.DEFAULT_TTL, 0, Integer.MAX_VALUE), localZones));
    }

    /** An upstream resolver: an IP address literal, with {@code :port} (53 without); a name would need DNS. */
    private static InetSocketAddress dnsUpstream(final String text)
    {
        final boolean bareV6 = text.indexOf(':') != text.lastIndexOf(':') && !text.startsWith("[");
        final boolean withPort = !bareV6 && text.lastIndexOf(':') > 0;
        final Endpoint endpoint = withPort ? Endpoint.parse(text) : new Endpoint(text, 53);
        if (!endpoint.host().matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*") || endpoint.port() < 1
            || endpoint.port() > 65535)
        {
            throw new IllegalArgumentException("expected an IP address with an optional :port (192.0.2.53:53, "
                + "[2001:db8::53]:53), got \"" + text + "\"");
        }
        return new InetSocketAddress(endpoint.host(), endpoint.port());
    }

    private static AccessLogConfig accessLog(final ConfigNode accessLog, final Path dataDirectory)
    {
        if (!accessLog.isPresent())
        {
            return AccessLogConfig.disabled(dataDirectory);
        }
        accessLog.requireMapping("enabled", "directory", "retentionHours", "maxBytes");
        return accessLog.build(a -> new AccessLogConfig(a.bool("enabled", true),
            a.get("directory").isPresent() ? a.file("directory")
                : dataDirectory.resolve(AccessLogConfig.DEFAULT_DIRECTORY_NAME),
            a.longInteger("retentionHours", AccessLogConfig.DEFAULT_RETENTION_HOURS,
                AccessLogConfig.MIN_RETENTION_HOURS, AccessLogConfig.MAX_RETENTION_HOURS),
            a.longInteger("maxBytes", AccessLogConfig.DEFAULT_MAX_BYTES, AccessLogConfig.MIN_MAX_BYTES,
                AccessLogConfig.MAX_MAX_BYTES)));
    }

    private static TelemetryConfig telemetry(final ConfigNode telemetry)
    {
        telemetry.requireMapping("remoteWrite", "requestMetrics", "tracing");
        final boolean requestMetrics = telemetry.bool("requestMetrics", true);
        final Optional<TelemetryConfig.Tracing> tracing = tracing(telemetry.get("tracing"));
        final ConfigNode remoteWrite = telemetry.get("remoteWrite");
        if (!remoteWrite.isPresent())
        {
            return new TelemetryConfig(Optional.empty(), requestMetrics, tracing);
        }
        remoteWrite.requireMapping("url", "intervalMs", "diskQuotaBytes");
        return new TelemetryConfig(Optional.of(remoteWrite.build(w ->
        {
            final String url = w.string("url");
            final URI uri;
            try
            {
                uri = new URI(url);
            }
            catch (final URISyntaxException ex)
            {
                throw new IllegalArgumentException("url: not a URL (" + ex.getReason() + "): \"" + url + "\"", ex);
            }
            return new TelemetryConfig.RemoteWrite(uri,
                w.longInteger("intervalMs", TelemetryConfig.RemoteWrite.DEFAULT_INTERVAL_MS,
                    TelemetryConfig.RemoteWrite.MIN_INTERVAL_MS, TelemetryConfig.RemoteWrite.MAX_INTERVAL_MS),
                w.longInteger("diskQuotaBytes", TelemetryConfig.RemoteWrite.DEFAULT_DISK_QUOTA_BYTES,
                    TelemetryConfig.RemoteWrite.MIN_DISK_QUOTA_BYTES, TelemetryConfig.RemoteWrite.MAX_DISK_QUOTA_BYTES));
        })), requestMetrics, tracing);
    }

    private static Optional<TelemetryConfig.Tracing> tracing(final ConfigNode tracing)
    {
        if (!tracing.isPresent())
        {
            return Optional.empty();
        }
        tracing.requireMapping("enabled", "samplingRatio", "requestId", "forwardedFor", "otlpUrl", "maxQueueSpans",
            "maxBatchSpans", "exportIntervalMs");
        return Optional.of(tracing.build(t ->
        {
            final String forwardedFor = t.get("forwardedFor").isPresent() ? t.string("forwardedFor") : "off";
            final TraceConfig.ForwardedFor mode = switch (forwardedFor)
            {
                case "off" -> TraceConfig.ForwardedFor.OFF;
                case "append" -> TraceConfig.ForwardedFor.APPEND;
                case "replace" -> TraceConfig.ForwardedFor.REPLACE;
                default -> throw new IllegalArgumentException("forwardedFor: expected off, append or replace, got \""
                    + forwardedFor + "\"");
            };
            final Optional<URI> otlpUrl;
            if (t.get("otlpUrl").isPresent())
            {
                final String url = t.string("otlpUrl");
                try
                {
                    otlpUrl = Optional.of(new URI(url));
                }
                catch (final URISyntaxException ex)
                {
                    throw new IllegalArgumentException("otlpUrl: not a URL (" + ex.getReason() + "): \"" + url + "\"",
                        ex);
                }
            }
            else
            {
                otlpUrl = Optional.empty();
            }
            final int maxQueueSpans = (int)t.longInteger("maxQueueSpans",
                TelemetryConfig.Tracing.DEFAULT_MAX_QUEUE_SPANS, 1, 1_000_000);
            return new TelemetryConfig.Tracing(new TraceConfig(t.bool("enabled", true),
                t.decimal("samplingRatio", TelemetryConfig.Tracing.DEFAULT_SAMPLING_RATIO, 0, 1),
                t.bool("requestId", true), mode), otlpUrl, maxQueueSpans,
                (int)t.longInteger("maxBatchSpans", Math.min(maxQueueSpans,
                    TelemetryConfig.Tracing.DEFAULT_MAX_BATCH_SPANS), 1, maxQueueSpans),
                t.longInteger("exportIntervalMs", TelemetryConfig.Tracing.DEFAULT_EXPORT_INTERVAL_MS, 10, 60_000));
        }));
    }

    private static CaConfig ca(final ConfigNode ca)
    {
        ca.requireMapping("directory", "passphraseFile", "joinTokenFile", "svidTtlSeconds");
        return ca.build(c -> new CaConfig(c.file("directory"),
            c.get("passphraseFile").isPresent() ? Optional.of(c.file("passphraseFile")) : Optional.empty(),
            c.get("joinTokenFile").isPresent() ? Optional.of(c.file("joinTokenFile")) : Optional.empty(),
            Duration.ofSeconds(c.longInteger("svidTtlSeconds", CaConfig.DEFAULT_SVID_TTL.toSeconds(), 30,
                366L * 24 * 3600))));
    }

    private static IdentityConfig identity(final ConfigNode identity, final Path dataDirectory)
    {
        identity.requireMapping("trustDomain", "joinTokenFile", "directory", "siteCa");
        final ConfigNode site = identity.get("siteCa");
        site.requireMapping("directory", "passphraseFile", "svidTtlSeconds");
        final Optional<IdentityConfig.SiteCa> siteCa = site.isPresent() ? Optional.of(site.build(c ->
            new IdentityConfig.SiteCa(c.file("directory"),
                c.get("passphraseFile").isPresent() ? Optional.of(c.file("passphraseFile")) : Optional.empty(),
                Duration.ofSeconds(c.longInteger("svidTtlSeconds", CaConfig.DEFAULT_SVID_TTL.toSeconds(), 30,
                    366L * 24 * 3600))))) : Optional.empty();
        return identity.build(i -> new IdentityConfig(i.string("trustDomain"), i.file("joinTokenFile"),
            i.get("directory").isPresent() ? i.file("directory") : dataDirectory.resolve("identity"), siteCa));
    }

    /** {@code tls: {identity: node}} needs the {@code identity} section. */
    private static void requireNoNodeIdentityTls(final ConfigNode dataplane, final MeshConfig mesh)
    {
        for (int i = 0; i < mesh.listeners().size(); i++)
        {
            if (mesh.listeners().get(i).tls().filter(ConfigLoader::isNodeIdentity).isPresent())
            {
                throw dataplane.list("listeners", node -> node).get(i).get("tls").get("identity")
                    .error("node needs the identity section (trustDomain, joinTokenFile)");
            }
        }
        for (int i = 0; i < mesh.clusters().size(); i++)
        {
            if (mesh.clusters().get(i).tls().filter(t -> isNodeIdentity(t.tls())).isPresent())
            {
                throw dataplane.list("clusters", node -> node).get(i).get("tls").get("identity")
                    .error("node needs the identity section (trustDomain, joinTokenFile)");
            }
        }
    }

    /**
     * @param tls a parsed TLS configuration.
     * @return whether it stands for this node's identity ({@code tls: {identity: node}}), to be resolved at start.
     */
    public static boolean isNodeIdentity(final TlsConfig tls)
    {
        return tls.isNodeIdentity();
    }

    private static ControlPlaneConfig controlPlane(final ConfigNode control, final Role role)
    {
        control.requireMapping("address", "apiPort", "configPort", "ackPort", "nodeEndpoint", "keyFile",
            "configVerificationKeys", "api", "mecApi", "cluster", "distribution");
        final Optional<Path> verificationKeys = configVerificationKeys(control);
        if (role == Role.EDGE && !control.get("nodeEndpoint").isPresent())
        {
            throw control.get("nodeEndpoint").error("missing (an edge node receives its configurations on this"
                + " host:port, e.g. 127.0.0.1:40403)");
        }
        if (role != Role.ALL && !control.get("keyFile").isPresent())
        {
            throw control.get("keyFile").error("missing (the file with the key shared by the control plane and its"
                + " nodes, at least 32 bytes, e.g. made with: head -c 32 /dev/urandom > distribution.key)");
        }
        final String address = control.string("address", "127.0.0.1");
        final ControlPlaneConfig.Api api = api(control, address);
        final Optional<MecApiConfig> mecApi = mecApi(control, address);
        final ControlPlaneConfig.Cluster cluster = controlPlaneCluster(control.get("cluster"), role);
        final int shards = distributionShards(control.get("distribution"));
        return control.build(c -> new ControlPlaneConfig(
            address,
            api.port(),
            c.integer("configPort", ControlPlaneConfig.DEFAULT_CONFIG_PORT, 1, 65535),
            c.integer("ackPort", ControlPlaneConfig.DEFAULT_ACK_PORT, 1, 65535),
            c.string("nodeEndpoint", ""),
            c.get("keyFile").isPresent() ? c.file("keyFile") : null, verificationKeys,
            api, mecApi, cluster, shards));
    }

    /**
     * {@code controlPlane.cluster}: off when absent; one member on this host, or {@code members} with this process's
     * {@code memberId} (DESIGN-ha.md 2.1). Enabled by default when members are given.
     */
    private static ControlPlaneConfig.Cluster controlPlaneCluster(final ConfigNode node, final Role role)
    {
        if (!node.isPresent())
        {
            return ControlPlaneConfig.Cluster.DISABLED;
        }
        node.requireMapping("enabled", "commitTimeoutSeconds", "memberId", "members", "leaderHeartbeatTimeoutMs");
        final List<MemberAddress> members = node.list("members", m ->
        {
            m.requireMapping("id", "host", "basePort", "api");
            return m.build(b -> new MemberAddress(b.requiredInteger("id", 0,
                ControlPlaneConfig.Cluster.MAX_MEMBERS - 1), b.string("host"),
                b.requiredInteger("basePort", 1, 65535), b.string("api", "")));
        });
        if (node.get("members").isPresent() && members.isEmpty())
        {
            throw node.get("members").error("empty (give 1, 3, 5 or 7 members, or leave members out for one member"
                + " on this host)");
        }
        if (!members.isEmpty() && !node.get("memberId").isPresent())
        {
            throw node.get("memberId").error("missing (this process's id among the members, 0 to "
                + (members.size() - 1) + ")");
        }
        final boolean enabled = node.bool("enabled", !members.isEmpty());
        if (!enabled && !members.isEmpty())
        {
            throw node.get("enabled").error("false while members are given (remove members or enabled: false)");
        }
        if (members.size() > 1 && role == Role.ALL)
        {
            throw node.get("members").error("role all supports a one-member cluster only (distribution is in-process);"
                + " use role control for " + members.size() + " members");
        }
        final int memberId = node.integer("memberId", 0, 0, ControlPlaneConfig.Cluster.MAX_MEMBERS - 1);
        final long commitTimeoutSeconds = node.longInteger("commitTimeoutSeconds",
            ControlPlaneConfig.Cluster.DEFAULT_COMMIT_TIMEOUT.toSeconds(), 1, 300);
        final long heartbeatMs = node.longInteger("leaderHeartbeatTimeoutMs",
            ControlPlaneConfig.Cluster.DEFAULT_LEADER_HEARTBEAT_TIMEOUT.toMillis(), 200, 60_000);
        final ControlPlaneConfig.Cluster cluster = node.build(n -> new ControlPlaneConfig.Cluster(enabled,
            Duration.ofSeconds(commitTimeoutSeconds), memberId, members, Duration.ofMillis(heartbeatMs)));
        if (cluster.isMultiMember() && !isLocalAddress(cluster.self().orElseThrow().host()))
        {
            throw node.list("members", n -> n).get(memberId).get("host").error(cluster.self().orElseThrow().host()
                + " is not an address of this machine (memberId " + memberId + " is this process)");
        }
        return cluster;
    }

    /** Whether a host names an address of one of this machine's interfaces (or loopback). */
    private static boolean isLocalAddress(final String host)
    {
        try
        {
            final InetAddress address = InetAddress.getByName(host);
            return address.isLoopbackAddress() || address.isAnyLocalAddress()
                || NetworkInterface.getByInetAddress(address) != null;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /** {@code controlPlane.distribution.shards}: CONFIG streams (default 1). */
    private static int distributionShards(final ConfigNode distribution)
    {
        if (!distribution.isPresent())
        {
            return 1;
        }
        distribution.requireMapping("shards");
        return distribution.integer("shards", 1, 1, DistributionChannels.MAX_SHARDS);
    }

    /** {@code controlPlane.mecApi}: the MEC 011 API's listener, absent for none. */
    private static Optional<MecApiConfig> mecApi(final ConfigNode control, final String address)
    {
        final ConfigNode mec = control.get("mecApi");
        if (!mec.isPresent())
        {
            return Optional.empty();
        }
        mec.requireMapping("address", "port", "apiRoot", "oauth2");
        final String mecAddress = mec.string("address", address);
        final int port = mec.integer("port", MecApiConfig.DEFAULT_PORT, 0, 65535);
        final String apiRoot = mec.string("apiRoot", "");
        final Optional<MecApiOAuth2> oauth2 = mecApiOAuth2(mec.get("oauth2"));
        return Optional.of(mec.build(m -> new MecApiConfig(mecAddress, port, apiRoot, oauth2)));
    }

    /**
     * {@code controlPlane.mecApi.oauth2}: bearer tokens accepted besides client certificates, absent for none; the
     * JWK set is read here once so that a missing or unusable file stops the start.
     */
    private static Optional<MecApiOAuth2> mecApiOAuth2(final ConfigNode node)
    {
        if (!node.isPresent())
        {
            return Optional.empty();
        }
        node.requireMapping("jwksFile", "issuer", "audience", "claim");
        final Path jwks = node.file("jwksFile");
        final String issuer = node.string("issuer");
        final String audience = node.string("audience");
        final String claim = node.string("claim", MecApiOAuth2.DEFAULT_CLAIM);
        final MecApiOAuth2 oauth2 = node.build(n -> new MecApiOAuth2(jwks, issuer, audience, claim));
        try
        {
            oauth2.readKeys();
        }
        catch (final IllegalArgumentException ex)
        {
            throw node.get("jwksFile").error(ex.getMessage().replaceFirst("^jwksFile: ", ""));
        }
        return Optional.of(oauth2);
    }

    /**
     * {@code controlPlane.configVerificationKeys}: a PEM file of the control plane's Ed25519 public keys (its
     * {@code config-verification.pem}); read here once so that a missing or malformed file stops the start.
     */
    private static Optional<Path> configVerificationKeys(final ConfigNode control)
    {
        final ConfigNode node = control.get("configVerificationKeys");
        if (!node.isPresent())
        {
            return Optional.empty();
        }
        final Path file = control.file("configVerificationKeys");
        try
        {
            if (SignedConfig.fromPem(Files.readString(file, StandardCharsets.US_ASCII), file.toString()).isEmpty())
            {
                throw node.error(file + ": no PUBLIC KEY block (expected the control plane's "
                    + "config-verification.pem)");
            }
        }
        catch (final IOException ex)
        {
            throw node.error(file + ": cannot be read: " + ex.getMessage());
        }
        catch (final IllegalArgumentException ex)
        {
            throw node.error(ex.getMessage());
        }
        return Optional.of(file);
    }

    /** {@code controlPlane.api}; {@code controlPlane.apiPort} is the deprecated alias of {@code api.port}. */
    private static ControlPlaneConfig.Api api(final ConfigNode control, final String address)
    {
        final ConfigNode api = control.get("api");
        api.requireMapping("address", "port", "insecureLoopback", "roles");
        if (control.get("apiPort").isPresent() && api.get("port").isPresent())
        {
            throw control.get("apiPort").error("conflicts with api.port (apiPort is its deprecated name: keep"
                + " api.port)");
        }
        final int port = api.get("port").isPresent()
            ? api.integer("port", ControlPlaneConfig.DEFAULT_API_PORT, 0, 65535)
            : control.integer("apiPort", ControlPlaneConfig.DEFAULT_API_PORT, 0, 65535);
        final String apiAddress = api.string("address", address);
        final boolean insecure = api.bool("insecureLoopback", false);
        if (insecure && !ControlPlaneConfig.Api.isLoopback(apiAddress))
        {
            throw api.get("insecureLoopback").error("plain HTTP is allowed only on a loopback address, and the"
                + " API's address is " + apiAddress + " (remove insecureLoopback to serve TLS with client"
                + " certificates)");
        }
        final Map<SpiffeId, ApiRole> roles = new LinkedHashMap<>();
        api.stringMap("roles").forEach((prefix, role) ->
        {
            try
            {
                roles.put(SpiffeId.parse(prefix), ApiRole.ofOperator(role));
            }
            catch (final IllegalArgumentException ex)
            {
                throw api.get("roles").get(prefix).error(ex.getMessage() + " (roles map SPIFFE id prefixes to"
                    + " viewer, operator or admin)");
            }
        });
        return api.build(a -> new ControlPlaneConfig.Api(apiAddress, port, insecure, roles));
    }

    private static NodeConfig node(final ConfigNode node)
    {
        node.requireMapping("id", "site", "zone");
        return node.build(n -> new NodeConfig(n.string("id", defaultNodeId()), n.string("site", ""),
            n.string("zone", "")));
    }

    private static AdminConfig admin(final ConfigNode admin)
    {
        admin.requireMapping("address", "port");
        return admin.build(a -> new AdminConfig(
            a.string("address", AdminConfig.DEFAULT_ADDRESS),
            a.integer("port", AdminConfig.DEFAULT_PORT, 0, 65535)));
    }

    private static MeshConfig dataplane(final ConfigNode dataplane, final NodeConfig node)
    {
        dataplane.requireMapping("transport", "eventLoopThreads", "listeners", "clusters", "routes", "overload", "qos",
            "slices", "classification");
        final MeshConfig mesh = dataplane.build(d -> new MeshConfig(
            0,
            d.enumValue("transport", TransportKind.class, TransportKind.AUTO),
            d.integer("eventLoopThreads", 0, 0, 1024),
            new Locality(node.site(), node.zone()),
            d.list("listeners", ConfigLoader::listener),
            d.list("routes", ConfigLoader::route),
            d.list("clusters", ConfigLoader::cluster),
            healthChecks(d.list("clusters", c -> c)),
            overload(d.get("overload"))));
        dataplane.build(d -> requireMirrorClusters(mesh));
        return mesh;
    }

    /** A slice of {@code dataplane.slices}: the desired state's slice fields, and its {@code qos}. */
    private record DeclaredSlice(Slice slice, SliceQosConfig qos)
    {
    }

    /**
     * One {@code dataplane.slices[i]}: a desired-state slice, read by the control plane's own parser (so every field,
     * {@code qos} included, means the same in both places).
     */
    private static DeclaredSlice slice(final ConfigNode node)
    {
        if (node.json() == null || !node.json().isObject())
        {
            throw node.error("expected a mapping with snssai, name and fiveQi");
        }
        final Slice slice = node.build(n -> new DesiredStateDocument(FiveQiTable.standard(),
            DscpTable.defaultTable()).slice(node.json(), ""));
        return new DeclaredSlice(slice, new SliceQosConfig(slice.snssai().sliceId(), slice.qos().mode(),
            slice.qos().maxShapingWaitMs(), slice.qos().requestsPerSecond(), slice.bitRates().gbrUplinkBps(),
            slice.bitRates().gbrDownlinkBps(), slice.qos().priorityWeight()));
    }

    /**
     * The file's slices into the data plane: their classification rules (slice by slice, in file order) and QoS
     * settings, with {@code dataplane.qos.linkCapacityBps}.
     */
    private static MeshConfig withSlices(final MeshConfig mesh, final ConfigNode dataplane,
        final List<DeclaredSlice> slices)
    {
        final ConfigNode qos = dataplane.get("qos");
        if (qos.isPresent())
        {
            qos.requireMapping("linkCapacityBps");
        }
        final long linkCapacityBps = qos.longInteger("linkCapacityBps", 0, 0, Long.MAX_VALUE / 2);
        final Map<Integer, Integer> seen = new LinkedHashMap<>();
        final List<io.mecmesh.dataplane.classify.ClassificationRule> rules = new ArrayList<>();
        for (int i = 0; i < slices.size(); i++)
        {
            final Slice slice = slices.get(i).slice();
            final Integer other = seen.putIfAbsent(slice.snssai().sliceId(), i);
            if (other != null)
            {
                throw dataplane.get("slices").error("[" + i + "].snssai: " + slice.snssai()
                    + " is already declared at slices[" + other + "]");
            }
            rules.addAll(MeshCompiler.classificationRules(slice));
        }
        final int defaultSliceId = defaultSliceId(dataplane.get("classification"));
        if (slices.isEmpty() && !qos.isPresent() && defaultSliceId == 0)
        {
            return mesh;
        }
        return dataplane.build(d -> mesh.withClassification(new ClassificationConfig(rules, defaultSliceId))
            .withQos(new QosConfig(linkCapacityBps, slices.stream().map(DeclaredSlice::qos).toList())));
    }

    /**
     * {@code dataplane.classification.defaultSlice}: the slice (S-NSSAI text) of traffic that no rule matches and
     * whose route belongs to no slice; 0 when absent.
     */
    private static int defaultSliceId(final ConfigNode classification)
    {
        if (!classification.isPresent())
        {
            return 0;
        }
        classification.requireMapping("defaultSlice");
        final ConfigNode defaultSlice = classification.get("defaultSlice");
        if (!defaultSlice.isPresent())
        {
            return 0;
        }
        final String text = classification.string("defaultSlice");
        try
        {
            return Snssai.parse(text).sliceId();
        }
        catch (final IllegalArgumentException ex)
        {
            throw defaultSlice.error(String.valueOf(ex.getMessage()).replaceFirst("^snssai: ", ""));
        }
    }

    /** A mirror names a cluster that exists (the mesh configuration checks the clusters routes forward to). */
    private static MeshConfig requireMirrorClusters(final MeshConfig mesh)
    {
        final List<String> names = mesh.clusters().stream().map(ClusterConfig::name).sorted().toList();
        for (int i = 0; i < mesh.routes().size(); i++)
        {
            if (mesh.routes().get(i).action() instanceof RouteAction.Forward forward && forward.mirror().isPresent()
                && !names.contains(forward.mirror().get().cluster()))
            {
                throw new IllegalArgumentException("routes[" + i + "].mirror.cluster: no cluster named \""
                    + forward.mirror().get().cluster() + "\" (clusters: " + String.join(", ", names) + ")");
            }
        }
        return mesh;
    }

    /** The {@code healthCheck} of every cluster that has one, by cluster name. */
    private static Map<String, HealthCheckConfig> healthChecks(final List<ConfigNode> clusters)
    {
        final Map<String, HealthCheckConfig> checks = new LinkedHashMap<>();
        for (final ConfigNode cluster : clusters)
        {
            final ConfigNode check = cluster.get("healthCheck");
            if (check.isPresent())
            {
                checks.put(cluster.string("name"), healthCheck(check));
            }
        }
        return checks;
    }

    private static HealthCheckConfig healthCheck(final ConfigNode check)
    {
        check.requireMapping("kind", "path", "expectedStatusMin", "expectedStatusMax", "intervalMs", "timeoutMs",
            "healthyThreshold", "unhealthyThreshold");
        return check.build(h -> new HealthCheckConfig(
            h.enumValue("kind", HealthCheckConfig.Kind.class, HealthCheckConfig.Kind.HTTP),
            h.string("path", HealthCheckConfig.DEFAULT_PATH),
            h.integer("expectedStatusMin", HealthCheckConfig.DEFAULT_EXPECTED_STATUS_MIN, 100, 599),
            h.integer("expectedStatusMax", HealthCheckConfig.DEFAULT_EXPECTED_STATUS_MAX, 100, 599),
            h.longInteger("intervalMs", HealthCheckConfig.DEFAULT_INTERVAL_MS, 10, 3_600_000),
            h.longInteger("timeoutMs", HealthCheckConfig.DEFAULT_TIMEOUT_MS, 1, 3_600_000),
            h.integer("healthyThreshold", HealthCheckConfig.DEFAULT_HEALTHY_THRESHOLD, 1, 100),
            h.integer("unhealthyThreshold", HealthCheckConfig.DEFAULT_UNHEALTHY_THRESHOLD, 1, 100)));
    }

    /**
     * The {@code overload} section: absent means never shed; present, each threshold left out takes its default
     * (a recovery threshold left out is the default, or just below its entry threshold, or 0 with it).
     */
    private static OverloadConfig overload(final ConfigNode overload)
    {
        if (!overload.isPresent())
        {
            return OverloadConfig.DISABLED;
        }
        overload.requireMapping("maxEventLoopLagMs", "recoverEventLoopLagMs", "maxHeapPercent", "recoverHeapPercent",
            "maxDirectMemoryPercent", "recoverDirectMemoryPercent");
        final OverloadConfig defaults = OverloadConfig.DEFAULTS;
        return overload.build(o ->
        {
            final long maxLag = o.longInteger("maxEventLoopLagMs", defaults.maxEventLoopLagMs(), 0, 60_000);
            final int maxHeap = o.integer("maxHeapPercent", defaults.maxHeapPercent(), 0, 100);
            final int maxDirect = o.integer("maxDirectMemoryPercent", defaults.maxDirectMemoryPercent(), 0, 100);
            return new OverloadConfig(
                maxLag,
                o.longInteger("recoverEventLoopLagMs",
                    Math.max(0, Math.min(defaults.recoverEventLoopLagMs(), maxLag - 1)), 0, 60_000),
                maxHeap,
                o.integer("recoverHeapPercent", Math.max(0, Math.min(defaults.recoverHeapPercent(), maxHeap - 1)),
                    0, 100),
                maxDirect,
                o.integer("recoverDirectMemoryPercent",
                    Math.max(0, Math.min(defaults.recoverDirectMemoryPercent(), maxDirect - 1)), 0, 100));
        });
    }

    private static ListenerConfig listener(final ConfigNode listener)
    {
        listener.requireMapping("name", "address", "port", "maxRequestLineBytes", "maxHeaderBytes", "maxHeaderCount",
            "maxRequestBodyBytes", "requestHeaderTimeoutMs", "idleTimeoutMs", "maxConnections",
            "maxRequestsPerConnection", "tls", "tcpCluster", "requestBodyTimeoutMs", "authorization");
        final Optional<TlsConfig> tls = listenerTls(listener.get("tls"));
        return listener.build(l -> new ListenerConfig(
            l.string("name"),
            l.string("address", "0.0.0.0"),
            l.requiredInteger("port", 0, 65535),
            l.integer("maxRequestLineBytes", ListenerConfig.DEFAULT_MAX_REQUEST_LINE_BYTES, 256, 1 << 20),
            l.integer("maxHeaderBytes", ListenerConfig.DEFAULT_MAX_HEADER_BYTES, 1024, 1 << 20),
            l.integer("maxHeaderCount", ListenerConfig.DEFAULT_MAX_HEADER_COUNT, 1, 10_000),
            l.longInteger("maxRequestBodyBytes", ListenerConfig.DEFAULT_MAX_REQUEST_BODY_BYTES, 0,
                ListenerConfig.MAX_REQUEST_BODY_BYTES_LIMIT),
            l.longInteger("requestHeaderTimeoutMs", ListenerConfig.DEFAULT_REQUEST_HEADER_TIMEOUT_MS, 1,
                ListenerConfig.MAX_REQUEST_HEADER_TIMEOUT_MS),
            l.longInteger("idleTimeoutMs", ListenerConfig.DEFAULT_IDLE_TIMEOUT_MS, 1,
                ListenerConfig.MAX_IDLE_TIMEOUT_MS),
            l.integer("maxConnections", ListenerConfig.DEFAULT_MAX_CONNECTIONS, 1, 1_000_000),
            l.integer("maxRequestsPerConnection", ListenerConfig.DEFAULT_MAX_REQUESTS_PER_CONNECTION, 0,
                Integer.MAX_VALUE),
            tls,
            l.get("tcpCluster").isPresent() ? Optional.of(l.string("tcpCluster")) : Optional.empty(),
            l.longInteger("requestBodyTimeoutMs", ListenerConfig.DEFAULT_REQUEST_BODY_TIMEOUT_MS, 0,
                ListenerConfig.MAX_REQUEST_BODY_TIMEOUT_MS),
            tlsPolicy(listener.get("tls")),
            authorization(l.get("authorization"))));
    }

    /** {@code tls.minVersion} and {@code tls.cipherSuites}: external listeners only (the mesh is TLS 1.3 only). */
    private static TlsPolicy tlsPolicy(final ConfigNode tls)
    {
        if (!tls.isPresent() || !tls.get("minVersion").isPresent() && !tls.get("cipherSuites").isPresent())
        {
            return TlsPolicy.DEFAULT;
        }
        if (tls.enumValue("mode", TlsConfig.Mode.class, TlsConfig.Mode.MESH) != TlsConfig.Mode.EXTERNAL)
        {
            final String key = tls.get("minVersion").isPresent() ? "minVersion" : "cipherSuites";
            throw tls.get(key).error("only with mode: external (mesh listeners are TLS 1.3 only)");
        }
        return tls.build(t -> new TlsPolicy(t.string("minVersion", TlsPolicy.TLS_1_2),
            t.get("cipherSuites").isPresent() ? t.list("cipherSuites", ConfigNode::asString)
                : TlsPolicy.DEFAULT_CIPHER_SUITES));
    }

    private static Optional<TlsConfig> listenerTls(final ConfigNode tls)
    {
        if (!tls.isPresent())
        {
            return Optional.empty();
        }
        tls.requireMapping("certificateChain", "privateKey", "trustBundle", "mode", "identity", "minVersion",
            "cipherSuites");
        return Optional.of(tlsFiles(tls, tls.enumValue("mode", TlsConfig.Mode.class, TlsConfig.Mode.MESH)));
    }

    private static RouteConfig route(final ConfigNode route)
    {
        route.requireMapping("name", "host", "path", "pathPrefix", "pathRegex", "methods", "headers", "cluster",
            "clusters", "respond", "redirect", "timeoutMs", "perTryTimeoutMs", "retry", "requestHeaders",
            "responseHeaders", "authorization", "mirror");
        return route.build(r -> new RouteConfig(
            r.string("name", ""),
            new RouteMatch(r.string("host", RouteConfig.ANY_HOST), path(r),
                r.list("methods", m -> m.asString().toUpperCase(java.util.Locale.ROOT)),
                r.list("headers", ConfigLoader::headerMatch)),
            action(r),
            headerRewrite(r.get("requestHeaders")),
            headerRewrite(r.get("responseHeaders")),
            authorization(r.get("authorization"))));
    }

    private static AuthorizationPolicy authorization(final ConfigNode policy)
    {
        if (!policy.isPresent())
        {
            return AuthorizationPolicy.ALLOW_ALL;
        }
        policy.requireMapping("allow", "deny");
        return policy.build(p -> new AuthorizationPolicy(p.list("allow", ConfigLoader::authzRule),
            p.list("deny", ConfigLoader::authzRule)));
    }

    private static AuthzRule authzRule(final ConfigNode rule)
    {
        rule.requireMapping("principals", "methods", "paths");
        return rule.build(r -> new AuthzRule(
            r.list("principals", p -> p.build(x -> principal(x.asString()))),
            r.list("methods", m -> m.asString().toUpperCase(java.util.Locale.ROOT)),
            r.list("paths", ConfigNode::asString)));
    }

    private static PrincipalMatch principal(final String text)
    {
        try
        {
            return PrincipalMatch.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("expected a SPIFFE id, a prefix ending in /*, a trust domain "
                + "(spiffe://domain) or unauthenticated, got \"" + text + "\": " + ex.getMessage(), ex);
        }
    }

    private static PathMatch path(final ConfigNode route)
    {
        final String kind = route.oneOf("path", "pathPrefix", "pathRegex");
        if (kind == null)
        {
            return PathMatch.prefix("/");
        }
        final String value = route.string(kind);
        return route.build(p -> switch (kind)
        {
            case "path" -> PathMatch.exact(value);
            case "pathRegex" -> PathMatch.regex(value);
            default -> PathMatch.prefix(value);
        });
    }

    private static HeaderMatch headerMatch(final ConfigNode header)
    {
        header.requireMapping("name", "exact", "regex", "present", "absent");
        final String name = header.string("name");
        final String kind = header.oneOf("exact", "regex", "present", "absent");
        if (kind == null)
        {
            throw header.error("expected one of exact, regex, present: true, absent: true");
        }
        return header.build(h -> switch (kind)
        {
            case "exact" -> new HeaderMatch(name, HeaderMatch.Kind.EXACT, h.string("exact"));
            case "regex" -> new HeaderMatch(name, HeaderMatch.Kind.REGEX, h.string("regex"));
            case "present" -> new HeaderMatch(name, h.bool("present", true) ? HeaderMatch.Kind.PRESENT
                : HeaderMatch.Kind.ABSENT, "");
            default -> new HeaderMatch(name, h.bool("absent", true) ? HeaderMatch.Kind.ABSENT
                : HeaderMatch.Kind.PRESENT, "");
        });
    }

    private static RouteAction action(final ConfigNode route)
    {
        final String kind = route.oneOf("cluster", "clusters", "respond", "redirect");
        if (kind == null)
        {
            throw route.get("cluster").error("missing (a route needs one of cluster, clusters, respond, redirect)");
        }
        switch (kind)
        {
            case "respond":
            case "redirect":
                if (route.get("mirror").isPresent())
                {
                    throw route.get("mirror").error("only a route with cluster or clusters can mirror");
                }
                break;
            default:
                break;
        }
        switch (kind)
        {
            case "respond":
            {
                final ConfigNode respond = route.get("respond").requireMapping("status", "body");
                return respond.build(x -> new RouteAction.Respond(x.requiredInteger("status", 200, 599),
                    x.string("body", "")));
            }
            case "redirect":
            {
                final ConfigNode redirect = route.get("redirect").requireMapping("status", "scheme", "host", "path");
                return redirect.build(x -> new RouteAction.Redirect(x.integer("status", 301, 301, 308),
                    x.string("scheme", ""), x.string("host", ""), x.string("path", "")));
            }
            default:
            {
                final List<WeightedCluster> clusters = "cluster".equals(kind)
                    ? List.of(new WeightedCluster(route.string("cluster"), 1))
                    : route.list("clusters", c -> c.requireMapping("name", "weight")
                        .build(x -> new WeightedCluster(x.string("name"), x.integer("weight", 1, 1, 10_000))));
                return new RouteAction.Forward(clusters,
                    route.longInteger("timeoutMs", 15_000, 0, 3_600_000),
                    route.longInteger("perTryTimeoutMs", 0, 0, 3_600_000),
                    retry(route.get("retry")),
                    mirror(route.get("mirror")));
            }
        }
    }

    private static Optional<Mirror> mirror(final ConfigNode mirror)
    {
        if (!mirror.isPresent())
        {
            return Optional.empty();
        }
        mirror.requireMapping("cluster", "percent");
        return Optional.of(mirror.build(m -> new Mirror(m.string("cluster"), m.integer("percent", 100, 0, 100))));
    }

    private static RetryPolicy retry(final ConfigNode retry)
    {
        if (!retry.isPresent())
        {
            return RetryPolicy.DEFAULT;
        }
        retry.requireMapping("maxRetries", "retryOn", "backoffBaseMs", "backoffMaxMs", "budgetRatio",
            "minRetriesPerSecond", "maxBufferedBodyBytes");
        final RetryPolicy defaults = RetryPolicy.DEFAULT;
        return retry.build(r -> new RetryPolicy(
            r.integer("maxRetries", defaults.maxRetries(), 0, 10),
            r.get("retryOn").isPresent() ? Set.copyOf(r.list("retryOn", s -> s.build(
                x -> Integer.parseInt(x.asString())))) : defaults.retryOnStatuses(),
            r.longInteger("backoffBaseMs", defaults.backoffBaseMs(), 1, 60_000),
            r.longInteger("backoffMaxMs", defaults.backoffMaxMs(), 1, 600_000),
            r.decimal("budgetRatio", defaults.budgetRatio(), 0, 10),
            r.integer("minRetriesPerSecond", defaults.minRetriesPerSecond(), 0, 100_000),
            r.integer("maxBufferedBodyBytes", defaults.maxBufferedBodyBytes(), 0, 16 * 1024 * 1024)));
    }

    private static HeaderRewrite headerRewrite(final ConfigNode rewrite)
    {
        if (!rewrite.isPresent())
        {
            return HeaderRewrite.NONE;
        }
        rewrite.requireMapping("set", "remove");
        return rewrite.build(r -> new HeaderRewrite(r.stringMap("set"), r.list("remove", ConfigNode::asString)));
    }

    private static ClusterConfig cluster(final ConfigNode cluster)
    {
        cluster.requireMapping("name", "endpoints", "connectTimeoutMs", "maxIdleConnectionsPerLoop", "idleTimeoutMs",
            "lbPolicy", "hashHeader", "localitySpillPercent", "outlierDetection", "tls", "protocol",
            "circuitBreakers", "healthCheck");
        return cluster.build(c -> new ClusterConfig(
            c.string("name"),
            c.list("endpoints", ConfigLoader::endpoint),
            c.integer("connectTimeoutMs", ClusterConfig.DEFAULT_CONNECT_TIMEOUT_MS, 1, 600_000),
            c.integer("maxIdleConnectionsPerLoop", ClusterConfig.DEFAULT_MAX_IDLE_CONNECTIONS_PER_LOOP, 0, 100_000),
            c.longInteger("idleTimeoutMs", ClusterConfig.DEFAULT_IDLE_TIMEOUT_MS, 1, 86_400_000L),
            c.enumValue("lbPolicy", LbPolicy.class, LbPolicy.ROUND_ROBIN),
            c.string("hashHeader", ""),
            c.integer("localitySpillPercent", ClusterConfig.DEFAULT_LOCALITY_SPILL_PERCENT, 0, 100),
            outlier(c.get("outlierDetection")),
            clusterTls(c.get("tls")),
            c.enumValue("protocol", UpstreamProtocol.class, UpstreamProtocol.HTTP1),
            circuitBreakers(c.get("circuitBreakers"))));
    }

    private static CircuitBreakers circuitBreakers(final ConfigNode limits)
    {
        if (!limits.isPresent())
        {
            return CircuitBreakers.DEFAULT;
        }
        limits.requireMapping("maxConnections", "maxPendingRequests", "maxRequests", "maxRetries",
            "maxActiveRequestsPerLoop", "maxQueuedRequestsPerLoop");
        final CircuitBreakers defaults = CircuitBreakers.DEFAULT;
        return limits.build(l -> new CircuitBreakers(
            l.integer("maxConnections", defaults.maxConnections(), 1, 1_000_000),
            l.integer("maxPendingRequests", defaults.maxPendingRequests(), 0, 1_000_000),
            l.integer("maxRequests", defaults.maxRequests(), 1, 1_000_000),
            l.integer("maxRetries", defaults.maxRetries(), 0, 1_000_000),
            l.integer("maxActiveRequestsPerLoop", 0, 0, 1_000_000),
            l.integer("maxQueuedRequestsPerLoop", CircuitBreakers.DEFAULT_MAX_QUEUED_REQUESTS_PER_LOOP, 1, 1_000_000)));
    }

    private static Endpoint endpoint(final ConfigNode endpoint)
    {
        if (!endpoint.isPresent() || endpoint.isScalar())
        {
            return endpoint.build(text -> Endpoint.parse(text.asString()));
        }
        endpoint.requireMapping("address", "site", "zone", "weight");
        final Endpoint parsed = endpoint.get("address").build(a -> Endpoint.parse(endpoint.string("address")));
        return endpoint.build(e -> new Endpoint(parsed.host(), parsed.port(),
            new Locality(e.string("site", ""), e.string("zone", "")), e.integer("weight", 1, 1, 1000)));
    }

    private static Optional<ClusterTls> clusterTls(final ConfigNode tls)
    {
        if (!tls.isPresent())
        {
            return Optional.empty();
        }
        tls.requireMapping("certificateChain", "privateKey", "trustBundle", "expectedPeer", "sni", "identity");
        final TlsConfig files = tlsFiles(tls, TlsConfig.Mode.MESH);
        final SpiffeId peer = tls.get("expectedPeer").build(p -> spiffeId(tls.string("expectedPeer")));
        return Optional.of(tls.build(t -> new ClusterTls(files, peer, t.string("sni", ""))));
    }

    /**
     * Reads the certificate, key and bundle paths of a {@code tls} mapping; a relative path is relative to the
     * configuration file's directory. The files are read when the data plane starts.
     */
    static TlsConfig tlsFiles(final ConfigNode tls, final TlsConfig.Mode mode)
    {
        if (tls.get("identity").isPresent())
        {
            if (!"node".equals(tls.string("identity")))
            {
                throw tls.get("identity").error("expected node (this appliance's own identity), got \""
                    + tls.string("identity") + "\"");
            }
            for (final String key : new String[] {"certificateChain", "privateKey", "trustBundle"})
            {
                if (tls.get(key).isPresent())
                {
                    throw tls.get(key).error("not with identity: node (the node identity supplies it)");
                }
            }
            return TlsConfig.nodeIdentity(mode);
        }
        return tls.build(t -> new TlsConfig(t.file("certificateChain"), t.file("privateKey"),
            t.file("trustBundle"), mode));
    }

    private static SpiffeId spiffeId(final String text)
    {
        try
        {
            return SpiffeId.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("expected a SPIFFE id such as spiffe://example.org/app/x or a trust "
                + "domain such as spiffe://example.org: " + ex.getMessage(), ex);
        }
    }

    private static OutlierDetection outlier(final ConfigNode outlier)
    {
        if (!outlier.isPresent())
        {
            return OutlierDetection.DEFAULT;
        }
        outlier.requireMapping("consecutiveFailures", "baseEjectionMs", "maxEjectionPercent");
        final OutlierDetection defaults = OutlierDetection.DEFAULT;
        return outlier.build(o -> new OutlierDetection(
            o.integer("consecutiveFailures", defaults.consecutiveFailures(), 0, 1000),
            o.longInteger("baseEjectionMs", defaults.baseEjectionMs(), 1, 3_600_000),
            o.integer("maxEjectionPercent", defaults.maxEjectionPercent(), 0, 100)));
    }

    private static String defaultNodeId()
    {
        try
        {
            final String host = InetAddress.getLocalHost().getHostName();
            final int dot = host.indexOf('.');
            final String id = (dot > 0 ? host.substring(0, dot) : host).replaceAll("[^A-Za-z0-9._-]", "-");
            return id.isEmpty() || !Character.isLetterOrDigit(id.charAt(0)) ? "mecmesh-node" : id;
        }
        catch (final UnknownHostException ex)
        {
            return "mecmesh-node";
        }
    }
}
