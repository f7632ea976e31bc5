package io.mecmesh.slicemanager.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mecmesh.dataplane.qos.QosConfig;
import io.mecmesh.dataplane.qos.QosMode;
import io.mecmesh.dataplane.qos.SliceQosConfig;
import io.mecmesh.slicemanager.api.DesiredStateDocument;
import io.mecmesh.slicemanager.distribution.MeshConfigCodec;
import io.mecmesh.slicemanager.journal.JournalCodec;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.SliceQos;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A slice's {@code qos} and a node's {@code qos.linkCapacityBps} from the desired state to the node's compiled
 * {@code QosConfig}: parsed, journaled, rendered back, compiled (with the slice's GBRs) and distributed.
 */
class QosCompileTest
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DesiredStateDocument DOCUMENTS = DesiredStateDocument.standard();
    private static final String DOCUMENT = """
        {"slices": [
           {"snssai": "2-0000b2", "name": "urllc", "fiveQi": 82,
            "bitRates": {"gbrUplinkBps": 1000000, "gbrDownlinkBps": 2000000},
            "qos": {"mode": "shape", "maxShapingWaitMs": 250, "requestsPerSecond": 100, "priorityWeight": 7}},
           {"snssai": "1-000001", "name": "embb", "fiveQi": 9}],
         "services": [
           {"name": "plc", "slice": "2-0000b2", "routes": [{"host": "plc.example"}],
            "endpoints": [{"address": "10.0.0.1", "port": 8080, "site": "site-a", "zone": "zone-1"}]},
           {"name": "video", "slice": "1-000001", "routes": [{"host": "video.example"}],
            "endpoints": [{"address": "10.0.0.2", "port": 8080, "site": "site-a", "zone": "zone-1"}]}],
         "nodes": [{"id": "edge-a", "site": "site-a", "zone": "zone-1", "services": ["plc", "video"],
                    "qos": {"linkCapacityBps": 1000000000}}]}
        """;

    static DesiredState applied(final List<Command> commands)
    {
        DesiredState state = DesiredState.empty();
        for (final Command command : commands)
        {
            state = state.apply(command);
        }
        return state;
    }

    static JsonNode json(final String text) throws Exception
    {
        return MAPPER.readTree(text);
    }

    @Test
    void shouldCompileTheSlicesQosAndTheNodesLinkCapacityIntoItsMeshConfig() throws Exception
    {
        final List<Command> commands = DOCUMENTS.parse(json(DOCUMENT), DesiredState.empty());
        final DesiredState state = applied(commands);

        final NodeMeshConfig node = new MeshCompiler().compile(state, CompilerSettings.DEFAULT).nodes().get("edge-a");

        assertThat(node.meshConfig().qos()).isEqualTo(new QosConfig(1_000_000_000L, List.of(
            new SliceQosConfig(2 << 24 | 0xb2, QosMode.SHAPE, 250, 100, 1_000_000, 2_000_000, 7))));
        assertThat(MeshConfigCodec.decode(MeshConfigCodec.encode(node)).meshConfig().qos())
            .isEqualTo(node.meshConfig().qos());
    }

    @Test
    void shouldJournalAndRenderTheQosFieldsBackToTheSameState() throws Exception
    {
        final List<Command> commands = DOCUMENTS.parse(json(DOCUMENT), DesiredState.empty());
        for (final Command command : commands)
        {
            assertThat(JournalCodec.decodeCommand(JournalCodec.encode(command))).isEqualTo(command);
        }
        final DesiredState state = applied(commands);

        assertThat(JournalCodec.decodeState(JournalCodec.encode(state))).isEqualTo(state);
        final DesiredState rendered = applied(DOCUMENTS.parse(DOCUMENTS.render(state), DesiredState.empty()));
        assertThat(rendered.slices()).isEqualTo(state.slices());
        assertThat(rendered.nodes()).isEqualTo(state.nodes());
        assertThat(state.nodes().get("edge-a").linkCapacityBps()).isEqualTo(1_000_000_000L);
    }

    @Test
    void shouldChangeTheNodesContentHashWhenOnlyASlicesQosChanges() throws Exception
    {
        final DesiredState before = applied(DOCUMENTS.parse(json(DOCUMENT), DesiredState.empty()));
        final DesiredState after = applied(DOCUMENTS.parse(json(DOCUMENT.replace("\"requestsPerSecond\": 100",
            "\"requestsPerSecond\": 50")), DesiredState.empty()));

        assertThat(new MeshCompiler().compile(after, CompilerSettings.DEFAULT).nodes().get("edge-a").contentHash())
            .isNotEqualTo(new MeshCompiler().compile(before, CompilerSettings.DEFAULT).nodes().get("edge-a")
                .contentHash());
        assertThat(after.slices().values()).extracting(s -> s.qos()).contains(SliceQos.DEFAULT);
    }

    @Test
    void shouldNameTheFieldOfAnInvalidQosSetting()
    {
        assertThatThrownBy(() -> DOCUMENTS.parse(json(DOCUMENT.replace("\"shape\"", "\"drop\"")),
            DesiredState.empty())).hasMessage("slices[0].qos.mode: expected one of police, shape, got \"drop\"");
        assertThatThrownBy(() -> DOCUMENTS.parse(json(DOCUMENT.replace("250", "60001")), DesiredState.empty()))
            .hasMessage("slices[0].qos.maxShapingWaitMs: expected 0 to 60000, got 60001");
        assertThatThrownBy(() -> DOCUMENTS.parse(json(DOCUMENT.replace("linkCapacityBps", "linkCapacity")),
            DesiredState.empty())).hasMessageStartingWith("nodes[0].qos.linkCapacity: unknown");
    }
}
