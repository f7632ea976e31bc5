package io.mecmesh.mecapi;

import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.dataplane.tls.TlsMaterialSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MecApiServerTest
{
    @TempDir
    Path directory;

    private MecApiFixture fixture;

    @BeforeEach
    void start()
    {
        fixture = new MecApiFixture(directory, "/mec");
    }

    @AfterEach
    void stop()
    {
        fixture.close();
    }

    @Test
    void shouldAnswerCurrentTimeOverMutualTlsUnderTheApiRoot()
    {
        final HttpResponse<String> response = fixture.get(fixture.client("app/any"),
            "/mec_app_support/v2/timing/current_time");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).contains("application/json");
        assertThat(EtsiSchemas.validate(EtsiSchemas.APP_SUPPORT, "CurrentTime", response.body())).isEmpty();
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
    }

    @Test
    void shouldServeTheV1AliasAndTimingCapabilities()
    {
        final HttpResponse<String> response = fixture.get(fixture.client("app/any"),
            "/mec_app_support/v1/timing/timing_caps");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(EtsiSchemas.validate(EtsiSchemas.APP_SUPPORT, "TimingCaps", response.body())).isEmpty();
    }

    @Test
    void shouldAnswerAnUnknownPathWithProblemDetails()
    {
        final HttpResponse<String> response = fixture.get(fixture.client("app/any"),
            "/mec_app_support/v2/no_such_thing");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("content-type")).contains(Problems.CONTENT_TYPE);
        assertThat(EtsiSchemas.validate(EtsiSchemas.APP_SUPPORT, "ProblemDetails", response.body())).isEmpty();
        assertThat(response.body()).contains("\"status\":404");
    }

    @Test
    void shouldRefuseAClientWithoutCertificateInTheHandshake()
    {
        final HttpClient anonymous = fixture.client(Optional.empty());

        assertThatThrownBy(() -> fixture.get(anonymous, "/mec_app_support/v2/timing/current_time"))
            .hasRootCauseInstanceOf(IOException.class);
    }

    @Test
    void shouldRefuseAClientOfAnotherCa()
    {
        try (MecApiFixture other = new MecApiFixture(directory.resolve("other"), "/mec"))
        {
            final HttpClient stranger = fixture.client(Optional.of(
                new io.mecmesh.dataplane.tls.TlsMaterialSource(other.material("app/any"))));

            assertThatThrownBy(() -> fixture.get(stranger, "/mec_app_support/v2/timing/current_time"))
                .hasRootCauseInstanceOf(IOException.class);
        }
    }

    @Test
    void shouldRefuseToStartOnATakenPortWithItsOneLineError()
    {
        final MecApiConfig taken = new MecApiConfig("127.0.0.1", fixture.server.port(), "/mec", Optional.empty());
        final MecApiTls tls = new MecApiTls(new TlsMaterialSource(fixture.material("control-plane")),
            () -> new X509SvidValidator(fixture.ca.trustBundle()), MecApiFixture.TRUST_DOMAIN);

        assertThatThrownBy(() -> MecApiServer.start(taken, tls, fixture.backend))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageStartingWith("controlPlane.mecApi: cannot listen on 127.0.0.1:" + fixture.server.port());
    }
}
