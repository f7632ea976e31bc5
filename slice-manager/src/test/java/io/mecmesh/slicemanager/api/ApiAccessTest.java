package io.mecmesh.slicemanager.api;

import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.slicemanager.ca.ApiRole;
import io.mecmesh.slicemanager.ca.CertificateAuthority;
import io.mecmesh.slicemanager.ca.CertificateRequests;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ApiAccessTest
{
    private static final CertificateAuthority CA = CertificateAuthority.generate("mesh.test", Duration.ofDays(1),
        InstantSource.system());
    private static final List<X509Certificate> VIEWER = operator("vera", ApiRole.VIEWER);
    private static final List<X509Certificate> OPERATOR = operator("otto", ApiRole.OPERATOR);
    private static final List<X509Certificate> ADMIN = operator("ada", ApiRole.ADMIN);
    private static final List<X509Certificate> NODE = svid(CA, "/site/site-a/node/edge-a");

    private final ApiAccess tls = new ApiAccess(true, ApiAccess.ownOrigins(true, "127.0.0.1", 9902),
        CA::trustBundle, Map.of(SpiffeId.parse("spiffe://mesh.test/ops"), ApiRole.ADMIN), InstantSource.system());

    @Test
    void shouldRefuseACallerWithoutACertificateExceptForANodesFirstEnrolment()
    {
        final ApiAccess.Decision status = tls.decide(request("GET", "/v1/status", List.of()));
        assertThat(status.denial()).contains(ApiAccess.Denial.NO_CERTIFICATE);
        assertThat(status.denial().get().status()).isEqualTo(401);
        assertThat(status.detail()).contains("client certificate is required");

        final ApiAccess.Decision enrolment = tls.decide(request("POST", "/v1/identity/sign", List.of()));
        assertThat(enrolment.allowed()).isTrue();
        assertThat(enrolment.caller()).isEmpty();
        assertThat(tls.denials(ApiAccess.Denial.NO_CERTIFICATE)).isEqualTo(1);
    }

    @Test
    void shouldLetEachRoleDoWhatItMayAndNoMore()
    {
        assertThat(allowed("GET", "/v1/services", VIEWER)).isTrue();
        assertThat(allowed("GET", "/v1/journal", VIEWER)).isTrue();
        assertThat(allowed("POST", "/v1/apply", VIEWER)).isFalse();
        assertThat(allowed("DELETE", "/v1/services/video", VIEWER)).isFalse();

        assertThat(allowed("POST", "/v1/apply", OPERATOR)).isTrue();
        assertThat(allowed("PUT", "/v1/slices/1-000001", OPERATOR)).isTrue();
        assertThat(allowed("DELETE", "/v1/services/video", OPERATOR)).isTrue();
        assertThat(allowed("POST", "/v1/journal/compact", OPERATOR)).isFalse();
        assertThat(allowed("POST", "/v1/identity/tokens", OPERATOR)).isFalse();
        assertThat(allowed("POST", "/v1/identity/sign", OPERATOR)).as("operators do not get SVIDs here").isFalse();

        assertThat(allowed("POST", "/v1/journal/compact", ADMIN)).isTrue();
        assertThat(allowed("POST", "/v1/identity/tokens", ADMIN)).isTrue();

        assertThat(allowed("POST", "/v1/identity/sign", NODE)).isTrue();
        assertThat(allowed("GET", "/v1/status", NODE)).isTrue();
        assertThat(allowed("GET", "/v1/services", NODE)).isFalse();
        assertThat(allowed("POST", "/v1/apply", NODE)).isFalse();

        final ApiAccess.Decision denied = tls.decide(request("POST", "/v1/apply", VIEWER));
        assertThat(denied.denial()).contains(ApiAccess.Denial.ROLE_TOO_LOW);
        assertThat(denied.detail()).contains("spiffe://mesh.test/operator/vera (role viewer) may not POST /v1/apply");
    }

    @Test
    void shouldTakeRolesFromConfiguredPrefixesAndRefuseSvidsWithoutARole()
    {
        assertThat(ApiRole.of(OPERATOR.get(0))).contains(ApiRole.OPERATOR);
        assertThat(ApiRole.of(NODE.get(0))).isEmpty();
        assertThat(allowed("POST", "/v1/journal/compact", svid(CA, "/ops/pipeline"))).isTrue();
        final ApiAccess.Decision workload = tls.decide(request("GET", "/v1/state", svid(CA, "/slice/1-000001/app/x")));
        assertThat(workload.denial()).contains(ApiAccess.Denial.NO_ROLE);
        final ApiAccess.Decision noExtension = tls.decide(request("GET", "/v1/state", svid(CA, "/operator/mallory")));
        assertThat(noExtension.denial()).as("an operator id without the role extension").contains(
            ApiAccess.Denial.NO_ROLE);
    }

    @Test
    void shouldRefuseACertificateOfAnotherCa()
    {
        final CertificateAuthority other = CertificateAuthority.generate("mesh.test", Duration.ofDays(1),
            InstantSource.system());

        final ApiAccess.Decision decision = tls.decide(request("GET", "/v1/state", svid(other, "/site/s/node/n")));

        assertThat(decision.denial()).contains(ApiAccess.Denial.INVALID_CERTIFICATE);
        assertThat(decision.denial().get().status()).isEqualTo(401);
    }

    @Test
    void shouldRefuseForeignOriginsAndWritesThatAreNotJsonOrYaml()
    {
        final Map<String, String> foreign = Map.of("Origin", "http://attacker.example", "Content-Type",
            "application/json");
        assertThat(tls.decide(request("POST", "/v1/apply", ADMIN, foreign)).denial())
            .contains(ApiAccess.Denial.FOREIGN_ORIGIN);
        final Map<String, String> own = Map.of("Origin", "https://localhost:9902", "Content-Type",
            "application/json; charset=utf-8");
        assertThat(tls.decide(request("POST", "/v1/apply", ADMIN, own)).allowed()).isTrue();

        final ApiAccess.Decision textPlain = tls.decide(request("POST", "/v1/apply", ADMIN,
            Map.of("Content-Type", "text/plain")));
        assertThat(textPlain.denial()).contains(ApiAccess.Denial.UNSUPPORTED_MEDIA_TYPE);
        assertThat(textPlain.denial().get().status()).isEqualTo(415);
        assertThat(tls.decide(request("PUT", "/v1/slices/1-000001", ADMIN, Map.of())).denial())
            .contains(ApiAccess.Denial.UNSUPPORTED_MEDIA_TYPE);
        assertThat(tls.decide(request("POST", "/v1/apply", ADMIN, Map.of("Content-Type", "application/yaml")))
            .allowed()).isTrue();
        assertThat(tls.denials(ApiAccess.Denial.FOREIGN_ORIGIN)).isEqualTo(1);
        assertThat(tls.denials(ApiAccess.Denial.UNSUPPORTED_MEDIA_TYPE)).isEqualTo(2);
    }

    @Test
    void shouldAnswerThePlainLoopbackApiOnlyUnderALoopbackHostName()
    {
        final ApiAccess plain = new ApiAccess(false, ApiAccess.ownOrigins(false, "127.0.0.1", 9902), List::of,
            Map.of(), InstantSource.system());

        final ApiAccess.Decision rebound = plain.decide(request("GET", "/v1/state", List.of(),
            Map.of("Host", "attacker.example:9902")));
        assertThat(rebound.denial()).contains(ApiAccess.Denial.FOREIGN_HOST);
        final ApiAccess.Decision local = plain.decide(request("POST", "/v1/journal/compact", List.of(),
            Map.of("Host", "127.0.0.1:9902", "Content-Type", "application/json")));
        assertThat(local.allowed()).isTrue();
        assertThat(local.caller().orElseThrow().role()).isEqualTo(ApiRole.ADMIN);
        assertThat(plain.decide(request("GET", "/v1/state", List.of(), Map.of("Host", "[::1]:9902"))).allowed())
            .isTrue();
        assertThat(plain.decide(request("POST", "/v1/identity/sign", List.of(), Map.of("Host", "localhost:9902",
            "Content-Type", "application/json"))).allowed()).as("a node enrols with its token").isTrue();
    }

    private boolean allowed(final String method, final String path, final List<X509Certificate> chain)
    {
        return tls.decide(request(method, path, chain)).allowed();
    }

    private static ApiAccess.Request request(final String method, final String path,
        final List<X509Certificate> chain)
    {
        return request(method, path, chain, Map.of("Content-Type", "application/json"));
    }

    private static ApiAccess.Request request(final String method, final String path,
        final List<X509Certificate> chain, final Map<String, String> headers)
    {
        final Map<String, String> lower = new HashMap<>();
        headers.forEach((name, value) -> lower.put(name.toLowerCase(Locale.ROOT), value));
        lower.putIfAbsent("host", "127.0.0.1:9902");
        return new ApiAccess.Request(method, path, name -> lower.get(name.toLowerCase(Locale.ROOT)), chain);
    }

    private static List<X509Certificate> operator(final String name, final ApiRole role)
    {
        final KeyPair key = CertificateRequests.newKeyPair();
        return CA.issueOperator(CertificateRequests.csr(key), name, role, Duration.ofHours(1));
    }

    private static List<X509Certificate> svid(final CertificateAuthority ca, final String path)
    {
        final KeyPair key = CertificateRequests.newKeyPair();
        return ca.issue(ca.root(), CertificateRequests.csr(key), new SpiffeId("mesh.test", path),
            Duration.ofHours(1));
    }
}
