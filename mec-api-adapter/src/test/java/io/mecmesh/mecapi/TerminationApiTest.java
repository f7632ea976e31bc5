package io.mecmesh.mecapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mecmesh.slicemanager.api.ControlPlaneBackend;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The graceful termination of an application instance against a real server and conductor (journal on disk): the
 * operator's delete of a subscribed instance journals a pending termination, the application is notified (a real
 * HTTP receiver; the body validated against the ETSI v2.1.1 schema), and the instance is removed, with its
 * registered services' mesh services, when it confirms or when the grace lapses (injected clock).
 */
class TerminationApiTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WITHIN = Duration.ofSeconds(10);
    private static final String APP = "/mec_app_support/v2/applications/app-1";
    private static final String CONFIRM = APP + "/confirm_termination";
    private static final String TERMINATING = "{\"operationAction\":\"TERMINATING\"}";
    private static final String SERVICE = """
        {"serName":"leaving","version":"1","state":"ACTIVE","serializer":"JSON",
         "transportInfo":{"id":"t1","name":"REST","type":"REST_HTTP","protocol":"HTTP","version":"2.0",
          "endpoint":{"addresses":[{"host":"127.0.0.1","port":8080}]},"security":{}}}""";

    @TempDir
    Path directory;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-07T17:00:00Z"));
    private MecApiFixture fixture;
    private HttpClient app;
    private ControlPlaneBackend operator;

    @BeforeEach
    void start()
    {
        fixture = new MecApiFixture(directory, "", Optional.of(now::get));
        fixture.provisionTwoApps();
        app = fixture.client("app/video-analytics");
        operator = GracefulTermination.wrap(fixture.backend, now::get);
    }

    @AfterEach
    void stop()
    {
        fixture.close();
    }

    @Test
    void shouldNotifyAPendingTerminationAndRemoveTheInstanceWithItsServicesWhenItConfirms() throws Exception
    {
        try (CallbackReceiver receiver = new CallbackReceiver(0))
        {
            subscribe(receiver.callback());
            final HttpResponse<String> registered = fixture.send(app, "POST",
                "/mec_service_mgmt/v1/applications/app-1/services", SERVICE);
            assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
            final String mesh = "mec-" + JSON.readTree(registered.body()).get("serInstanceId").asText();

            operator.submit(new Command.DeleteApp("app-1"));

            assertThat(fixture.backend.state().apps().get("app-1").terminationDeadline())
                .contains(now.get().plus(GracefulTermination.GRACE));
            final String body = receiver.next(WITHIN);
            assertThat(EtsiSchemas.validate(EtsiSchemas.APP_SUPPORT, "AppTerminationNotification", body)).isEmpty();
            final JsonNode notification = JSON.readTree(body);
            assertThat(notification.get("maxGracefulTimeout").asInt()).isEqualTo(10);
            assertThat(notification.at("/_links/confirmTermination/href").asText()).isEqualTo(CONFIRM);

            final HttpResponse<String> confirmed = fixture.send(app, "POST", CONFIRM, TERMINATING);

            assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(204);
            final DesiredState after = fixture.backend.state();
            assertThat(after.apps()).doesNotContainKey("app-1").containsKey("app-2");
            assertThat(after.services()).doesNotContainKey(mesh);
            assertThat(after.nodes().get("edge-1").services()).doesNotContain(mesh);
            assertThat(fixture.server.terminations().confirmed()).isEqualTo(1);
            MecApiFixture.assertProblem(fixture.send(app, "POST", CONFIRM, TERMINATING), 404);
        }
    }

    @Test
    void shouldRemoveTheInstanceWhenTheGraceLapsesEvenOverAControlPlaneRestart()
    {
        subscribe("http://127.0.0.1:9/unreachable");
        operator.submit(new Command.DeleteApp("app-1"));
        now.set(now.get().plus(GracefulTermination.GRACE).minusSeconds(1));
        assertThat(fixture.server.sweepTerminations()).isZero();

        fixture.close();
        fixture = new MecApiFixture(directory, "", Optional.of(now::get));
        assertThat(fixture.backend.state().apps().get("app-1").terminationDeadline()).isPresent();
        now.set(now.get().plusSeconds(1));

        assertThat(fixture.server.sweepTerminations()).isEqualTo(1);
        assertThat(fixture.backend.state().apps()).doesNotContainKey("app-1");
        assertThat(fixture.server.terminations().lapsed()).isEqualTo(1);
    }

    @Test
    void shouldDeleteAtOnceAnInstanceWithoutATerminationSubscriptionOrOnASecondDelete()
    {
        operator.submit(new Command.DeleteApp("app-2"));
        assertThat(fixture.backend.state().apps()).doesNotContainKey("app-2");

        subscribe("http://127.0.0.1:9/unreachable");
        operator.submit(new Command.DeleteApp("app-1"));
        assertThat(fixture.backend.state().apps()).containsKey("app-1");
        operator.submit(new Command.DeleteApp("app-1"));
        assertThat(fixture.backend.state().apps()).doesNotContainKey("app-1");
    }

    @Test
    void shouldRefuseAConfirmationWithoutAPendingTerminationOrWithABadBodyAndKeepTheState()
    {
        subscribe("http://127.0.0.1:9/unreachable");
        MecApiFixture.assertProblem(fixture.send(app, "POST", CONFIRM, TERMINATING), 409);
        operator.submit(new Command.DeleteApp("app-1"));
        final DesiredState before = fixture.backend.state();

        MecApiFixture.assertProblem(fixture.send(app, "POST", CONFIRM, "{\"operationAction\":\"LEAVING\"}"), 400);
        MecApiFixture.assertProblem(fixture.send(app, "POST", CONFIRM, "{}"), 400);
        MecApiFixture.assertProblem(fixture.send(app, "POST", CONFIRM, "{\"operationAction\":"), 400);
        MecApiFixture.assertProblem(fixture.send(app, "POST", CONFIRM, "{\"operationAction\":\"STOPPING\"}"), 409);
        MecApiFixture.assertProblem(fixture.send(fixture.client("app/other"), "POST", CONFIRM, TERMINATING), 403);
        MecApiFixture.assertProblem(fixture.send(app, "POST", "/mec_app_support/v2/applications/nope/confirm_termination",
            TERMINATING), 404);

        assertThat(fixture.backend.state()).isEqualTo(before);
    }

    private void subscribe(final String callback)
    {
        final HttpResponse<String> subscribed = fixture.send(app, "POST", APP + "/subscriptions", """
            {"subscriptionType":"AppTerminationNotificationSubscription","callbackReference":"%s",
             "appInstanceId":"app-1"}""".formatted(callback));
        assertThat(subscribed.statusCode()).as(subscribed.body()).isEqualTo(201);
    }
}
