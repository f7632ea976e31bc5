package io.mecmesh.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ETSI GS MEC-DEC 032-3 test purposes of MEC 011 application support for the groups TRAF (traffic rules), DNS (DNS
 * rules) and TIME (timing), one test per test purpose (its id in a comment), against the installed appliance: role
 * {@code all} with a CA and the MEC API, the application instance and its rules pre-provisioned with
 * {@code mecmesh apply -f} (ETSI's suites create it over {@code /registrations} instead), the application calling
 * over mutual TLS with its X.509-SVID (curl). Success bodies are validated against the ETSI v2.1.1 schemas, errors
 * as ProblemDetails; every refused change is checked to leave the rule as it was.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MecAppSupportDecConformanceTest
{
    private static final String APP_ID = "c0a8e1d2-3b4c-4d5e-8f60-718293a4b5c6";
    private static final String UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";
    private static final String BASE = "/mec_app_support/v2";
    private static final String APP = BASE + "/applications/" + APP_ID;
    private static final String RULE = """
        {"trafficRuleId":"%s","filterType":"FLOW","priority":%d,
         "trafficFilter":[{"dstAddress":["192.0.2.%d/32"],"dstPort":["80"]}],"action":"%s","state":"ACTIVE"}""";
    private static final String DNS_RULE = """
        {"dnsRuleId":"%s","domainName":"%s.example.org","ipAddressType":"IP_V4","ipAddress":"%s","ttl":30,
         "state":"ACTIVE"}""";

    private Path dir;
    private int[] ports;
    private Pki.Identity app;
    private ApplianceProcess appliance;

    @BeforeAll
    void start(@TempDir(cleanup = CleanupMode.ON_SUCCESS) final Path directory) throws Exception
    {
        dir = directory;
        final Pki pki = Pki.init(dir.resolve("pki"), "mesh.test");
        app = pki.issue("app/dec-support");
        // 0 admin, 1 ingress, 2 api, 3 config, 4 ack, 5 MEC API
        ports = FreePorts.take(6);
        appliance = MecAppliance.startWithApps(dir, pki, ports, """
              - id: %s
                name: dec-support
                node: edge-a
                slice: 1-000001
                spiffeId: spiffe://mesh.test/app/dec-support
                trafficRules:
                  - {trafficRuleId: TrafficRule1, filterType: FLOW, priority: 1,
                     trafficFilter: [{dstAddress: [192.0.2.1/32], dstPort: ["80"]}], action: PASSTHROUGH, state: ACTIVE}
                  - {trafficRuleId: TrafficRule2, filterType: FLOW, priority: 2,
                     trafficFilter: [{dstAddress: [192.0.2.2/32], dstPort: ["80"]}], action: PASSTHROUGH, state: ACTIVE}
                  - {trafficRuleId: TrafficRule3, filterType: FLOW, priority: 3,
                     trafficFilter: [{dstAddress: [192.0.2.3/32], dstPort: ["80"]}], action: PASSTHROUGH, state: ACTIVE}
                dnsRules:
                  - {dnsRuleId: DnsRule1, domainName: one.example.org, ipAddressType: IP_V4, ipAddress: 192.0.2.1,
                     ttl: 30, state: ACTIVE}
                  - {dnsRuleId: DnsRule2, domainName: two.example.org, ipAddressType: IP_V4, ipAddress: 192.0.2.2,
                     ttl: 30, state: ACTIVE}
                  - {dnsRuleId: DnsRule3, domainName: three.example.org, ipAddressType: IP_V4, ipAddress: 192.0.2.3,
                     ttl: 30, state: ACTIVE}
            """.formatted(APP_ID));
    }

    @AfterAll
    void stop()
    {
        if (appliance != null)
        {
            assertThat(appliance.log()).doesNotContain("ERROR");
            appliance.close();
        }
    }

    // TC_MEC_MEC011_SRV_TRAF_001_OK: the list of the application's traffic rules.
    @Test
    void traf001OkShouldListTheApplicationsTrafficRules()
    {
        final Mp1Answer answer = call("GET", APP + "/traffic_rules", null)
            .assertJsonArray(EtsiSchema.APP_SUPPORT, "TrafficRule");
        assertThat(answer.json().findValuesAsText("trafficRuleId"))
            .contains("TrafficRule1", "TrafficRule2", "TrafficRule3");
    }

    // TC_MEC_MEC011_SRV_TRAF_001_NF: the traffic rules of an unknown application instance.
    @Test
    void traf001NfShouldAnswer404ForAnUnknownInstance()
    {
        call("GET", BASE + "/applications/" + UNKNOWN_ID + "/traffic_rules", null).assertProblem(404);
    }

    // TC_MEC_MEC011_SRV_TRAF_002_OK: one traffic rule, with its ETag.
    @Test
    void traf002OkShouldAnswerOneTrafficRuleWithItsEtag()
    {
        final Mp1Answer answer = call("GET", APP + "/traffic_rules/TrafficRule1", null)
            .assertJson(200, EtsiSchema.APP_SUPPORT, "TrafficRule");
        assertThat(answer.json().get("trafficRuleId").asText()).isEqualTo("TrafficRule1");
        assertThat(answer.etag()).as(answer.toString()).isNotEmpty();
    }

    // TC_MEC_MEC011_SRV_TRAF_002_NF: an unknown traffic rule.
    @Test
    void traf002NfShouldAnswer404ForAnUnknownRule()
    {
        call("GET", APP + "/traffic_rules/TrafficRule404", null).assertProblem(404);
    }

    // TC_MEC_MEC011_SRV_TRAF_003_OK: the application updates a traffic rule (action DROP), without If-Match.
    @Test
    void traf003OkShouldUpdateATrafficRule()
    {
        final Mp1Answer answer = call("PUT", APP + "/traffic_rules/TrafficRule2", rule("TrafficRule2", 2, "DROP"))
            .assertJson(200, EtsiSchema.APP_SUPPORT, "TrafficRule");
        assertThat(answer.json().get("trafficRuleId").asText()).isEqualTo("TrafficRule2");
        assertThat(answer.json().get("action").asText()).isEqualTo("DROP");
        assertThat(call("GET", APP + "/traffic_rules/TrafficRule2", null).json().get("action").asText())
            .isEqualTo("DROP");
    }

    // TC_MEC_MEC011_SRV_TRAF_003_BR: a traffic rule with incorrect parameters (an action the standard lacks).
    @Test
    void traf003BrShouldRefuseABadTrafficRuleAndKeepIt()
    {
        final String before = call("GET", APP + "/traffic_rules/TrafficRule3", null).body();
        call("PUT", APP + "/traffic_rules/TrafficRule3", rule("TrafficRule3", 3, "TELEPORT")).assertProblem(400);
        assertThat(call("GET", APP + "/traffic_rules/TrafficRule3", null).body()).isEqualTo(before);
    }

    // TC_MEC_MEC011_SRV_TRAF_003_NF: an update of an unknown traffic rule (with a valid body).
    @Test
    void traf003NfShouldAnswer404ForAnUpdateOfAnUnknownRule()
    {
        call("PUT", APP + "/traffic_rules/TrafficRule404", rule("TrafficRule3", 3, "DROP")).assertProblem(404);
    }

    // TC_MEC_MEC011_SRV_TRAF_003_PF: an update with an If-Match that is not the rule's ETag.
    @Test
    void traf003PfShouldAnswer412ForAStaleEtagAndKeepTheRule()
    {
        final String before = call("GET", APP + "/traffic_rules/TrafficRule3", null).body();
        call("PUT", APP + "/traffic_rules/TrafficRule3", rule("TrafficRule3", 3, "DROP"),
            "If-Match: \"not-the-etag\"").assertProblem(412);
        assertThat(call("GET", APP + "/traffic_rules/TrafficRule3", null).body()).isEqualTo(before);
    }

    // TC_MEC_SRV_DNS_001_OK: the list of the application's DNS rules.
    @Test
    void dns001OkShouldListTheApplicationsDnsRules()
    {
        final Mp1Answer answer = call("GET", APP + "/dns_rules", null).assertJsonArray(EtsiSchema.APP_SUPPORT,
            "DnsRule");
        assertThat(answer.json().findValuesAsText("dnsRuleId")).contains("DnsRule1", "DnsRule2", "DnsRule3");
    }

    // TC_MEC_SRV_DNS_002_OK: one DNS rule, with its ETag.
    @Test
    void dns002OkShouldAnswerOneDnsRuleWithItsEtag()
    {
        final Mp1Answer answer = call("GET", APP + "/dns_rules/DnsRule1", null)
            .assertJson(200, EtsiSchema.APP_SUPPORT, "DnsRule");
        assertThat(answer.json().get("dnsRuleId").asText()).isEqualTo("DnsRule1");
        assertThat(answer.etag()).as(answer.toString()).isNotEmpty();
    }

    // TC_MEC_SRV_DNS_002_NF: an unknown DNS rule.
    @Test
    void dns002NfShouldAnswer404ForAnUnknownRule()
    {
        call("GET", APP + "/dns_rules/DnsRule404", null).assertProblem(404);
    }

    // TC_MEC_SRV_DNS_003_OK: the application updates a DNS rule (a new address), without If-Match.
    @Test
    void dns003OkShouldUpdateADnsRule()
    {
        final Mp1Answer answer = call("PUT", APP + "/dns_rules/DnsRule2", dnsRule("DnsRule2", "two", "192.0.2.22"))
            .assertJson(200, EtsiSchema.APP_SUPPORT, "DnsRule");
        assertThat(answer.json().get("ipAddress").asText()).isEqualTo("192.0.2.22");
        assertThat(call("GET", APP + "/dns_rules/DnsRule2", null).json().get("ipAddress").asText())
            .isEqualTo("192.0.2.22");
    }

    // TC_MEC_SRV_DNS_003_BR: a DNS rule with incorrect parameters (an address type the standard lacks).
    @Test
    void dns003BrShouldRefuseABadDnsRuleAndKeepIt()
    {
        final String before = call("GET", APP + "/dns_rules/DnsRule3", null).body();
        call("PUT", APP + "/dns_rules/DnsRule3", dnsRule("DnsRule3", "three", "192.0.2.33").replace("IP_V4", "IP_V5"))
            .assertProblem(400);
        assertThat(call("GET", APP + "/dns_rules/DnsRule3", null).body()).isEqualTo(before);
    }

    // TC_MEC_SRV_DNS_003_NF: an update of an unknown DNS rule (with a valid body).
    @Test
    void dns003NfShouldAnswer404ForAnUpdateOfAnUnknownRule()
    {
        call("PUT", APP + "/dns_rules/DnsRule404", dnsRule("DnsRule3", "three", "192.0.2.33")).assertProblem(404);
    }

    // TC_MEC_SRV_DNS_003_PF: an update with an If-Match that is not the rule's ETag.
    @Test
    void dns003PfShouldAnswer412ForAStaleEtagAndKeepTheRule()
    {
        final String before = call("GET", APP + "/dns_rules/DnsRule3", null).body();
        call("PUT", APP + "/dns_rules/DnsRule3", dnsRule("DnsRule3", "three", "192.0.2.33"),
            "If-Match: \"not-the-etag\"").assertProblem(412);
        assertThat(call("GET", APP + "/dns_rules/DnsRule3", null).body()).isEqualTo(before);
    }

    // TC_MEC_MEC011_SRV_TIME_001_OK: the platform's timing capabilities.
    @Test
    void time001OkShouldAnswerTheTimingCapabilities()
    {
        final Mp1Answer answer = call("GET", BASE + "/timing/timing_caps", null)
            .assertJson(200, EtsiSchema.APP_SUPPORT, "TimingCaps");
        assertThat(Math.abs(answer.json().at("/timeStamp/seconds").asLong() - Instant.now().getEpochSecond()))
            .as("the time stamp is the platform's clock (same host)").isLessThan(300);
    }

    // TC_MEC_MEC011_SRV_TIME_002_OK: the platform's current time.
    @Test
    void time002OkShouldAnswerTheCurrentTime()
    {
        final Mp1Answer answer = call("GET", BASE + "/timing/current_time", null)
            .assertJson(200, EtsiSchema.APP_SUPPORT, "CurrentTime");
        assertThat(Math.abs(answer.json().get("seconds").asLong() - Instant.now().getEpochSecond()))
            .as("the platform's clock (same host)").isLessThan(300);
    }

    private static String rule(final String id, final int priority, final String action)
    {
        return RULE.formatted(id, priority, priority, action);
    }

    private static String dnsRule(final String id, final String name, final String address)
    {
        return DNS_RULE.formatted(id, name, address);
    }

    private Mp1Answer call(final String method, final String path, final String body, final String... headers)
    {
        return Mp1Answer.call(dir, app, ports[5], method, path, body, headers);
    }
}
