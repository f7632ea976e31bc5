package io.mecmesh.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14: a control-plane restart ({@code kill -9}) loses no accepted Mp1 change. A MEC application makes a bounded
 * series of Mp1 changes over mutual TLS (service registrations, updates and deletions, traffic and DNS rule PUTs);
 * the appliance (role {@code all}, the control plane with the MEC API) is killed with SIGKILL right after the last
 * 2xx and restarted on the same data directory; every change answered 2xx is there, read over Mp1 and with
 * {@code mecmesh get apps -o yaml}, and the registered services are mesh services again. And a registration in
 * flight when the kill lands is whole (ServiceInfo, mesh service and placement, one journaled batch) or absent.
 */
class MecMp1CrashConformanceTest
{
    private static final String APP_ID = "e5f4d3c2-b1a0-4987-8654-3210fedcba98";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final int CHANGES = 30;
    private static final int RULES = 3;
    private static final int KILL_AFTER_ACKS = 10;
    private static final int MAX_REGISTRATIONS = 200;
    private static final String SUPPORT = "/mec_app_support/v2/applications/" + APP_ID;
    private static final String OWN = "/mec_service_mgmt/v1/applications/" + APP_ID + "/services";
    private static final String SERVICE = """
        {"serName":"%s","version":"%d","state":"ACTIVE","serializer":"JSON",
         "transportInfo":{"id":"t1","name":"REST","type":"REST_HTTP","protocol":"HTTP","version":"1.1",
          "endpoint":{"addresses":[{"host":"127.0.0.1","port":8080}]},"security":{}}}""";
    private static final String RULE = """
        {"trafficRuleId":"TrafficRule%d","filterType":"FLOW","priority":%d,
         "trafficFilter":[{"dstAddress":["192.0.2.%d/32"]}],"action":"%s","state":"ACTIVE"}""";
    private static final String DNS_RULE = """
        {"dnsRuleId":"DnsRule1","domainName":"crash.example.org","ipAddressType":"IP_V4","ipAddress":"%s","ttl":30,
         "state":"ACTIVE"}""";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private int[] ports;
    private Pki.Identity app;

