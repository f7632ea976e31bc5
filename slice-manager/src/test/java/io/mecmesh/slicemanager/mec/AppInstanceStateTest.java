package io.mecmesh.slicemanager.mec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mecmesh.slicemanager.api.ApplyPlan;
import io.mecmesh.slicemanager.api.DesiredStateDocument;
import io.mecmesh.slicemanager.api.DocumentException;
import io.mecmesh.slicemanager.journal.JournalCodec;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.CommandRejectedException;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.MecService;
import io.mecmesh.slicemanager.model.MecSubscription;
import io.mecmesh.slicemanager.model.MeshEndpoint;
import io.mecmesh.slicemanager.model.ModelFixtures;
import io.mecmesh.slicemanager.model.TrafficRule;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * MEC application instances in the desired state: declared in a document, validated against the state, journaled and
 * snapshotted, rendered back.
 */
class AppInstanceStateTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String APP = """
        {"id":"app-1","name":"video-analytics","node":"node-a","slice":"1-0000a1",
         "spiffeId":"spiffe://mesh.example/app/video-analytics","endpoints":[{"address":"10.0.0.9","port":8080}],
         "trafficRules":[{"trafficRuleId":"r1","filterType":"FLOW","priority":0,
           "trafficFilter":[{"dstAddress":["10.0.0.1/32"],"dstPort":["80"],"dSCP":46}],
           "action":"FORWARD_DECAPSULATED","dstInterface":{"interfaceType":"IP","dstIpAddress":"10.0.0.9"},
           "state":"ACTIVE"}],
         "dnsRules":[{"dnsRuleId":"d1","domainName":"video.example","ipAddressType":"IP_V4","ipAddress":"10.0.0.9",
           "ttl":30,"state":"ACTIVE"}]}""";

    private static JsonNode json(final String text)
    {
        try
        {
            return JSON.readTree(text);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void shouldApplyADocumentWithAnAppAndRenderItBackToTheSameObjects()
    {
        final DesiredState base = ModelFixtures.state();
        final DesiredStateDocument.Declared declared =
            DesiredStateDocument.standard().read(json("{\"apps\":[" + APP + "]}"), base);

        final DesiredState state = base.apply(new Command.Batch(declared.commands()));
        final JsonNode rendered = DesiredStateDocument.standard().render(state);

        assertThat(state.apps().get("app-1").trafficRules()).extracting(TrafficRule::action)
            .containsExactly(TrafficRule.Action.FORWARD_DECAPSULATED);
        assertThat(DesiredStateDocument.standard().read(rendered, state).apps()).isEqualTo(declared.apps());
        final ApplyPlan again = DesiredStateDocument.standard().diff(state,
            DesiredStateDocument.standard().read(rendered, state), false);
        assertThat(again.hasChanges()).isFalse();
    }

    @Test
    void shouldJournalAndSnapshotAnAppUnchanged()
    {
        final AppInstance app = MecRulesJson.appInstance(json(APP), "").withReady();
        final DesiredState state = ModelFixtures.state().apply(new Command.PutApp(app));

        assertThat(JournalCodec.decodeCommand(JournalCodec.encode(new Command.PutApp(app))))
            .isEqualTo(new Command.PutApp(app));
        assertThat(JournalCodec.decodeCommand(JournalCodec.encode(new Command.DeleteApp("app-1"))))
            .isEqualTo(new Command.DeleteApp("app-1"));
        assertThat(JournalCodec.decodeState(JournalCodec.encode(state))).isEqualTo(state);
    }

    @Test
    void shouldJournalARegisteredServiceAsTheDocumentItWasAccepted()
    {
        final MecService service = MecServicesJson.service(json("""
            {"serName":"ExampleService","version":"1","state":"ACTIVE","serializer":"JSON",
             "transportInfo":{"id":"t","name":"REST","type":"REST_HTTP","protocol":"HTTP","version":"2.0",
              "endpoint":{"uris":["http://10.0.0.9:8081/api"]},"security":{}}}"""), "", "svc-1");
        final AppInstance app = MecRulesJson.appInstance(json(APP), "").withService(service);

        final Command decoded = JournalCodec.decodeCommand(JournalCodec.encode(new Command.PutApp(app)));

        assertThat(decoded).isEqualTo(new Command.PutApp(app));
        assertThat(service.endpoints()).extracting(MeshEndpoint::port).containsExactly(8081);
        assertThat(MecServicesJson.render(service).get("serInstanceId").asText()).isEqualTo("svc-1");
    }

    @Test
    void shouldJournalSubscriptionsAndAPendingTerminationAndRefuseAnotherInstancesTermination()
    {
        final MecSubscription availability = MecSubscriptionsJson.subscription(json("""
            {"subscriptionType":"SerAvailabilityNotificationSubscription","callbackReference":"http://127.0.0.1:1/n",
             "filteringCriteria":{"serNames":["ExampleService"],"states":["ACTIVE"]}}"""), "", "sub-1",
            MecSubscription.Type.SER_AVAILABILITY, "app-1");
        final MecSubscription termination = MecSubscriptionsJson.subscription(json("""
            {"subscriptionType":"AppTerminationNotificationSubscription","callbackReference":"https://a.example/t",
             "appInstanceId":"app-1"}"""), "", "sub-2", MecSubscription.Type.APP_TERMINATION, "app-1");
        final AppInstance app = MecRulesJson.appInstance(json(APP), "").withSubscription(availability)
            .withSubscription(termination).terminatingBy(java.time.Instant.parse("2026-12-07T17:00:00Z"));

        final Command decoded = JournalCodec.decodeCommand(JournalCodec.encode(new Command.PutApp(app)));

        assertThat(decoded).isEqualTo(new Command.PutApp(app));
        assertThat(((Command.PutApp)decoded).app().subscription("sub-2").type())
            .isEqualTo(MecSubscription.Type.APP_TERMINATION);
        assertThatThrownBy(() -> MecSubscriptionsJson.subscription(json("""
            {"subscriptionType":"AppTerminationNotificationSubscription","callbackReference":"http://x/t",
             "appInstanceId":"app-2"}"""), "", "sub-3", MecSubscription.Type.APP_TERMINATION, "app-1"))
            .hasMessageStartingWith("appInstanceId:");
        assertThatThrownBy(() -> MecSubscriptionsJson.subscription(json("""
            {"subscriptionType":"SerAvailabilityNotificationSubscription","callbackReference":"ftp://x/t"}"""),
            "", "sub-3", MecSubscription.Type.SER_AVAILABILITY, "app-1"))
            .hasMessageStartingWith("callbackReference:");
    }

    @Test
    void shouldRefuseAnAppOnAnUnknownNodeOrSliceAndADeleteOfItsNode()
    {
        final AppInstance app = MecRulesJson.appInstance(json(APP), "");
        final DesiredState base = ModelFixtures.state();

        assertThatThrownBy(() -> base.apply(new Command.PutApp(MecRulesJson.appInstance(
            json(APP.replace("node-a", "node-z")), ""))))
            .isInstanceOf(CommandRejectedException.class).hasMessageContaining("app.node");
        assertThatThrownBy(() -> base.apply(new Command.PutApp(MecRulesJson.appInstance(
            json(APP.replace("1-0000a1", "9-000009")), ""))))
            .isInstanceOf(CommandRejectedException.class).hasMessageContaining("app.slice");
        final DesiredState withApp = base.apply(new Command.PutApp(app));
        assertThatThrownBy(() -> withApp.apply(new Command.DeleteNode("node-a")))
            .isInstanceOf(CommandRejectedException.class).hasMessageContaining("app-1");
    }

    @Test
    void shouldNameThePathOfAnInvalidRuleInADocument()
    {
        final DesiredState base = ModelFixtures.state();

        assertThatThrownBy(() -> DesiredStateDocument.standard().read(
            json("{\"apps\":[" + APP.replace("\"dSCP\":46", "\"dSCP\":64") + "]}"), base))
            .isInstanceOf(DocumentException.class)
            .hasMessageContaining("apps[0].trafficRules[0].trafficFilter[0].dSCP");
        assertThatThrownBy(() -> DesiredStateDocument.standard().read(
            json("{\"apps\":[" + APP.replace("FORWARD_DECAPSULATED", "FORWARD") + "]}"), base))
            .isInstanceOf(DocumentException.class).hasMessageContaining("apps[0].trafficRules[0].action");
        assertThatThrownBy(() -> DesiredStateDocument.standard().read(
            json("{\"apps\":[" + APP + "," + APP + "]}"), base))
            .isInstanceOf(DocumentException.class).hasMessageContaining("apps[1].id");
        final String withoutEndpoints = APP.replace("\"endpoints\":[{\"address\":\"10.0.0.9\",\"port\":8080}],", "");
        assertThatThrownBy(() -> DesiredStateDocument.standard().read(
            json("{\"apps\":[" + withoutEndpoints + "]}"), base))
            .isInstanceOf(DocumentException.class)
            .hasMessageContaining("apps[0].trafficRules[0].action: FORWARD_DECAPSULATED sends traffic to the "
                + "application's endpoints");
    }

    @Test
    void shouldPruneAnAppBeforeTheNodeThatHostsIt()
    {
        final DesiredState withApp = ModelFixtures.state()
            .apply(new Command.PutApp(MecRulesJson.appInstance(json(APP), "")));

        final ApplyPlan plan = DesiredStateDocument.standard().diff(withApp,
            new DesiredStateDocument.Declared(List.of(), List.of(), List.of()), true);

        assertThat(plan.commands().get(0)).isEqualTo(new Command.DeleteApp("app-1"));
        assertThat(withApp.apply(plan.batch()).apps()).isEmpty();
    }
}
