package io.mecmesh.slicemanager.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.dataplane.classify.ClassificationRule;
import io.mecmesh.dataplane.classify.PortRange;
import io.mecmesh.dataplane.classify.SourcePrefix;
import io.mecmesh.slicemanager.api.DesiredStateDocument;
import io.mecmesh.slicemanager.api.DocumentException;
import io.mecmesh.slicemanager.distribution.MeshConfigCodec;
import io.mecmesh.slicemanager.journal.JournalCodec;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.mecmesh.slicemanager.compiler.QosCompileTest.applied;
import static io.mecmesh.slicemanager.compiler.QosCompileTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A slice's classification rule on the connection's 5-tuple (destination prefixes, destination and source ports)
 * from the desired state to the node: parsed, journaled (an older journal without these fields still reads),
 * rendered back, compiled and distributed; bad ports and prefixes are refused naming the field.
 */
class FiveTupleClassificationCompileTest
{
    private static final DesiredStateDocument DOCUMENTS = DesiredStateDocument.standard();
    private static final int URLLC = 2 << 24 | 0xb2;
    private static final String DOCUMENT = """
        {"slices": [
           {"snssai": "2-0000b2", "name": "urllc", "fiveQi": 82,
            "classification": [
              {"sourceCidrs": ["10.45.0.0/16"], "sourcePorts": "40000-40099",
               "destinationCidrs": ["198.51.100.10/32"], "destinationPorts": 8443},
              {"listener": "ingress", "header": {"name": "x-slice", "value": "urllc"}}]}],
         "services": [
           {"name": "plc", "slice": "2-0000b2", "routes": [{"host": "plc.example"}],
            "endpoints": [{"address": "10.0.0.1", "port": 8080, "site": "site-a", "zone": "zone-1"}]}],
         "nodes": [{"id": "edge-a", "site": "site-a", "zone": "zone-1", "services": ["plc"]}]}
        """;

    @Test
    void shouldCompileAFiveTupleRuleIntoTheNodesClassifierAndDistributeIt() throws Exception
    {
        final DesiredState state = applied(DOCUMENTS.parse(json(DOCUMENT), DesiredState.empty()));

        final NodeMeshConfig node = new MeshCompiler().compile(state, CompilerSettings.DEFAULT).nodes().get("edge-a");

        final ClassificationRule rule = node.meshConfig().classification().rules().get(0);
        assertThat(rule.sliceId()).isEqualTo(URLLC);
        assertThat(rule.sourceCidrs()).containsExactly(SourcePrefix.parse("10.45.0.0/16"));
        assertThat(rule.sourcePorts()).contains(new PortRange(40000, 40099));
        assertThat(rule.destinationCidrs()).containsExactly(SourcePrefix.parse("198.51.100.10/32"));
        assertThat(rule.destinationPorts()).contains(new PortRange(8443, 8443));
        assertThat(node.meshConfig().classification().rules().get(1).hasFiveTuple()).isFalse();
        assertThat(MeshConfigCodec.decode(MeshConfigCodec.encode(node))).isEqualTo(node);
    }

    @Test
    void shouldJournalAndRenderTheFiveTupleBackToTheSameState() throws Exception
    {
        final List<Command> commands = DOCUMENTS.parse(json(DOCUMENT), DesiredState.empty());
        for (final Command command : commands)
        {
            assertThat(JournalCodec.decodeCommand(JournalCodec.encode(command))).isEqualTo(command);
        }
        final DesiredState state = applied(commands);

        assertThat(JournalCodec.decodeState(JournalCodec.encode(state))).isEqualTo(state);
        final ObjectNode rendered = DOCUMENTS.render(state);
        final JsonNode renderedRule = rendered.get("slices").get(0).get("classification").get(0);
        assertThat(renderedRule.get("sourcePorts").asText()).isEqualTo("40000-40099");
        assertThat(renderedRule.get("destinationPorts").isInt()).as("a single port renders as a number").isTrue();
        assertThat(applied(DOCUMENTS.parse(rendered, DesiredState.empty())).slices()).isEqualTo(state.slices());
    }

    @Test
    void shouldReadAJournalWrittenBeforeTheFiveTupleCriteria() throws Exception
    {
        final DesiredState state = applied(DOCUMENTS.parse(json(DOCUMENT
            .replace("\"sourcePorts\": \"40000-40099\",", "")
            .replace("\"destinationCidrs\": [\"198.51.100.10/32\"], \"destinationPorts\": 8443",
                "\"listener\": \"ingress\"")), DesiredState.empty()));
        final String journal = new String(JournalCodec.encode(state), java.nio.charset.StandardCharsets.UTF_8);

        assertThat(journal).as("a rule without them writes what an older journal holds").doesNotContain("Ports")
            .doesNotContain("destinationCidrs");
        final DesiredState decoded = JournalCodec.decodeState(JournalCodec.encode(state));
        assertThat(decoded).isEqualTo(state);
        assertThat(decoded.slices().values().iterator().next().classification().get(0).destinationCidrs()).isEmpty();
    }

    @Test
    void shouldRefuseABadPortOrPrefixNamingTheField()
    {
        assertThatThrownBy(() -> DOCUMENTS.parse(json(DOCUMENT.replace("\"destinationPorts\": 8443",
            "\"destinationPorts\": 70000")), DesiredState.empty()))
            .isInstanceOf(DocumentException.class)
            .hasMessageStartingWith("slices[0].classification[0].destinationPorts: expected ports 1 to 65535");
        assertThatThrownBy(() -> DOCUMENTS.parse(json(DOCUMENT.replace("\"40000-40099\"", "\"40099-40000\"")),
            DesiredState.empty()))
            .isInstanceOf(DocumentException.class)
            .hasMessageStartingWith("slices[0].classification[0].sourcePorts: expected ports 1 to 65535");
        assertThatThrownBy(() -> DOCUMENTS.parse(json(DOCUMENT.replace("\"sourcePorts\": \"40000-40099\"",
            "\"sourcePorts\": true")), DesiredState.empty()))
            .isInstanceOf(DocumentException.class)
            .hasMessageStartingWith("slices[0].classification[0].sourcePorts: expected a port");
        assertThatThrownBy(() -> DOCUMENTS.parse(json(DOCUMENT.replace("198.51.100.10/32", "198.51.100.10/40")),
            DesiredState.empty()))
            .isInstanceOf(DocumentException.class)
            .hasMessageStartingWith("slices[0].classification[0].destinationCidrs[0]: ");
    }
}