    @Test
    void everyMp1ChangeAnswered2xxShouldSurviveKillNineOfTheControlPlane() throws Exception
    {
        final Pki pki = Pki.init(dir.resolve("pki"), "mesh.test");
        app = pki.issue("app/crasher");
        // 0 admin, 1 ingress, 2 api, 3 config, 4 ack, 5 MEC API
        ports = FreePorts.take(6);
        // what the application was told was accepted: service id -> (name, version), rule -> (priority, action)
        final Map<String, String> services = new TreeMap<>();
        final Map<String, Integer> versions = new HashMap<>();
        final Map<String, String> rules = new TreeMap<>();
        String dnsAddress = "192.0.2.100";
        try (ApplianceProcess appliance = MecAppliance.startWithApps(dir, pki, ports, """
              - id: %s
                name: crasher
                node: edge-a
                slice: 1-000001
                spiffeId: spiffe://mesh.test/app/crasher
                trafficRules:
                  - {trafficRuleId: TrafficRule1, filterType: FLOW, priority: 1,
                     trafficFilter: [{dstAddress: [192.0.2.1/32]}], action: PASSTHROUGH, state: ACTIVE}
                  - {trafficRuleId: TrafficRule2, filterType: FLOW, priority: 2,
                     trafficFilter: [{dstAddress: [192.0.2.2/32]}], action: PASSTHROUGH, state: ACTIVE}
                  - {trafficRuleId: TrafficRule3, filterType: FLOW, priority: 3,
                     trafficFilter: [{dstAddress: [192.0.2.3/32]}], action: PASSTHROUGH, state: ACTIVE}
                dnsRules:
                  - {dnsRuleId: DnsRule1, domainName: crash.example.org, ipAddressType: IP_V4, ipAddress: 192.0.2.100,
                     ttl: 30, state: ACTIVE}
            """.formatted(APP_ID)))
        {
            for (int i = 0; i < CHANGES; i++)
            {
                switch (i % 5)
                {
                    case 0, 3 ->
                    {
                        final String name = "CrashService" + i;
                        final Mp1Answer created = call("POST", OWN, SERVICE.formatted(name, 1));
                        assertThat(created.status()).as(created.toString()).isEqualTo(201);
                        final String id = created.json().get("serInstanceId").asText();
                        services.put(id, name);
                        versions.put(id, 1);
                    }
                    case 1 ->
                    {
                        final int rule = i / 5 % RULES + 1;
                        final String action = i / 5 % 2 == 0 ? "DROP" : "PASSTHROUGH";
                        final Mp1Answer put = call("PUT", SUPPORT + "/traffic_rules/TrafficRule" + rule,
                            RULE.formatted(rule, 10 + i, rule, action));
                        assertThat(put.status()).as(put.toString()).isEqualTo(200);
                        rules.put("TrafficRule" + rule, (10 + i) + " " + action);
                    }
                    case 2 ->
                    {
                        final String id = services.keySet().iterator().next();
                        final int version = versions.get(id) + 1;
                        final Mp1Answer put = call("PUT", OWN + "/" + id,
                            SERVICE.formatted(services.get(id), version));
                        assertThat(put.status()).as(put.toString()).isEqualTo(200);
                        versions.put(id, version);
                    }
                    default ->
                    {
                        // every fifth change: the DNS rule moves, and the oldest service is deregistered
                        dnsAddress = "192.0.2." + (110 + i);
                        final Mp1Answer dns = call("PUT", SUPPORT + "/dns_rules/DnsRule1",
                            DNS_RULE.formatted(dnsAddress));
                        assertThat(dns.status()).as(dns.toString()).isEqualTo(200);
                        final String id = services.keySet().iterator().next();
                        final Mp1Answer deleted = call("DELETE", OWN + "/" + id, null);
                        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
                        services.remove(id);
                        versions.remove(id);
                    }
                }
            }
            // right after the last 2xx
            appliance.kill();
        }
        assertThat(services).hasSizeGreaterThanOrEqualTo(CHANGES / 5);

        try (ApplianceProcess restarted = MecAppliance.start(dir, pki, ports, "all-restarted"))
        {
            restarted.awaitReady();
            Processes.await(Duration.ofSeconds(30), this::answers, () -> "the MEC API answers after the restart");

            // over Mp1
            final JsonNode registered = call("GET", OWN, null).assertJsonArray(EtsiSchema.SERVICE_MGMT,
                "ServiceInfo").json();
            final Map<String, String> found = new TreeMap<>();
            registered.forEach(service -> found.put(service.get("serInstanceId").asText(),
                service.get("serName").asText() + " v" + service.get("version").asText()));
            final Map<String, String> expected = new TreeMap<>();
            services.forEach((id, name) -> expected.put(id, name + " v" + versions.get(id)));
            assertThat(found).as("the registered services, their last accepted versions, no deleted one")
                .isEqualTo(expected);
            for (final Map.Entry<String, String> rule : rules.entrySet())
            {
                final JsonNode read = call("GET", SUPPORT + "/traffic_rules/" + rule.getKey(), null).json();
                assertThat(read.get("priority").asInt() + " " + read.get("action").asText()).as(rule.getKey())
                    .isEqualTo(rule.getValue());
            }
            assertThat(call("GET", SUPPORT + "/dns_rules/DnsRule1", null).json().get("ipAddress").asText())
                .isEqualTo(dnsAddress);

            // with the CLI, and the registered services are mesh services again
            final Launcher.Result apps = Launcher.run(dir, "get", "apps", "-o", "yaml", "--server",
                "http://127.0.0.1:" + ports[2]);
            assertThat(apps.exitCode()).as(apps.toString()).isZero();
            final JsonNode instance = instance(YAML.readTree(apps.out()));
            final Map<String, String> cliServices = new TreeMap<>();
            instance.path("services").forEach(service -> cliServices.put(service.get("serInstanceId").asText(),
                service.get("serName").asText() + " v" + service.get("version").asText()));
            assertThat(cliServices).as(apps.out()).isEqualTo(expected);
            final Map<String, String> cliRules = new TreeMap<>();
            instance.path("trafficRules").forEach(rule -> cliRules.put(rule.get("trafficRuleId").asText(),
                rule.get("priority").asInt() + " " + rule.get("action").asText()));
            assertThat(cliRules).as(apps.out()).containsAllEntriesOf(rules);
            assertThat(instance.path("dnsRules").get(0).get("ipAddress").asText()).isEqualTo(dnsAddress);
            for (final String id : services.keySet())
            {
                final Launcher.Result mesh = Launcher.run(dir, "service", "get", "mec-" + id, "--server",
                    "http://127.0.0.1:" + ports[2]);
                assertThat(mesh.exitCode()).as(mesh.toString()).isZero();
            }
            assertThat(restarted.log()).doesNotContain("ERROR");
        }
    }

