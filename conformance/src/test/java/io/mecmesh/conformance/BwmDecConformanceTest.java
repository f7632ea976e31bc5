package io.mecmesh.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MEC 015 bandwidth management (BWM) test purposes of ETSI GS MEC-DEC 032-3, one test each, against the installed
 * appliance (role {@code all}, MEC API over mutual TLS, curl with the application's X.509-SVID). The test purpose of
 * each test is named in its comment; the ids follow the group's numbering (001 list, 002 create, 003 read one,
 * 004 update, 005 patch, 006 delete; OK / BR bad request / NF not found / PF precondition failed). Checked against
 * ETSI's own Robot suite for the group (PlatBandwidthManager.robot, ids {@code TC_MEC_SRV_BWA_001_OK} ..
 * {@code 006_NF}, written for MEC 015 v1.1.1): the same numbering and purposes, with two differences taken from the
 * v2 API and ../shared/etsi/NOTES.md: POST answers 201 (v1.1.1: 200), and a list whose filter matches nothing answers
 * 404 (their 001_BR sends an unknown instance id and expects 400; ours has 001_BR as an unknown query parameter).
 * DEC 032-3's current suite for MEC 015 v2.1.1 (TrafficManagement.robot) names the same purposes
 * {@code TC_MEC_MEC015_SRV_TM_...} ("TM", issue 14's list): each test names its TM id(s) too, and the TM variants
 * (app_name and session_id filters, a PATCH to session-specific without sessionFilter) have tests of their own.
 * Response bodies are validated against the MEC 015 schemas in
 * mec-api-adapter's {@code BwmApiTest}; here the statuses, content types and fields are checked.
 */
class BwmDecConformanceTest
{
    private static final String APP_ID = "5abe4782-2c70-4e47-9a4e-0ee3a1a0fd1f";
    private static final String BASE = "/bwm/v1/bw_allocations";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BW_INFO = """
        {"appInsId":"%s","requestType":0,"fixedAllocation":"1024","allocationDirection":"00"}""".formatted(APP_ID);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    private static ApplianceProcess appliance;
    private static Pki.Identity app;
    private static int[] ports;

    @BeforeAll
    static void startApplianceWithAnApplication() throws Exception
    {
        final Pki pki = Pki.init(dir.resolve("pki"), "mesh.test");
        app = pki.issue("app/bwm-tester");
        // 0 admin, 1 ingress, 2 api, 3 config, 4 ack, 5 MEC API
        ports = FreePorts.take(6);
        appliance = MecAppliance.start(dir, pki, ports);
        appliance.awaitLive();
        final Path document = Files.writeString(dir.resolve("desired-state.yaml"), """
            slices:
              - {snssai: 1-000001, name: embb, fiveQi: 9, bitRates: {mbrUplinkBps: 10000000, mbrDownlinkBps: 20000000}}
            nodes:
              - {id: edge-a, site: site-a, zone: zone-1, services: []}
            apps:
              - {id: %s, name: bwm-tester, node: edge-a, slice: 1-000001,
                 spiffeId: spiffe://mesh.test/app/bwm-tester}
            """.formatted(APP_ID));
        final Launcher.Result applied = Launcher.run(dir, "apply", "-f", document.toString(), "--server",
            "http://127.0.0.1:" + ports[2]);
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
        appliance.awaitReady();
    }

    @AfterAll
    static void stop()
    {
        if (appliance != null)
        {
            assertThat(appliance.log()).doesNotContain("ERROR");
            appliance.close();
        }
    }

    private static String call(final String method, final String path, final String body, final String... headers)
    {
        return MecAppliance.call(dir, app, ports[5], method, path, body, List.of(headers), "");
    }

    /** POSTs {@link #BW_INFO} (with {@code replace} applied); the new allocation's path. */
    private static String create(final String... replace)
    {
        String body = BW_INFO;
        for (int i = 0; i + 1 < replace.length; i += 2)
        {
            body = body.replace(replace[i], replace[i + 1]);
        }
        final String answer = MecAppliance.call(dir, app, ports[5], "POST", BASE, body, List.of(),
            "\n%header{location}");
        assertThat(answer).startsWith("201 ");
        final String location = answer.substring(answer.lastIndexOf('\n') + 1).trim();
        return location.substring(location.indexOf(BASE));
    }

    private static JsonNode body(final String answer) throws Exception
    {
        return JSON.readTree(answer.substring(4));
    }

    /** The ETag of an allocation, read with curl's write-out. */
    private static String etag(final String path)
    {
        final String answer = MecAppliance.call(dir, app, ports[5], "GET", path, null, List.of(), "\n%header{etag}");
        assertThat(answer).startsWith("200 ");
        return answer.substring(answer.lastIndexOf('\n') + 1).trim();
    }

    private static void assertProblem(final String answer, final int status)
    {
        assertThat(answer).startsWith(status + " ").contains("\"status\":" + status).contains("\"detail\":");
    }

    // TP_MEC_MEC015_SRV_BWM_001_OK = TM_001_OK_01/02: GET bw_allocations with app_instance_id answers 200 and the BwInfo list.
    @Test
    void listShouldAnswerTheApplicationsAllocationsByAppInstanceId() throws Exception
    {
        create();

        final String answer = call("GET", BASE + "?app_instance_id=" + APP_ID, null);

        assertThat(answer).startsWith("200 ");
        final JsonNode list = body(answer);
        assertThat(list.isArray()).isTrue();
        assertThat(list.size()).isPositive();
        assertThat(list.get(0).get("appInsId").asText()).isEqualTo(APP_ID);
        assertThat(call("GET", BASE + "?app_name=bwm-tester", null)).startsWith("200 ");
    }

    // TP_MEC_MEC015_SRV_BWM_001_BR = TM_001_BR: GET bw_allocations with an unknown query parameter answers 400.
    @Test
    void listShouldRefuseAnUnknownQueryParameter()
    {
        assertProblem(call("GET", BASE + "?app_ins_id=" + APP_ID, null), 400);
    }

    // TP_MEC_MEC015_SRV_BWM_001_NF = TM_001_NF_01: GET bw_allocations whose filter matches nothing answers 404.
    @Test
    void listShouldAnswer404WhenTheFilterMatchesNothing()
    {
        assertProblem(call("GET", BASE + "?app_instance_id=no-such-instance", null), 404);
    }

    // TP_MEC_MEC015_SRV_BWM_002_OK = TM_002_OK: POST a BwInfo answers 201, Location and the BwInfo.
    @Test
    void postShouldCreateAnAllocation() throws Exception
    {
        final String answer = MecAppliance.call(dir, app, ports[5], "POST", BASE, BW_INFO, List.of(),
            "\n%header{location}");

        assertThat(answer).startsWith("201 ");
        assertThat(answer.substring(answer.lastIndexOf('\n') + 1)).contains(BASE + "/");
        final JsonNode created = JSON.readTree(answer.substring(4, answer.lastIndexOf('\n')));
        assertThat(created.get("fixedAllocation").asText()).isEqualTo("1024");
        assertThat(created.get("requestType").asInt()).isZero();
        assertThat(created.get("allocationDirection").asText()).isEqualTo("00");
    }

    // TP_MEC_MEC015_SRV_BWM_002_BR = TM_002_BR_01/02: POST a BwInfo with a wrong field (session-specific without sessionFilter,
    // a bad direction, a malformed bps string, an unknown application) answers 400.
    @Test
    void postShouldRefuseABadBwInfo()
    {
        assertProblem(call("POST", BASE, BW_INFO.replace("\"requestType\":0", "\"requestType\":1")), 400);
        assertProblem(call("POST", BASE, BW_INFO.replace("\"00\"", "\"02\"")), 400);
        assertProblem(call("POST", BASE, BW_INFO.replace("\"1024\"", "\"1 kbps\"")), 400);
        assertProblem(call("POST", BASE, BW_INFO.replace(APP_ID, "unknown-app")), 400);
        assertThat(call("POST", BASE, BW_INFO.replace("\"1024\"", "\"20000001\""))).startsWith("400 ")
            .contains("downlink MBR");
    }

    // TP_MEC_MEC015_SRV_BWM_003_OK = TM_003_OK: GET bw_allocations/{allocationId} answers 200 and the BwInfo.
    @Test
    void getShouldAnswerTheAllocation() throws Exception
    {
        final String path = create("\"1024\"", "\"2048\"");

        final String answer = call("GET", path, null);

        assertThat(answer).startsWith("200 ");
        assertThat(body(answer).get("fixedAllocation").asText()).isEqualTo("2048");
    }

    // TP_MEC_MEC015_SRV_BWM_003_NF = TM_003_NF: GET bw_allocations/{allocationId} of an unknown id answers 404.
    @Test
    void getShouldAnswer404ForAnUnknownAllocation()
    {
        assertProblem(call("GET", BASE + "/no-such-allocation", null), 404);
    }

    // TP_MEC_MEC015_SRV_BWM_004_OK = TM_004_OK: PUT bw_allocations/{allocationId} answers 200 and the updated BwInfo.
    @Test
    void putShouldReplaceTheAllocation() throws Exception
    {
        final String path = create();

        final String answer = call("PUT", path, BW_INFO.replace("\"00\"", "\"10\""));

        assertThat(answer).startsWith("200 ");
        assertThat(body(answer).get("allocationDirection").asText()).isEqualTo("10");
        assertThat(body(call("GET", path, null)).get("allocationDirection").asText()).isEqualTo("10");
    }

    // TP_MEC_MEC015_SRV_BWM_004_BR = TM_004_BR_01/02: PUT bw_allocations/{allocationId} with a wrong field answers 400.
    @Test
    void putShouldRefuseABadBwInfo() throws Exception
    {
        final String path = create();

        assertProblem(call("PUT", path, BW_INFO.replace("\"requestType\":0", "\"requestType\":7")), 400);
        assertThat(body(call("GET", path, null)).get("requestType").asInt()).isZero();
    }

    // TP_MEC_MEC015_SRV_BWM_004_NF = TM_004_NF: PUT bw_allocations/{allocationId} of an unknown id answers 404.
    @Test
    void putShouldAnswer404ForAnUnknownAllocation()
    {
        assertProblem(call("PUT", BASE + "/no-such-allocation", BW_INFO), 404);
    }

    // TP_MEC_MEC015_SRV_BWM_004_PF: PUT bw_allocations/{allocationId} with a stale If-Match answers 412.
    @Test
    void putShouldAnswer412ForAStaleEtag()
    {
        final String path = create();
        final String etag = etag(path);
        assertThat(call("PUT", path, BW_INFO.replace("\"1024\"", "\"4096\""), "If-Match: " + etag))
            .startsWith("200 ");

        assertProblem(call("PUT", path, BW_INFO, "If-Match: " + etag), 412);
    }

    // TP_MEC_MEC015_SRV_BWM_005_OK = TM_005_OK: PATCH bw_allocations/{allocationId} with BwInfoDeltas answers 200 and the BwInfo.
    @Test
    void patchShouldChangeTheAllocation() throws Exception
    {
        final String path = create();

        final String answer = call("PATCH", path, """
            {"appInsId":"%s","requestType":0,"fixedAllocation":"8192"}""".formatted(APP_ID));

        assertThat(answer).startsWith("200 ");
        assertThat(body(answer).get("fixedAllocation").asText()).isEqualTo("8192");
        assertThat(body(answer).get("allocationDirection").asText()).isEqualTo("00");
    }

    // TP_MEC_MEC015_SRV_BWM_005_BR = TM_005_BR_01: PATCH bw_allocations/{allocationId} with a wrong field answers 400.
    @Test
    void patchShouldRefuseBadDeltas()
    {
        final String path = create();

        assertProblem(call("PATCH", path, """
            {"appInsId":"%s","requestType":0,"allocationDirection":"11"}""".formatted(APP_ID)), 400);
    }

    // TP_MEC_MEC015_SRV_BWM_005_NF = TM_005_NF: PATCH bw_allocations/{allocationId} of an unknown id answers 404.
    @Test
    void patchShouldAnswer404ForAnUnknownAllocation()
    {
        assertProblem(call("PATCH", BASE + "/no-such-allocation", """
            {"appInsId":"%s","requestType":0,"fixedAllocation":"1"}""".formatted(APP_ID)), 404);
    }

    // TP_MEC_MEC015_SRV_BWM_005_PF: PATCH bw_allocations/{allocationId} with a stale If-Match answers 412.
    @Test
    void patchShouldAnswer412ForAStaleEtag()
    {
        final String path = create();
        final String etag = etag(path);
        final String deltas = """
            {"appInsId":"%s","requestType":0,"fixedAllocation":"FIXED"}""".formatted(APP_ID);
        assertThat(call("PATCH", path, deltas.replace("FIXED", "3000"), "If-Match: " + etag)).startsWith("200 ");

        assertProblem(call("PATCH", path, deltas.replace("FIXED", "5000"), "If-Match: " + etag), 412);
    }

    // TP_MEC_MEC015_SRV_BWM_006_OK = TM_006_OK: DELETE bw_allocations/{allocationId} answers 204 and the resource is gone.
    @Test
    void deleteShouldRemoveTheAllocation()
    {
        final String path = create();

        assertThat(call("DELETE", path, null)).isEqualTo("204");
        assertProblem(call("GET", path, null), 404);
    }

    // TP_MEC_MEC015_SRV_BWM_006_NF = TM_006_NF: DELETE bw_allocations/{allocationId} of an unknown id answers 404.
    @Test
    void deleteShouldAnswer404ForAnUnknownAllocation()
    {
        assertProblem(call("DELETE", BASE + "/no-such-allocation", null), 404);
    }

    // TC_MEC_MEC015_SRV_TM_001_OK_03: GET bw_allocations with app_name answers 200 and the application's BwInfo list.
    @Test
    void listShouldAnswerTheApplicationsAllocationsByAppName() throws Exception
    {
        create();

        final String answer = call("GET", BASE + "?app_name=bwm-tester", null);

        assertThat(answer).startsWith("200 ");
        final JsonNode list = body(answer);
        assertThat(list.size()).isPositive();
        for (final JsonNode each : list)
        {
            assertThat(each.get("appInsId").asText()).isEqualTo(APP_ID);
        }
    }

    // TC_MEC_MEC015_SRV_TM_001_NF_02: GET bw_allocations with an app_name no allocation has answers 404.
    @Test
    void listShouldAnswer404ForAnUnknownAppName()
    {
        assertProblem(call("GET", BASE + "?app_name=no-such-app", null), 404);
    }

    // TC_MEC_MEC015_SRV_TM_001_NF_03: GET bw_allocations with a session_id no allocation has answers 404.
    @Test
    void listShouldAnswer404ForAnUnknownSessionId()
    {
        assertProblem(call("GET", BASE + "?session_id=no-such-session", null), 404);
    }

    // TC_MEC_MEC015_SRV_TM_005_BR_02: PATCH that makes an allocation session-specific without a sessionFilter
    // answers 400 (a session-specific allocation needs one), and the allocation is unchanged.
    @Test
    void patchShouldRefuseASessionSpecificAllocationWithoutSessionFilter() throws Exception
    {
        final String path = create();

        assertProblem(call("PATCH", path, """
            {"appInsId":"%s","requestType":1,"fixedAllocation":"2048"}""".formatted(APP_ID)), 400);
        final String unchanged = call("GET", path, null);
        assertThat(unchanged).startsWith("200 ");
        assertThat(body(unchanged).get("requestType").asInt()).isZero();
        assertThat(body(unchanged).get("fixedAllocation").asText()).isEqualTo("1024");
    }
}
