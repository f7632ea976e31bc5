package io.mecmesh.mecapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * MEC 011 subscriptions against a real server and conductor (journal on disk), with notifications POSTed to a real
 * HTTP receiver on 127.0.0.1: service availability (ADDED, STATE_CHANGED to SUSPENDED and back, REMOVED) and
 * application termination. Every body is validated against the ETSI v2.1.1 schemas.
 */
class SubscriptionsApiTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WITHIN = Duration.ofSeconds(10);
    private static final String SUBSCRIPTIONS = "/mec_service_mgmt/v1/applications/app-2/subscriptions";
    private static final String TERMINATION = "/mec_app_support/v2/applications/app-1/subscriptions";
    private static final String SERVICES = "/mec_service_mgmt/v1/applications/app-1/services";
    private static final String SERVICE = """
        {"serName":"beating","version":"1","state":"ACTIVE","serializer":"JSON","livenessInterval":5,
         "serCategory":{"href":"/c/1","id":"video","name":"Video","version":"1"},
         "transportInfo":{"id":"t1","name":"REST","type":"REST_HTTP","protocol":"HTTP","version":"2.0",
          "endpoint":{"addresses":[{"host":"127.0.0.1","port":8080}]},"security":{}}}""";

    @TempDir
    Path directory;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-07T17:00:00Z"));
    private MecApiFixture fixture;
    private HttpClient producer;
    private HttpClient consumer;

    @BeforeEach
    void start()
    {
        fixture = new MecApiFixture(directory, "", Optional.of(now::get));
        fixture.provisionTwoApps();
        producer = fixture.client("app/video-analytics");
        consumer = fixture.client("app/other");
    }

    @AfterEach
    void stop()
    {
        fixture.close();
    }

    @Test
    void shouldNotifyAvailabilitySubscribersWhenAServiceIsAddedSuspendedResumedAndDeleted() throws Exception
    {
        try (CallbackReceiver receiver = new CallbackReceiver(0))
        {
            final HttpResponse<String> subscribed = fixture.send(consumer, "POST", SUBSCRIPTIONS, """
                {"subscriptionType":"SerAvailabilityNotificationSubscription","callbackReference":"%s",
                 "filteringCriteria":{"serNames":["beating"]}}""".formatted(receiver.callback()));
            assertThat(subscribed.statusCode()).as(subscribed.body()).isEqualTo(201);
            final String self = JSON.readTree(subscribed.body()).at("/_links/self/href").asText();

            final HttpResponse<String> created = fixture.send(producer, "POST", SERVICES, SERVICE);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            final String id = JSON.readTree(created.body()).get("serInstanceId").asText();
            assertThat(fixture.send(producer, "POST", SERVICES, SERVICE.replace("beating", "ignored")).statusCode())
                .isEqualTo(201);

            final JsonNode added = availability(receiver.next(WITHIN));
            assertThat(added.at("/_links/subscription/href").asText()).isEqualTo(self);
            assertThat(added.get("serviceReferences")).hasSize(1);
            assertThat(added.at("/serviceReferences/0/serInstanceId").asText()).isEqualTo(id);
            assertThat(added.at("/serviceReferences/0/changeType").asText()).isEqualTo("ADDED");
            assertThat(added.at("/serviceReferences/0/link/href").asText()).isEqualTo(SERVICES + "/" + id);

            now.set(now.get().plusSeconds(11));
            assertThat(fixture.server.sweepLiveness()).isEqualTo(2);
            final JsonNode suspended = JSON.readTree(receiver.next(WITHIN));
            assertThat(suspended.get("notificationType").asText()).isEqualTo("SerAvailabilityNotification");
            assertThat(suspended.at("/serviceReferences/0/state").asText()).isEqualTo("SUSPENDED");
            assertThat(suspended.at("/serviceReferences/0/changeType").asText()).isEqualTo("STATE_CHANGED");
            assertThat(suspended.get("serviceReferences")).hasSize(1);

            assertThat(fixture.send(producer, "PATCH", SERVICES + "/" + id + "/liveness", "{\"state\":\"ACTIVE\"}")
                .statusCode()).isEqualTo(204);
            final JsonNode resumed = availability(receiver.next(WITHIN));
            assertThat(resumed.at("/serviceReferences/0/state").asText()).isEqualTo("ACTIVE");
            assertThat(resumed.at("/serviceReferences/0/changeType").asText()).isEqualTo("STATE_CHANGED");

            assertThat(fixture.send(producer, "DELETE", SERVICES + "/" + id, "").statusCode()).isEqualTo(204);
            final JsonNode removed = availability(receiver.next(WITHIN));
            assertThat(removed.at("/serviceReferences/0/changeType").asText()).isEqualTo("REMOVED");
            assertThat(removed.at("/serviceReferences/0/serInstanceId").asText()).isEqualTo(id);
            CallbackReceiver.await(() -> fixture.server.notifier().delivered() == 4, WITHIN);
            assertThat(receiver.pending()).isZero();
        }
    }

    @Test
    void shouldCreateListGetAndDeleteSubscriptionsForTheOwnerOnlyAndKeepThemOverARestart() throws Exception
    {
        final String body = """
            {"subscriptionType":"SerAvailabilityNotificationSubscription",
             "callbackReference":"http://127.0.0.1:9/cb","filteringCriteria":{"states":["ACTIVE"],"isLocal":true}}""";
        final HttpResponse<String> created = fixture.send(consumer, "POST", SUBSCRIPTIONS, body);

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(EtsiSchemas.validate(EtsiSchemas.SERVICE_MGMT, "SerAvailabilityNotificationSubscription",
            created.body())).isEmpty();
        final String self = JSON.readTree(created.body()).at("/_links/self/href").asText();
        assertThat(created.headers().firstValue("location")).contains(fixture.uri(self).toString());
        final HttpResponse<String> list = fixture.get(consumer, SUBSCRIPTIONS);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(EtsiSchemas.validate(EtsiSchemas.SERVICE_MGMT, "MecServiceMgmtApiSubscriptionLinkList",
            list.body())).isEmpty();
        assertThat(JSON.readTree(list.body()).at("/_links/subscriptions/0/href").asText()).isEqualTo(self);
        assertThat(JSON.readTree(list.body()).at("/_links/subscriptions/0/rel").asText())
            .isEqualTo("SerAvailabilityNotificationSubscription");
        MecApiFixture.assertProblem(fixture.get(producer, self), 403);
        MecApiFixture.assertProblem(fixture.send(producer, "DELETE", self, ""), 403);

        fixture.close();
        fixture = new MecApiFixture(directory, "", Optional.of(now::get));
        consumer = fixture.client("app/other");

        final HttpResponse<String> again = fixture.get(consumer, self);
        assertThat(again.statusCode()).as("journaled: kept over a restart").isEqualTo(200);
        assertThat(EtsiSchemas.validate(EtsiSchemas.SERVICE_MGMT, "SerAvailabilityNotificationSubscription",
            again.body())).isEmpty();
        assertThat(JSON.readTree(again.body()).at("/filteringCriteria/states/0").asText()).isEqualTo("ACTIVE");
        assertThat(fixture.send(consumer, "DELETE", self, "").statusCode()).isEqualTo(204);
        MecApiFixture.assertProblem(fixture.get(consumer, self), 404);
        assertThat(JSON.readTree(fixture.get(consumer, SUBSCRIPTIONS).body()).at("/_links/subscriptions"))
            .isEmpty();
    }

    @Test
    void shouldRefuseMalformedSubscriptionsAndKeepTheState()
    {
        final DesiredState before = fixture.backend.state();
        final String ok = "{\"subscriptionType\":\"SerAvailabilityNotificationSubscription\","
            + "\"callbackReference\":\"http://127.0.0.1:9/cb\"";

        MecApiFixture.assertProblem(fixture.send(consumer, "POST", SUBSCRIPTIONS, ok + ","), 400);
        MecApiFixture.assertProblem(fixture.send(consumer, "POST", SUBSCRIPTIONS,
            ok.replace("SerAvailability", "AppTermination") + "}"), 400);
        MecApiFixture.assertProblem(fixture.send(consumer, "POST", SUBSCRIPTIONS,
            ok.replace("http://127.0.0.1:9/cb", "not a uri") + "}"), 400);
        MecApiFixture.assertProblem(fixture.send(consumer, "POST", SUBSCRIPTIONS,
            ok + ",\"filteringCriteria\":{\"states\":[\"SLEEPING\"]}}"), 400);
        MecApiFixture.assertProblem(fixture.send(consumer, "POST", SUBSCRIPTIONS,
            ok + ",\"filteringCriteria\":{\"serNames\":[\"a\"],\"serInstanceIds\":[\"b\"]}}"), 400);
        MecApiFixture.assertProblem(fixture.send(consumer, "POST", SUBSCRIPTIONS, ok + ",\"extra\":1}"), 400);
        MecApiFixture.assertProblem(fixture.send(consumer, "POST", "/mec_service_mgmt/v1/applications/nope/subscriptions",
            ok + "}"), 404);
        MecApiFixture.assertProblem(fixture.send(producer, "POST", SUBSCRIPTIONS, ok + "}"), 403);
        MecApiFixture.assertProblem(fixture.send(producer, "POST", TERMINATION,
            "{\"subscriptionType\":\"AppTerminationNotificationSubscription\",\"callbackReference\":"
                + "\"http://127.0.0.1:9/cb\",\"appInstanceId\":\"app-2\"}"), 400);
        MecApiFixture.assertProblem(fixture.get(consumer, SUBSCRIPTIONS + "/nope"), 404);

        assertThat(fixture.backend.state()).isEqualTo(before);
    }

    @Test
    void shouldNotifyTerminationSubscribersWhenTheOperatorDeletesTheInstanceAndRetryAFailingCallback()
        throws Exception
    {
        try (CallbackReceiver receiver = new CallbackReceiver(2))
        {
            final HttpResponse<String> subscribed = fixture.send(producer, "POST", TERMINATION, """
                {"subscriptionType":"AppTerminationNotificationSubscription","callbackReference":"%s",
                 "appInstanceId":"app-1"}""".formatted(receiver.callback()));
            assertThat(subscribed.statusCode()).as(subscribed.body()).isEqualTo(201);
            assertThat(EtsiSchemas.validate(EtsiSchemas.APP_SUPPORT, "AppTerminationNotificationSubscription",
                subscribed.body())).isEmpty();
            final HttpResponse<String> list = fixture.get(producer, TERMINATION);
            assertThat(EtsiSchemas.validate(EtsiSchemas.APP_SUPPORT, "MecAppSuptApiSubscriptionLinkList",
                list.body())).isEmpty();
            final String self = JSON.readTree(subscribed.body()).at("/_links/self/href").asText();

            fixture.backend.submit(new Command.DeleteApp("app-1"));

            final String body = receiver.next(WITHIN);
            assertThat(EtsiSchemas.validate(EtsiSchemas.APP_SUPPORT, "AppTerminationNotification", body)).isEmpty();
            final JsonNode notification = JSON.readTree(body);
            assertThat(notification.get("notificationType").asText()).isEqualTo("AppTerminationNotification");
            assertThat(notification.get("operationAction").asText()).isEqualTo("TERMINATING");
            assertThat(notification.get("maxGracefulTimeout").asInt()).isZero();
            assertThat(notification.at("/_links/subscription/href").asText()).isEqualTo(self);
            CallbackReceiver.await(() -> fixture.server.notifier().delivered() == 1, WITHIN);
            assertThat(fixture.server.notifier().retried()).isEqualTo(2);
        }
    }

    private static JsonNode availability(final String body) throws Exception
    {
        assertThat(EtsiSchemas.validate(EtsiSchemas.SERVICE_MGMT, "ServiceAvailabilityNotification", body))
            .as(body).isEmpty();
        final JsonNode notification = JSON.readTree(body);
        assertThat(notification.get("notificationType").asText()).isEqualTo("SerAvailabilityNotification");
        return notification;
    }

}