    @Test
    void aRegistrationInFlightAtKillNineShouldBeWholeOrAbsent() throws Exception
    {
        final Pki pki = Pki.init(dir.resolve("pki"), "mesh.test");
        app = pki.issue("app/crasher");
        ports = FreePorts.take(6);
        final List<String> acknowledged = new ArrayList<>();
        final AtomicInteger acks = new AtomicInteger();
        int attempted = 0;
        try (ApplianceProcess appliance = MecAppliance.startWithApps(dir, pki, ports, """
              - {id: %s, name: crasher, node: edge-a, slice: 1-000001, spiffeId: spiffe://mesh.test/app/crasher}
            """.formatted(APP_ID)))
        {
            final Thread killer = appliance.killWhen(() -> acks.get() >= KILL_AFTER_ACKS);
            for (int i = 0; i < MAX_REGISTRATIONS && appliance.isAlive(); i++)
            {
                attempted = i + 1;
                final Mp1Answer created;
                try
                {
                    created = call("POST", OWN, SERVICE.formatted("InFlight" + i, 1));
                }
                catch (final AssertionError unreachable)
                {
                    break;
                }
                if (created.status() != 201)
                {
                    break;
                }
                acknowledged.add(created.json().get("serInstanceId").asText());
                acks.incrementAndGet();
            }
            killer.join(30_000);
            assertThat(appliance.isAlive()).isFalse();
        }
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(KILL_AFTER_ACKS).hasSizeLessThan(MAX_REGISTRATIONS);

        try (ApplianceProcess restarted = MecAppliance.start(dir, pki, ports, "all-restarted"))
        {
            restarted.awaitReady();
            final HttpResponse<String> response = Http.get(ports[2], "/v1/state");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            final JsonNode state = new ObjectMapper().readTree(response.body());
            final Set<String> registered = new TreeSet<>();
            state.path("apps").forEach(instance -> instance.path("services")
                .forEach(service -> registered.add("mec-" + service.get("serInstanceId").asText())));
            final Set<String> meshServices = new TreeSet<>();
            state.path("services").forEach(service -> meshServices.add(service.get("name").asText()));
            final Set<String> placed = new TreeSet<>();
            state.path("nodes").forEach(node -> node.path("services").forEach(name -> placed.add(name.asText())));
            for (final String id : acknowledged)
            {
                assertThat(registered).as("acknowledged registration " + id).contains("mec-" + id);
            }
            assertThat(registered).as("at most the registration in flight beyond the acknowledged ones")
                .hasSizeBetween(acknowledged.size(), Math.min(acknowledged.size() + 1, attempted));
            assertThat(meshServices).as("every registration whole: its mesh service").isEqualTo(registered);
            assertThat(placed).as("every registration whole: its placement").isEqualTo(registered);
            assertThat(restarted.log()).doesNotContain("ERROR");
        }
    }

    /** The application instance in {@code get apps -o yaml}'s document. */
    private static JsonNode instance(final JsonNode document)
    {
        final List<JsonNode> apps = new ArrayList<>();
        (document.isArray() ? document : document.path("apps")).forEach(apps::add);
        return apps.stream().filter(app -> APP_ID.equals(app.path("id").asText())).findFirst()
            .orElseThrow(() -> new AssertionError("no app " + APP_ID + " in " + document));
    }

    /** Whether the MEC API answers the application's service list with 200 (false while it cannot be reached). */
    private boolean answers()
    {
        try
        {
            return call("GET", OWN, null).status() == 200;
        }
        catch (final AssertionError unreachable)
        {
            return false;
        }
    }

    private Mp1Answer call(final String method, final String path, final String body)
    {
        return Mp1Answer.call(dir, app, ports[5], method, path, body);
    }
}
