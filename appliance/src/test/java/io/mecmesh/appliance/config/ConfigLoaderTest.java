package io.mecmesh.appliance.config;

import io.mecmesh.appliance.ApplianceException;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.authz.AuthorizationPolicy;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.CircuitBreakers;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.HealthCheckConfig;
import io.mecmesh.dataplane.cluster.LbPolicy;
import io.mecmesh.dataplane.cluster.Locality;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.overload.OverloadConfig;
import io.mecmesh.dataplane.route.HeaderMatch;
import io.mecmesh.dataplane.route.HeaderRewrite;
import io.mecmesh.dataplane.route.Mirror;
import io.mecmesh.dataplane.route.PathMatch;
import io.mecmesh.dataplane.route.RetryPolicy;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.route.RouteMatch;
import io.mecmesh.dataplane.route.WeightedCluster;
import io.mecmesh.dataplane.tls.TlsPolicy;
import io.mecmesh.dataplane.transport.TransportKind;
import io.mecmesh.mecapi.dns.DnsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.dataplane.qos.QosConfig;
import io.mecmesh.dataplane.qos.QosMode;
import io.mecmesh.dataplane.qos.SliceQosConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest
{
    private static final String VALID = """
        node:
          id: edge-7
        admin:
          port: 0
        dataplane:
          transport: epoll
          listeners:
            - name: ingress
              address: 127.0.0.1
              port: 15001
          clusters:
            - name: app
              endpoints: ["127.0.0.1:8080", "[::1]:8081"]
          routes:
            - host: app.local
              cluster: app
        """;

    @Test
    void shouldLoadTheDefaultConfigurationThatShipsInPackaging()
    {
        final ApplianceConfig config = ConfigLoader.load(Path.of("../packaging/src/etc/appliance.yaml"));

        assertThat(config.node().id()).isEqualTo("edge-1");
        assertThat(config.admin()).isEqualTo(new AdminConfig("127.0.0.1", 15000));
        assertThat(config.dataplane().transport()).isEqualTo(TransportKind.AUTO);
        assertThat(config.dataplane().listeners()).singleElement()
            .satisfies(listener -> assertThat(listener.port()).isEqualTo(15001));
        assertThat(config.dataplane().routes()).singleElement()
            .satisfies(route -> assertThat(route.action().clusterNames()).containsExactly("local-app"));
    }

    @Test
    void shouldApplyDefaultsForKeysLeftOut()
    {
        final ApplianceConfig config = ConfigLoader.parse("a.yaml", VALID);

        assertThat(config.dataplane().transport()).isEqualTo(TransportKind.EPOLL);
        assertThat(config.dataplane().eventLoopThreads()).isZero();
        assertThat(config.admin().address()).isEqualTo("127.0.0.1");
        assertThat(config.dataplane().routes().get(0).match().path()).isEqualTo(PathMatch.prefix("/"));
        assertThat(config.dataplane().routes().get(0).action()).isEqualTo(RouteAction.Forward.to("app"));
        assertThat(config.dataplane().clusters().get(0).endpoints().get(1).host()).isEqualTo("::1");
        assertThat(config.dataplane().clusters().get(0).connectTimeoutMs()).isEqualTo(1000);
    }

    private static final String ROUTES = """
        node:
          id: edge-7
          site: site-a
          zone: metro-1
        dataplane:
          listeners:
            - name: ingress
              port: 0
          clusters:
            - name: v1
              endpoints:
                - "127.0.0.1:8080"
                - address: "127.0.0.1:8081"
                  site: site-b
                  zone: metro-1
                  weight: 3
              lbPolicy: ring_hash
              hashHeader: x-user
              outlierDetection: {consecutiveFailures: 0}
            - name: v2
              endpoints: ["127.0.0.1:8082"]
              lbPolicy: least-request
          routes:
            - name: api
              host: "*.edge.local"
              pathRegex: "/v[0-9]+/.*"
              methods: [get, post]
              headers:
                - {name: x-canary, exact: "1"}
                - {name: x-debug, absent: true}
              clusters: [{name: v1, weight: 90}, {name: v2, weight: 10}]
              timeoutMs: 2000
              perTryTimeoutMs: 500
              retry: {maxRetries: 1, retryOn: [502, 503], budgetRatio: 0.1}
              requestHeaders: {set: {x-slice: "1-000001"}, remove: [x-internal]}
            - path: /healthz
              respond: {status: 200, body: "ok"}
            - pathPrefix: /old
              redirect: {status: 308, scheme: https}
        """;

    @Test
    void shouldLoadEveryRouteAndClusterForm()
    {
        final ApplianceConfig config = ConfigLoader.parse("a.yaml", ROUTES);

        assertThat(config.dataplane().locality()).isEqualTo(new Locality("site-a", "metro-1"));
        final ClusterConfig v1 = config.dataplane().clusters().get(0);
        assertThat(v1.endpoints().get(1)).isEqualTo(new Endpoint("127.0.0.1", 8081,
            new Locality("site-b", "metro-1"), 3));
        assertThat(v1.lbPolicy()).isEqualTo(LbPolicy.RING_HASH);
        assertThat(v1.hashHeader()).isEqualTo("x-user");
        assertThat(v1.outlierDetection().consecutiveFailures()).isZero();
        assertThat(config.dataplane().clusters().get(1).lbPolicy()).isEqualTo(LbPolicy.LEAST_REQUEST);

        final RouteConfig api = config.dataplane().routes().get(0);
        assertThat(api.name()).isEqualTo("api");
        assertThat(api.match()).isEqualTo(new RouteMatch("*.edge.local", PathMatch.regex("/v[0-9]+/.*"),
            List.of("GET", "POST"), List.of(new HeaderMatch("x-canary", HeaderMatch.Kind.EXACT, "1"),
                new HeaderMatch("x-debug", HeaderMatch.Kind.ABSENT, ""))));
        assertThat(api.action()).isEqualTo(new RouteAction.Forward(
            List.of(new WeightedCluster("v1", 90), new WeightedCluster("v2", 10)), 2000, 500,
            new RetryPolicy(1, Set.of(502, 503), 25, 250, 0.1, 10, 65536)));
        assertThat(api.requestHeaders()).isEqualTo(new HeaderRewrite(Map.of("x-slice", "1-000001"),
            List.of("x-internal")));
        assertThat(config.dataplane().routes().get(1).action()).isEqualTo(new RouteAction.Respond(200, "ok"));
        assertThat(config.dataplane().routes().get(1).match().path()).isEqualTo(PathMatch.exact("/healthz"));
        assertThat(config.dataplane().routes().get(2).action())
            .isEqualTo(new RouteAction.Redirect(308, "https", "", ""));
    }

    @Test
    void shouldRejectARouteWithTwoActions()
    {
        assertConfigError(ROUTES.replace("      respond: {status: 200, body: \"ok\"}",
                "      respond: {status: 200, body: \"ok\"}\n      cluster: v1"),
            "a.yaml: dataplane.routes[1].respond: conflicts with cluster (give only one of: cluster, clusters, "
                + "respond, redirect)");
    }

    @Test
    void shouldLoadAMirrorAndCircuitBreakers()
    {
        final ApplianceConfig config = ConfigLoader.parse("a.yaml", ROUTES
            .replace("      timeoutMs: 2000\n", "      timeoutMs: 2000\n      mirror: {cluster: v2, percent: 25}\n")
            .replace("      lbPolicy: least-request\n",
                "      lbPolicy: least-request\n      circuitBreakers: {maxConnections: 10, maxPendingRequests: 0}\n"));

        assertThat(((RouteAction.Forward)config.dataplane().routes().get(0).action()).mirror())
            .contains(new Mirror("v2", 25));
        assertThat(config.dataplane().clusters().get(1).circuitBreakers())
            .isEqualTo(new CircuitBreakers(10, 0, 1024, 3));
        assertThat(config.dataplane().clusters().get(0).circuitBreakers()).isEqualTo(CircuitBreakers.DEFAULT);
        assertThat(((RouteAction.Forward)ConfigLoader.parse("a.yaml", VALID).dataplane().routes().get(0).action())
            .mirror()).isEmpty();
    }

    @Test
    void shouldRejectAMirrorToAClusterThatDoesNotExist()
    {
        assertConfigError(ROUTES.replace("      timeoutMs: 2000\n", "      timeoutMs: 2000\n      mirror: {cluster: v9}\n"),
            "a.yaml: dataplane.routes[0].mirror.cluster: no cluster named \"v9\" (clusters: v1, v2)");
    }

    @Test
    void shouldRejectAMirrorPercentOutOfRangeAndAMirrorOnADirectResponse()
    {
        assertConfigError(ROUTES.replace("      timeoutMs: 2000\n",
                "      timeoutMs: 2000\n      mirror: {cluster: v2, percent: 150}\n"),
            "a.yaml: dataplane.routes[0].mirror.percent: expected an integer from 0 to 100, got 150");
        assertConfigError(ROUTES.replace("      respond: {status: 200, body: \"ok\"}\n",
                "      respond: {status: 200, body: \"ok\"}\n      mirror: {cluster: v2}\n"),
            "a.yaml: dataplane.routes[1].mirror: only a route with cluster or clusters can mirror");
    }

    @Test
    void shouldLoadAClustersActiveRequestLimitAndRejectAnEmptyQueue()
    {
        final ApplianceConfig config = ConfigLoader.parse("a.yaml", ROUTES.replace("      lbPolicy: least-request\n",
            "      lbPolicy: least-request\n      circuitBreakers: {maxActiveRequestsPerLoop: 4}\n"));

        assertThat(config.dataplane().clusters().get(1).circuitBreakers())
            .isEqualTo(new CircuitBreakers(1024, 1024, 1024, 3, 4, 1024));
        assertThat(CircuitBreakers.DEFAULT.maxActiveRequestsPerLoop()).as("no limit unless configured").isZero();
        assertConfigError(ROUTES.replace("      lbPolicy: least-request\n",
                "      lbPolicy: least-request\n      circuitBreakers: {maxQueuedRequestsPerLoop: 0}\n"),
            "a.yaml: dataplane.clusters[1].circuitBreakers.maxQueuedRequestsPerLoop: expected an integer from 1 to "
                + "1000000, got 0");
    }

    @Test
    void shouldRejectACircuitBreakerLimitOutOfRangeOrUnknown()
    {
        assertConfigError(ROUTES.replace("      lbPolicy: least-request\n",
                "      lbPolicy: least-request\n      circuitBreakers: {maxConnections: 0}\n"),
            "a.yaml: dataplane.clusters[1].circuitBreakers.maxConnections: expected an integer from 1 to 1000000, "
                + "got 0");
        assertThatThrownBy(() -> ConfigLoader.parse("a.yaml", ROUTES.replace("      lbPolicy: least-request\n",
                "      lbPolicy: least-request\n      circuitBreakers: {maxPending: 1}\n")))
            .isInstanceOf(ApplianceException.class)
            .hasMessageStartingWith("a.yaml: dataplane.clusters[1].circuitBreakers.maxPending: unknown key");
    }

    @Test
    void shouldLoadRemoteWriteWithDefaultsAndRejectABadUrlOrQuota()
    {
        assertThat(ConfigLoader.parse("a.yaml", VALID).telemetry()).isEqualTo(TelemetryConfig.NONE);
        final ApplianceConfig config = ConfigLoader.parse("a.yaml", VALID
            + "telemetry:\n  remoteWrite: {url: \"http://core.example:9090/api/v1/write\"}\n");
        assertThat(config.telemetry().remoteWrite()).hasValue(new TelemetryConfig.RemoteWrite(
            URI.create("http://core.example:9090/api/v1/write"), 15_000, 64L * 1024 * 1024));

        assertConfigError(VALID + "telemetry:\n  remoteWrite: {url: \"core.example:9090\"}\n",
            "a.yaml: telemetry.remoteWrite.url: expected an http or https URL with a host, such as "
                + "http://127.0.0.1:9090/api/v1/write, got \"core.example:9090\"");
        assertConfigError(VALID + "telemetry:\n  remoteWrite: {url: \"http://c/w\", diskQuotaBytes: 1000}\n",
            "a.yaml: telemetry.remoteWrite.diskQuotaBytes: expected an integer from 65536 to 1099511627776, got 1000");
        assertThatThrownBy(() -> ConfigLoader.parse("a.yaml", VALID + "telemetry:\n  remoteWrite: {intervalMs: 5}\n"))
            .isInstanceOf(ApplianceException.class)
            .hasMessageStartingWith("a.yaml: telemetry.remoteWrite.url: missing");
    }

    @Test
    void shouldKeepRequestMetricsByDefaultAndTurnThemOffOnlyWhenAskedWithABoolean()
    {
        assertThat(ConfigLoader.parse("a.yaml", VALID).telemetry().requestMetrics()).isTrue();
        assertThat(ConfigLoader.parse("a.yaml", VALID + "telemetry: {remoteWrite: {url: \"http://c/w\"}}\n")
            .telemetry().requestMetrics()).isTrue();
        final ApplianceConfig off = ConfigLoader.parse("a.yaml", VALID + "telemetry: {requestMetrics: false}\n");
        assertThat(off.telemetry()).isEqualTo(new TelemetryConfig(java.util.Optional.empty(), false));

        assertConfigError(VALID + "telemetry: {requestMetrics: \"no\"}\n",
            "a.yaml: telemetry.requestMetrics: expected true or false, got \"no\"");
    }

    @Test
    void shouldLoadTracingWithDefaultsAndRejectABadRatioModeOrUrl()
    {
        assertThat(ConfigLoader.parse("a.yaml", VALID).telemetry().tracing()).isEmpty();
        final TelemetryConfig.Tracing defaults = ConfigLoader.parse("a.yaml", VALID + "telemetry: {tracing: {}}\n")
            .telemetry().tracing().orElseThrow();
        assertThat(defaults).isEqualTo(new TelemetryConfig.Tracing(new io.mecmesh.dataplane.trace.TraceConfig(true,
            0.01, true, io.mecmesh.dataplane.trace.TraceConfig.ForwardedFor.OFF), java.util.Optional.empty(), 2048,
            512, 1000));
        final TelemetryConfig.Tracing set = ConfigLoader.parse("a.yaml", VALID + "telemetry:\n  tracing: {samplingRatio:"
            + " 1, forwardedFor: replace, requestId: false, otlpUrl: \"http://127.0.0.1:4318/v1/traces\","
            + " maxQueueSpans: 100, exportIntervalMs: 200}\n").telemetry().tracing().orElseThrow();
        assertThat(set.trace()).isEqualTo(new io.mecmesh.dataplane.trace.TraceConfig(true, 1, false,
            io.mecmesh.dataplane.trace.TraceConfig.ForwardedFor.REPLACE));
        assertThat(set.otlpUrl()).hasValue(URI.create("http://127.0.0.1:4318/v1/traces"));
        assertThat(set.maxBatchSpans()).as("at most the queue").isEqualTo(100);

        assertConfigError(VALID + "telemetry: {tracing: {samplingRatio: 2}}\n",
            "a.yaml: telemetry.tracing.samplingRatio: expected a number from 0.0 to 1.0, got 2.0");
        assertConfigError(VALID + "telemetry: {tracing: {forwardedFor: keep}}\n",
            "a.yaml: telemetry.tracing.forwardedFor: expected off, append or replace, got \"keep\"");
        assertConfigError(VALID + "telemetry: {tracing: {otlpUrl: \"collector:4318\"}}\n",
            "a.yaml: telemetry.tracing.otlpUrl: expected an http or https URL with a host, such as "
                + "http://127.0.0.1:4318/v1/traces, got \"collector:4318\"");
    }

    @Test
    void shouldLoadTheAccessLogWithDefaultsUnderTheDataDirectoryAndRejectABadRetention()
    {
        final ApplianceConfig none = ConfigLoader.parse("a.yaml", VALID);
        assertThat(none.accessLog().enabled()).isFalse();
        final ApplianceConfig on = ConfigLoader.parse("a.yaml", VALID + "accessLog: {}\n");
        assertThat(on.accessLog()).isEqualTo(new AccessLogConfig(true,
            on.dataDirectory().resolve("access-log"), 24, 1L << 30));
        final ApplianceConfig set = ConfigLoader.parse("a.yaml", VALID
            + "accessLog: {enabled: false, directory: /srv/log, retentionHours: 2, maxBytes: 2097152}\n");
        assertThat(set.accessLog()).isEqualTo(new AccessLogConfig(false, java.nio.file.Path.of("/srv/log"), 2,
            2_097_152));

        assertConfigError(VALID + "accessLog: {retentionHours: 0}\n",
            "a.yaml: accessLog.retentionHours: expected an integer from 1 to 8784, got 0");
        assertThatThrownBy(() -> ConfigLoader.parse("a.yaml", VALID + "accessLog: {maxbytes: 5}\n"))
            .isInstanceOf(ApplianceException.class)
            .hasMessageStartingWith("a.yaml: accessLog.maxbytes: unknown key");
    }

    @Test
    void shouldLoadTheDnsResponderOffByDefaultOnLoopbackWhenPresentAndRejectABadUpstream()
    {
        assertThat(ConfigLoader.parse("a.yaml", VALID).dns().enabled()).isFalse();
        final ApplianceConfig on = ConfigLoader.parse("a.yaml", VALID + "dns: {}\n");
        assertThat(on.dns()).isEqualTo(new DnsConfig(true, "127.0.0.1", 15053, List.of(), 2000, 200, 60));
        final ApplianceConfig set = ConfigLoader.parse("a.yaml", VALID + "dns: {address: 0.0.0.0, port: 53, "
            + "upstreams: [\"192.0.2.53\", \"127.0.0.1:5353\", \"[2001:db8::53]:53\"], timeoutMs: 500, "
            + "queriesPerSecondPerClient: 20, defaultTtl: 5}\n");
        assertThat(set.dns().upstreams()).containsExactly(new InetSocketAddress("192.0.2.53", 53),
            new InetSocketAddress("127.0.0.1", 5353), new InetSocketAddress("2001:db8::53", 53));
        assertThat(set.dns().queriesPerSecondPerClient()).isEqualTo(20);
        assertThat(set.dns().localZones()).as("none by default").isEmpty();
        assertThat(ConfigLoader.parse("a.yaml", VALID + "dns: {localZones: [MEC.example., edge.test]}\n").dns()
            .localZones()).containsExactly("mec.example", "edge.test");
        assertConfigError(VALID + "dns: {localZones: [\"bad..zone\"]}\n",
            "a.yaml: dns.localZones[0]: expected a domain name such as mec.example, got \"bad..zone\"");

        assertConfigError(VALID + "dns: {upstreams: [resolver.example]}\n",
            "a.yaml: dns.upstreams[0]: expected an IP address with an optional :port (192.0.2.53:53, "
                + "[2001:db8::53]:53), got \"resolver.example\"");
        assertConfigError(VALID + "dns: {queriesPerSecondPerClient: 0}\n",
            "a.yaml: dns.queriesPerSecondPerClient: expected an integer from 1 to 1000000, got 0");
        assertThatThrownBy(() -> ConfigLoader.parse("a.yaml", VALID + "dns: {ttl: 5}\n"))
            .isInstanceOf(ApplianceException.class).hasMessageStartingWith("a.yaml: dns.ttl: unknown key");
    }

    @Test
    void shouldRejectARouteWithoutAction()
    {
        assertConfigError(ROUTES.replace("      respond: {status: 200, body: \"ok\"}\n", ""),
            "a.yaml: dataplane.routes[1].cluster: missing (a route needs one of cluster, clusters, respond, "
                + "redirect)");
    }

    @Test
    void shouldRejectAnInvalidPathRegex()
    {
        assertConfigError(ROUTES.replace("/v[0-9]+/.*", "/v[0-9+/.*"),
            "a.yaml: dataplane.routes[0].pathRegex: not a valid regular expression: Unclosed character class "
                + "in \"/v[0-9+/.*\"");
    }

    @Test
    void shouldRejectRingHashWithoutAHashHeader()
    {
        assertConfigError(ROUTES.replace("      hashHeader: x-user\n", ""),
            "a.yaml: dataplane.clusters[0].hashHeader: required with lbPolicy ring_hash");
    }

    @Test
    void shouldRejectAWeightedClusterThatDoesNotExist()
    {
        assertConfigError(ROUTES.replace("{name: v2, weight: 10}", "{name: v3, weight: 10}"),
            "a.yaml: dataplane.routes[0].clusters[1].cluster: no cluster named \"v3\" (clusters: v1, v2)");
    }

    @Test
    void shouldNameFileKeyPathAndExpectationForAValueOfTheWrongType()
    {
        assertConfigError(VALID.replace("port: 15001", "port: abc"),
            "a.yaml: dataplane.listeners[0].port: expected an integer from 0 to 65535, got \"abc\"");
    }

    @Test
    void shouldRejectAPortOutOfRange()
    {
        assertConfigError(VALID.replace("port: 15001", "port: 70000"),
            "a.yaml: dataplane.listeners[0].port: expected an integer from 0 to 65535, got 70000");
    }

    @Test
    void shouldRejectAnUnknownKeyNamingTheKeysThatExist()
    {
        assertThatThrownBy(() -> ConfigLoader.parse("a.yaml", VALID.replace("address: 127.0.0.1", "adress: x")))
            .isInstanceOf(ApplianceException.class)
            .hasMessageStartingWith("a.yaml: dataplane.listeners[0].adress: unknown key (expected one of: address, ")
            .hasMessageContaining(" port");
    }

    @Test
    void shouldRejectARouteToAClusterThatDoesNotExist()
    {
        assertConfigError(VALID.replace("cluster: app", "cluster: ap"),
            "a.yaml: dataplane.routes[0].cluster: no cluster named \"ap\" (clusters: app)");
    }

    @Test
    void shouldRejectAMalformedEndpoint()
    {
        assertConfigError(VALID.replace("\"127.0.0.1:8080\"", "\"127.0.0.1\""),
            "a.yaml: dataplane.clusters[0].endpoints[0]: expected host:port, got \"127.0.0.1\"");
    }

    @Test
    void shouldRejectAnUnknownTransport()
    {
        assertConfigError(VALID.replace("transport: epoll", "transport: dpdk"),
            "a.yaml: dataplane.transport: expected one of auto, io_uring, epoll, nio, got \"dpdk\"");
    }

    @Test
    void shouldRejectAMissingRequiredKey()
    {
        assertConfigError(VALID.replace("      port: 15001\n", ""),
            "a.yaml: dataplane.listeners[0].port: missing (expected an integer from 0 to 65535)");
    }

    @Test
    void shouldRejectDuplicateListenerNames()
    {
        assertConfigError(VALID.replace("  clusters:", "    - name: ingress\n      port: 15002\n  clusters:"),
            "a.yaml: dataplane.listeners[1].name: \"ingress\" is already used by another entry");
    }

    @Test
    void shouldRejectAConfigurationWithoutListeners()
    {
        assertConfigError("dataplane:\n  listeners: []\n",
            "a.yaml: dataplane.listeners: expected at least one listener");
    }

    @Test
    void shouldRejectAnInvalidNodeId()
    {
        assertConfigError(VALID.replace("id: edge-7", "id: \"edge 7\""),
            "a.yaml: node.id: expected 1-63 letters, digits, '.', '_' or '-' starting with a letter or digit, "
                + "got \"edge 7\"");
    }

    @Test
    void shouldReportAYamlSyntaxErrorOnOneLineWithFileLineAndColumn()
    {
        assertConfigError("role: edge\n  foo: [\n",
            "a.yaml:2:6: not valid YAML: mapping values are not allowed here");
    }

    @Test
    void shouldRefuseAKeyGivenTwiceNamingIt()
    {
        assertThatThrownBy(() -> ConfigLoader.parse("a.yaml", VALID + "node:\n  id: edge-8\n"))
            .isInstanceOf(ApplianceException.class)
            .hasMessageStartingWith("a.yaml:")
            .hasMessageContaining("Duplicate field 'node'")
            .satisfies(ex -> assertThat(ex.getMessage()).hasLineCount(1));
    }

    @Test
    void shouldRefuseADataDirectoryThatIsNotAPath()
    {
        assertConfigError(VALID + "dataDirectory: 42\n",
            "a.yaml: dataDirectory: expected a file path (a string), got 42");
    }

    @Test
    void shouldSayABinaryFileIsNotText(@TempDir final Path dir) throws IOException
    {
        final Path binary = Files.write(dir.resolve("binary.yaml"), new byte[] {(byte)0xff, (byte)0xfe, 0, 1, 2});

        assertThatThrownBy(() -> ConfigLoader.load(binary))
            .isInstanceOf(ApplianceException.class)
            .hasMessage(binary + ": not a text file (expected YAML in UTF-8)");
    }

    @Test
    void shouldRejectAnEmptyFile()
    {
        assertConfigError("# nothing here\n", "a.yaml: the file is empty");
    }

    @Test
    void shouldNameAFileThatDoesNotExist(@TempDir final Path dir)
    {
        final Path missing = dir.resolve("missing.yaml");

        assertThatThrownBy(() -> ConfigLoader.load(missing))
            .isInstanceOf(ApplianceException.class)
            .hasMessage(missing + ": no such file");
    }

    @Test
    void shouldLoadAFileFromDisk(@TempDir final Path dir) throws IOException
    {
        final Path file = Files.writeString(dir.resolve("appliance.yaml"), VALID);

        assertThat(ConfigLoader.load(file).node().id()).isEqualTo("edge-7");
    }

    private static final String HEALTH_AND_OVERLOAD = """
        dataplane:
          listeners:
            - name: ingress
              port: 0
          clusters:
            - name: checked
              endpoints: ["127.0.0.1:8080"]
              healthCheck:
                path: /ready
                expectedStatusMax: 204
                intervalMs: 2000
                unhealthyThreshold: 5
            - name: tcp
              endpoints: ["127.0.0.1:8081"]
              healthCheck: {kind: tcp}
            - name: passive
              endpoints: ["127.0.0.1:8082"]
          overload:
            maxEventLoopLagMs: 300
            maxHeapPercent: 0
          routes:
            - cluster: checked
        """;

    @Test
    void shouldLoadHealthChecksByClusterAndOverloadThresholds()
    {
        final MeshConfig dataplane = ConfigLoader.parse("a.yaml", HEALTH_AND_OVERLOAD).dataplane();

        assertThat(dataplane.healthChecks()).containsOnlyKeys("checked", "tcp");
        assertThat(dataplane.healthChecks().get("checked")).isEqualTo(new HealthCheckConfig(
            HealthCheckConfig.Kind.HTTP, "/ready", 200, 204, 2000, 1000, 2, 5));
        assertThat(dataplane.healthChecks().get("tcp").kind()).isEqualTo(HealthCheckConfig.Kind.TCP);
        assertThat(dataplane.overload()).isEqualTo(new OverloadConfig(300, 200, 0, 0, 95, 85));
    }

    @Test
    void shouldNeitherCheckActivelyNorShedByDefault()
    {
        final MeshConfig dataplane = ConfigLoader.parse("a.yaml", VALID).dataplane();

        assertThat(dataplane.healthChecks()).isEmpty();
        assertThat(dataplane.overload()).isEqualTo(OverloadConfig.DISABLED);
    }

    @Test
    void shouldRejectAHealthCheckTimeoutLongerThanItsInterval()
    {
        assertConfigError(VALID.replace("endpoints: [\"127.0.0.1:8080\", \"[::1]:8081\"]",
            "endpoints: [\"127.0.0.1:8080\"]\n      healthCheck: {intervalMs: 100, timeoutMs: 200}"),
            "a.yaml: dataplane.clusters[0].healthCheck.timeoutMs: expected 1 to intervalMs (100), got 200");
    }

    @Test
    void shouldRejectAnOverloadRecoveryThresholdAboveItsEntryThreshold()
    {
        assertConfigError(VALID + "  overload: {maxHeapPercent: 80, recoverHeapPercent: 90}\n",
            "a.yaml: dataplane.overload.recoverHeapPercent: expected 0 to 79 (below maxHeapPercent), got 90");
    }

    private static final String EXTERNAL_TLS_LISTENER = """
        dataplane:
          listeners:
            - name: web
              port: 8443
              requestBodyTimeoutMs: %s
              tls:
                mode: %s
                certificateChain: /etc/mecmesh/web.pem
                privateKey: /etc/mecmesh/web-key.pem
                trustBundle: /etc/mecmesh/web.pem
                %s
        """;

    @Test
    void shouldLoadTheListenerBodyTimeoutAndExternalTlsPolicy()
    {
        final ListenerConfig listener = ConfigLoader.parse("a.yaml", EXTERNAL_TLS_LISTENER.formatted("0", "external",
            "minVersion: TLSv1.3\n        cipherSuites: [TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]"))
            .dataplane().listeners().get(0);

        assertThat(listener.requestBodyTimeoutMs()).isZero();
        assertThat(listener.tlsPolicy()).isEqualTo(new TlsPolicy(TlsPolicy.TLS_1_3,
            List.of("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")));
        assertThat(ConfigLoader.parse("a.yaml", VALID).dataplane().listeners().get(0))
            .satisfies(defaults -> assertThat(defaults.requestBodyTimeoutMs()).isEqualTo(30_000))
            .satisfies(defaults -> assertThat(defaults.tlsPolicy()).isEqualTo(TlsPolicy.DEFAULT));
    }

    @Test
    void shouldRejectABadBodyTimeoutOrTlsPolicyNamingTheKey()
    {
        assertConfigError(EXTERNAL_TLS_LISTENER.formatted("-1", "external", ""),
            "a.yaml: dataplane.listeners[0].requestBodyTimeoutMs: expected an integer from 0 to 3600000, got -1");
        assertConfigError(EXTERNAL_TLS_LISTENER.formatted("0", "external", "minVersion: TLSv1.1"),
            "a.yaml: dataplane.listeners[0].tls.minVersion: expected TLSv1.2 or TLSv1.3, got \"TLSv1.1\"");
        assertConfigError(EXTERNAL_TLS_LISTENER.formatted("0", "mesh", "minVersion: TLSv1.2"),
            "a.yaml: dataplane.listeners[0].tls.minVersion: only with mode: external (mesh listeners are TLS 1.3 "
                + "only)");
    }

    private static final String L4_MESH_LISTENER = """
        dataplane:
          listeners:
            - name: plc-in
              port: 15502
              tcpCluster: plc
              tls:
                mode: %s
                certificateChain: /etc/mecmesh/svid.pem
                privateKey: /etc/mecmesh/svid-key.pem
                trustBundle: /etc/mecmesh/bundle.pem
              authorization:
                allow:
                  - principals: ["spiffe://mesh.example/site/site-a/*"]
          clusters:
            - name: plc
              endpoints: ["127.0.0.1:9000"]
        """;

    @Test
    void shouldLoadWhoMayConnectToAnL4MeshListener()
    {
        final ListenerConfig listener = ConfigLoader.parse("a.yaml", L4_MESH_LISTENER.formatted("mesh"))
            .dataplane().listeners().get(0);

        assertThat(listener.authorization().checkConnection(
            SpiffeId.parse("spiffe://mesh.example/site/site-a/node/edge-a")))
            .isEqualTo(AuthorizationPolicy.Decision.ALLOWED);
        assertThat(listener.authorization().checkConnection(
            SpiffeId.parse("spiffe://mesh.example/site/site-b/node/edge-b")))
            .isEqualTo(AuthorizationPolicy.Decision.DENIED_NO_ALLOW_RULE);
        assertConfigError(L4_MESH_LISTENER.formatted("external"), "a.yaml: dataplane.listeners[0].authorization: "
            + "needs mesh TLS on the listener (the peer's SPIFFE id comes from its certificate)");
    }

    private static final String SLICES = """
          qos:
            linkCapacityBps: 10000000
          slices:
            - snssai: 2-0000b2
              name: urllc
              fiveQi: 82
              bitRates: {mbrUplinkBps: 8000000, mbrDownlinkBps: 8000000, gbrUplinkBps: 2000000, gbrDownlinkBps: 3000000}
              classification:
                - header: {name: x-slice, value: urllc}
              qos: {mode: shape, maxShapingWaitMs: 250, requestsPerSecond: 50, priorityWeight: 7}
            - snssai: 1-000001
              name: embb
              fiveQi: 9
              classification:
                - sourceCidrs: [10.45.0.0/16]
                  listener: ingress
        """;

    @Test
    void shouldCompileTheFilesSlicesIntoClassificationQosAndSliceDefaultRecords()
    {
        final ApplianceConfig config = ConfigLoader.parse("a.yaml", VALID + SLICES);
        final int urllc = 2 << 24 | 0x0000b2;
        final int embb = 1 << 24 | 0x000001;

        assertThat(config.dataplane().classification().rules()).extracting(r -> r.sliceId())
            .containsExactly(urllc, embb);
        assertThat(config.dataplane().qos()).isEqualTo(new QosConfig(10_000_000, List.of(
            new SliceQosConfig(urllc, QosMode.SHAPE, 250, 50, 2_000_000, 3_000_000, 7),
            SliceQosConfig.defaults(embb))));
        assertThat(config.slicePolicies()).hasSize(2);
        final SlicePolicy record = config.slicePolicies().get(0);
        assertThat(record.sliceId()).isEqualTo(urllc);
        assertThat(record.routeId()).isZero();
        assertThat(record.downlinkRateBytesPerSecond()).isEqualTo(1_000_000);
        assertThat(record.dscp()).isEqualTo(46);
        assertThat(record.requestTimeoutNs()).isEqualTo(200_000_000L);
    }

    @Test
    void shouldNameTheKeyOfABadSliceField()
    {
        assertConfigError(VALID + SLICES.replace("mode: shape", "mode: drop"),
            "a.yaml: dataplane.slices[0].qos.mode: expected one of police, shape, got \"drop\"");
        assertConfigError(VALID + SLICES.replace("fiveQi: 9", "fiveQi: 9\n      bitRates: {gbrUplinkBps: 1}"),
            "a.yaml: dataplane.slices[1].bitRates: a guaranteed bit rate needs a GBR 5QI; 5QI 9 is Non-GBR");
        assertConfigError(VALID + SLICES.replace("linkCapacityBps: 10000000", "linkCapacity: 1"),
            "a.yaml: dataplane.qos.linkCapacity: unknown key (expected one of: linkCapacityBps)");
    }

    @Test
    void shouldLoadAFiveTupleRuleAndNameTheKeyOfABadPortOrPrefix()
    {
        final String fiveTuple = SLICES.replace("- header: {name: x-slice, value: urllc}",
            "- {sourceCidrs: [10.45.0.0/16], sourcePorts: 40000-40099, destinationCidrs: [127.0.0.3/32],"
                + " destinationPorts: 8443}");

        final io.mecmesh.dataplane.classify.ClassificationRule rule = ConfigLoader.parse("a.yaml", VALID + fiveTuple)
            .dataplane().classification().rules().get(0);

        assertThat(rule.sourcePorts()).contains(new io.mecmesh.dataplane.classify.PortRange(40000, 40099));
        assertThat(rule.destinationPorts()).contains(new io.mecmesh.dataplane.classify.PortRange(8443, 8443));
        assertThat(rule.destinationCidrs()).extracting(Object::toString).containsExactly("127.0.0.3/32");
        assertConfigError(VALID + fiveTuple.replace("destinationPorts: 8443", "destinationPorts: 65536"),
            "a.yaml: dataplane.slices[0].classification[0].destinationPorts: expected ports 1 to 65535, the first"
                + " not above the last, got \"65536\"");
        assertConfigError(VALID + fiveTuple.replace("[127.0.0.3/32]", "[127.0.0.3/33]"),
            "a.yaml: dataplane.slices[0].classification[0].destinationCidrs[0]: expected 0 to 32,"
                + " got 33");
    }

    @Test
    void shouldLoadTheDefaultSliceOfUnclassifiedTrafficAndNameItsKeyWhenBad()
    {
        final String classification = "  classification:\n    defaultSlice: 1-000001\n";

        assertThat(ConfigLoader.parse("a.yaml", VALID + classification).dataplane().classification().defaultSliceId())
            .isEqualTo(1 << 24 | 0x000001);
        assertThat(ConfigLoader.parse("a.yaml", VALID + SLICES + classification).dataplane().classification())
            .satisfies(c -> assertThat(c.rules()).hasSize(2))
            .satisfies(c -> assertThat(c.defaultSliceId()).isEqualTo(1 << 24 | 0x000001));
        assertThat(ConfigLoader.parse("a.yaml", VALID).dataplane().classification().defaultSliceId()).isZero();
        assertConfigError(VALID + classification.replace("1-000001", "embb"),
            "a.yaml: dataplane.classification.defaultSlice: expected SST or SST-SD (SST 0-255, SD 6 hex digits)"
                + " such as 1-0000a1, got \"embb\"");
        assertConfigError(VALID + classification.replace("defaultSlice", "default"),
            "a.yaml: dataplane.classification.default: unknown key (expected one of: defaultSlice)");
    }

    private static void assertConfigError(final String yaml, final String message)
    {
        assertThatThrownBy(() -> ConfigLoader.parse("a.yaml", yaml))
            .isInstanceOf(ApplianceException.class)
            .hasMessage(message)
            .satisfies(ex -> assertThat(((ApplianceException)ex).category())
                .isEqualTo(ApplianceException.Category.CONFIG));
    }
}
