package io.mecmesh.slicemanager.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.FiveQi;
import io.mecmesh.slicemanager.model.FiveQiTable;
import io.mecmesh.slicemanager.model.MeshEndpoint;
import io.mecmesh.slicemanager.model.ModelFixtures;
import io.mecmesh.slicemanager.model.Node;
import io.mecmesh.slicemanager.model.RetryPolicy;
import io.mecmesh.slicemanager.model.Service;
import io.mecmesh.slicemanager.model.Slice;
import io.mecmesh.slicemanager.model.Timeouts;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DesiredStateDocumentTest
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DesiredStateDocument DOCUMENTS = DesiredStateDocument.standard();

    static JsonNode json(final String singleQuoted)
    {
        try
        {
            return MAPPER.readTree(singleQuoted.replace('\'', '"'));
        }
        catch (final JsonProcessingException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static final String MINIMAL = "{'slices':[{'snssai':'1-000001','name':'embb','fiveQi':9}],"
        + "'services':[{'name':'video','slice':'1-000001','endpoints':[{'address':'10.0.0.1','port':8080,"
        + "'site':'site-a','zone':'zone-1'}],'routes':[{'host':'video.example'}]}],"
        + "'nodes':[{'id':'edge-a','site':'site-a','zone':'zone-1','services':['video']}]}";

    private static DesiredState applied(final List<Command> commands)
    {
        DesiredState state = DesiredState.empty();
        for (final Command command : commands)
        {
            state = state.apply(command);
        }
        return state;
    }

    @Test
    void shouldRenderAStateThatParsesBackToTheSameObjects()
    {
        final DesiredState state = ModelFixtures.state();

        final ObjectNode document = DOCUMENTS.render(state);
        final DesiredState parsed = applied(DOCUMENTS.parse(document, DesiredState.empty()));

        assertThat(parsed.slices()).isEqualTo(state.slices());
        assertThat(parsed.services()).isEqualTo(state.services());
        assertThat(parsed.nodes()).isEqualTo(state.nodes());
        assertThat(DOCUMENTS.render(parsed)).isEqualTo(document);
    }

    @Test
    void shouldReadAndRenderANodesMeshEndpointNamingItsFieldsWhenInvalid()
    {
        final String withMesh = MINIMAL.replace("'services':['video']}", "'services':['video'],"
            + "'mesh':{'address':'10.0.0.9','port':15443}}");

        final DesiredStateDocument.Declared declared = DOCUMENTS.read(json(withMesh), DesiredState.empty());

        assertThat(declared.nodes().get(0).mesh()).contains(new MeshEndpoint("10.0.0.9", 15443));
        final DesiredState state = applied(declared.commands());
        assertThat(DOCUMENTS.render(state).path("nodes").get(0).path("mesh").path("port").asInt()).isEqualTo(15443);
        assertThat(applied(DOCUMENTS.parse(DOCUMENTS.render(state), DesiredState.empty())).nodes())
            .isEqualTo(state.nodes());
        assertThatThrownBy(() -> DOCUMENTS.parse(json(withMesh.replace("15443", "0")), DesiredState.empty()))
            .hasMessage("nodes[0].mesh.port: expected 1 to 65535, got 0");
        assertThatThrownBy(() -> DOCUMENTS.parse(json(withMesh.replace("'address':'10.0.0.9',", "")),
            DesiredState.empty())).hasMessageStartingWith("nodes[0].mesh.address");
        assertThat(DOCUMENTS.read(json(MINIMAL), DesiredState.empty()).nodes().get(0).mesh())
            .isEqualTo(Optional.empty());
    }

    @Test
    void shouldReadAndRenderAServicesActiveRequestLimitNamingABadValue()
    {
        final String limited = MINIMAL.replace("'routes':[{'host':'video.example'}]",
            "'routes':[{'host':'video.example'}],'maxActiveRequestsPerLoop':4");

        final DesiredStateDocument.Declared declared = DOCUMENTS.read(json(limited), DesiredState.empty());

        assertThat(declared.services().get(0).maxActiveRequestsPerLoop()).isEqualTo(4);
        final DesiredState state = applied(declared.commands());
        assertThat(DOCUMENTS.render(state).path("services").get(0).path("maxActiveRequestsPerLoop").asInt())
            .isEqualTo(4);
        assertThat(applied(DOCUMENTS.parse(DOCUMENTS.render(state), DesiredState.empty())).services())
            .isEqualTo(state.services());
        assertThat(DOCUMENTS.read(json(MINIMAL), DesiredState.empty()).services().get(0).maxActiveRequestsPerLoop())
            .isZero();
        assertThatThrownBy(() -> DOCUMENTS.parse(json(limited.replace("':4", "':-1")), DesiredState.empty()))
            .hasMessage("services[0].maxActiveRequestsPerLoop: expected 0 to 1000000, got -1");
    }

    @Test
    void shouldDeriveWhatTheDocumentLeavesOut()
    {
        final DesiredStateDocument.Declared declared = DOCUMENTS.read(json(MINIMAL), DesiredState.empty());

        final Slice slice = declared.slices().get(0);
        final FiveQi nine = FiveQiTable.standard().get(9);
        assertThat(slice.fiveQi()).isEqualTo(nine);
        assertThat(slice.priorityLevel()).isEqualTo(nine.priorityLevel());
        assertThat(slice.dscp()).isZero();
        final Service service = declared.services().get(0);
        assertThat(service.timeouts()).isEqualTo(Timeouts.derivedFrom(nine.packetDelayBudgetMs()));
        assertThat(service.retries()).isEqualTo(RetryPolicy.derivedFrom(nine.packetDelayBudgetMs()));
        assertThat(service.routes().get(0).pathPrefix()).isEqualTo("/");
        assertThat(service.endpoints().get(0).weight()).isEqualTo(1);
        assertThat(declared.nodes()).containsExactly(new Node("edge-a", "site-a", "zone-1", List.of("video")));
        assertThat(declared.commands()).hasSize(3).first().isInstanceOf(Command.PutSlice.class);
    }

    @Test
    void shouldNameThePathOfAnInvalidField()
    {
        final String document = MINIMAL.replace("'services':[{", "'services':[{'name':'cdn','slice':'1-000001',"
            + "'endpoints':[{'address':'10.0.0.2','port':80,'site':'site-a','zone':'zone-1'}],'routes':[{'host':'c'}]},"
            + "{").replace("'port':8080", "'port':0");

        assertThatThrownBy(() -> DOCUMENTS.parse(json(document), DesiredState.empty()))
            .isInstanceOf(DocumentException.class)
            .hasMessage("services[1].endpoints[0].port: expected 1 to 65535, got 0")
            .satisfies(ex -> assertThat(((DocumentException)ex).field()).isEqualTo("services[1].endpoints[0].port"));
    }

    @Test
    void shouldRefuseUnknownKeysNamingThem()
    {
        assertThatThrownBy(() -> DOCUMENTS.parse(json(MINIMAL.replace("'port':8080", "'port':8080,'prot':'TCP'")),
            DesiredState.empty()))
            .hasMessageStartingWith("services[0].endpoints[0].prot: unknown key (expected one of address, port,");
        assertThatThrownBy(() -> DOCUMENTS.parse(json("{'slice':[]}"), DesiredState.empty()))
            .hasMessageStartingWith("slice: unknown key (expected one of apps, nodes, services, slices)");
    }

    @Test
    void shouldRefuseAServiceOfASliceNeitherDeclaredNorInTheState()
    {
        final String document = MINIMAL.replace("'slice':'1-000001'", "'slice':'1-0000a2'");

        assertThatThrownBy(() -> DOCUMENTS.parse(json(document), DesiredState.empty()))
            .hasMessageStartingWith("services[0].slice: unknown slice 1-0000a2");
        assertThat(DOCUMENTS.validate(json(document)).services()).hasSize(1);
        final DesiredState withSlice = DesiredState.empty()
            .apply(new Command.PutSlice(Slice.builder(io.mecmesh.slicemanager.model.Snssai.parse("1-0000a2"),
                "other", FiveQiTable.standard().get(9)).build()));
        assertThat(DOCUMENTS.parse(json(document), withSlice)).hasSize(3);
    }

    @Test
    void shouldNameWrongTypesAndMissingFieldsAndBadValues()
    {
        assertThatThrownBy(() -> DOCUMENTS.parse(json(MINIMAL.replace("'port':8080", "'port':'http'")),
            DesiredState.empty())).hasMessage("services[0].endpoints[0].port: expected an integer, got \"http\"");
        assertThatThrownBy(() -> DOCUMENTS.parse(json(MINIMAL.replace("'name':'embb',", "")),
            DesiredState.empty())).hasMessage("slices[0].name: required");
        assertThatThrownBy(() -> DOCUMENTS.parse(json(MINIMAL.replace("'fiveQi':9", "'fiveQi':99")),
            DesiredState.empty())).hasMessageStartingWith("slices[0].fiveQi: unknown 5QI 99");
        assertThatThrownBy(() -> DOCUMENTS.parse(json(MINIMAL.replace("1-000001'", "1-0001'")),
            DesiredState.empty())).hasMessageStartingWith("slices[0].snssai: expected SST or SST-SD");
        assertThatThrownBy(() -> DOCUMENTS.parse(json(MINIMAL.replace("'fiveQi':9", "'fiveQi':9,'dscp':64")),
            DesiredState.empty())).hasMessage("slices[0].dscp: expected 0 to 63, got 64");
        assertThatThrownBy(() -> DOCUMENTS.parse(json(MINIMAL.replace("'services':['video']",
            "'services':['video','video']")), DesiredState.empty()))
            .hasMessageStartingWith("nodes[0].services[1]: \"video\" is listed twice");
    }

    @Test
    void shouldRoundTripAnOperatorDefined5QiRow()
    {
        final String document = "{'slices':[{'snssai':'3-000003','name':'iot','fiveQi':{'value':200,"
            + "'resourceType':'NON_GBR','priorityLevel':70,'packetDelayBudgetMs':500,'packetErrorRate':1e-4}}]}";

        final Slice slice = DOCUMENTS.read(json(document), DesiredState.empty()).slices().get(0);

        assertThat(slice.fiveQi().origin()).isEqualTo(FiveQi.Origin.OPERATOR);
        assertThat(slice.packetDelayBudgetMs()).isEqualTo(500);
        final JsonNode rendered = DOCUMENTS.render(slice);
        assertThat(rendered.get("fiveQi").get("value").asInt()).isEqualTo(200);
        assertThat(DOCUMENTS.slice(rendered, "")).isEqualTo(slice);
    }

    @Test
    void shouldReadAndRenderASlicesAllowedCallersNamingABadPrefix()
    {
        final String document = "{'slices':[{'snssai':'3-000003','name':'iot','fiveQi':9,"
            + "'authorization':{'allowedCallerPrefixes':['spiffe://mesh.example/site/site-a/']}}]}";

        final Slice slice = DOCUMENTS.read(json(document), DesiredState.empty()).slices().get(0);

        assertThat(slice.authorization().allowedCallerPrefixes()).containsExactly("spiffe://mesh.example/site/site-a/");
        assertThat(DOCUMENTS.slice(DOCUMENTS.render(slice), "")).isEqualTo(slice);
        assertThatThrownBy(() -> DOCUMENTS.read(json(document.replace("site-a/", "Site A/")), DesiredState.empty()))
            .isInstanceOf(DocumentException.class)
            .hasMessageStartingWith("slices[0].authorization.allowedCallerPrefixes[0]: expected spiffe://");
    }

    @Test
    void shouldDiffCreateUpdateUnchangedAndDeleteOnlyWithPrune()
    {
        final DesiredState current = ModelFixtures.state();
        final ObjectNode document = DOCUMENTS.render(current);
        ((ObjectNode)document.get("services").get(0)).put("name", "cdn2");
        ((ObjectNode)document.get("services").get(0).get("routes").get(0)).put("host", "cdn2.example");
        ((ObjectNode)document.get("services").get(0).get("routes").get(1)).put("host", "cdn2.example");
        ((ObjectNode)document.get("slices").get(0)).put("dscp", 10);
        final DesiredStateDocument.Declared declared = DOCUMENTS.read(document, current);

        final ApplyPlan kept = DOCUMENTS.diff(current, declared, false);
        final ApplyPlan pruned = DOCUMENTS.diff(current, declared, true);

        assertThat(kept.changes()).extracting(change -> change.op() + " " + change.kind() + "/" + change.name())
            .containsExactly("UPDATE slice/embb-video", "UNCHANGED slice/factory-control", "CREATE service/cdn2",
                "UNCHANGED service/plc", "UNCHANGED service/video", "UNCHANGED node/node-a",
                "UNCHANGED node/node-b", "UNCHANGED node/node-c");
        assertThat(kept.paths()).containsExactly("slices[0]", "services[0]");
        assertThat(kept.changes().get(0).before().orElseThrow().get("dscp").asInt()).isZero();
        assertThat(kept.changes().get(0).after().orElseThrow().get("dscp").asInt()).isEqualTo(10);
        assertThat(pruned.changes()).extracting(change -> change.op() + " " + change.kind() + "/" + change.name())
            .contains("DELETE service/cdn");
        assertThat(pruned.commands()).last().isEqualTo(new Command.DeleteService("cdn"));
        assertThat(DOCUMENTS.diff(current, DOCUMENTS.read(DOCUMENTS.render(current), current), true).hasChanges())
            .isFalse();
    }

    @Test
    void shouldLeaveWhatOnlyTheControlPlaneKnowsToItWhenValidatingAlone()
    {
        final String operatorFiveQi = MINIMAL.replace("'fiveQi':9", "'fiveQi':200");

        assertThat(DOCUMENTS.validate(json(operatorFiveQi)).slices()).hasSize(1);
        assertThatThrownBy(() -> DOCUMENTS.parse(json(operatorFiveQi), DesiredState.empty()))
            .hasMessageStartingWith("slices[0].fiveQi: unknown 5QI 200");
        assertThatThrownBy(() -> DOCUMENTS.validate(json(MINIMAL.replace("'fiveQi':9", "'fiveQi':255"))))
            .hasMessageStartingWith("slices[0].fiveQi: unknown 5QI 255");
        assertThatThrownBy(() -> DOCUMENTS.validate(json(MINIMAL.replace("'port':8080", "'port':70000"))))
            .hasMessage("services[0].endpoints[0].port: expected 1 to 65535, got 70000");
        assertThat(DOCUMENTS.validateService(json(MINIMAL).get("services").get(0)).name()).isEqualTo("video");
    }
}
