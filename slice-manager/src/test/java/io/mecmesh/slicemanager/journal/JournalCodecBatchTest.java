package io.mecmesh.slicemanager.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.model.AuthorizationPolicy;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.CommandRejectedException;
import io.mecmesh.slicemanager.model.FiveQiTable;
import io.mecmesh.slicemanager.model.MeshEndpoint;
import io.mecmesh.slicemanager.model.ModelFixtures;
import io.mecmesh.slicemanager.model.Service;
import io.mecmesh.slicemanager.model.Node;
import io.mecmesh.slicemanager.model.Slice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A batch is one journal document and one journal entry.
 */
class JournalCodecBatchTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;

    @Test
    void shouldEncodeABatchAsOneDocumentAndDecodeItBack()
    {
        final Command.Batch batch = new Command.Batch(ModelFixtures.commands());

        final byte[] json = JournalCodec.encode(batch);

        assertThat(new String(json, StandardCharsets.UTF_8))
            .startsWith("{\"format\":1,\"type\":\"batch\",\"commands\":[{\"format\":1,\"type\":\"put-slice\"");
        assertThat(JournalCodec.decodeCommand(json)).isEqualTo(batch);
    }

    @Test
    void shouldRefuseANestedBatchAndNameTheMember()
    {
        final String nested = "{\"format\":1,\"type\":\"batch\",\"commands\":[{\"format\":1,\"type\":\"delete-node\","
            + "\"id\":\"a\"},{\"format\":1,\"type\":\"batch\",\"commands\":[]}]}";

        assertThatThrownBy(() -> JournalCodec.decodeCommand(nested.getBytes(StandardCharsets.UTF_8)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("commands[1].type: a batch cannot contain a batch");
    }

    @Test
    void shouldJournalABatchAsOneEntryAndReplayIt()
    {
        try (DesiredStateConductor conductor = DesiredStateConductor.open(directory))
        {
            assertThat(conductor.submit(new Command.Batch(ModelFixtures.commands()))).isEqualTo(1);
            final List<Command> bad = new ArrayList<>(List.of(new Command.DeleteNode("node-a")));
            bad.add(new Command.DeleteSlice(ModelFixtures.URLLC));
            assertThatThrownBy(() -> conductor.submit(new Command.Batch(bad)))
                .isInstanceOf(CommandRejectedException.class)
                .hasMessageStartingWith("commands[1].snssai: slice 2-0000b2 is used by services plc");
            assertThat(conductor.state().nodes()).containsKey("node-a");
        }
        final List<Long> sequences = new ArrayList<>();
        try (CommandJournal journal = CommandJournal.open(directory.resolve("journal")))
        {
            journal.replay(0, (sequence, command) -> sequences.add(sequence));
        }
        assertThat(sequences).containsExactly(1L);
        try (DesiredStateConductor reopened = DesiredStateConductor.open(directory))
        {
            assertThat(reopened.state().sequence()).isEqualTo(1);
            assertThat(reopened.state().services()).isEqualTo(ModelFixtures.state().services());
        }
    }

    @Test
    void shouldKeepASlicesAllowedCallersAndReadSlicesWrittenBeforeTheyHadThem() throws Exception
    {
        final Slice withCallers = Slice.builder(ModelFixtures.EMBB, "embb-video", FiveQiTable.standard().get(9))
            .authorization(new AuthorizationPolicy(List.of("spiffe://mesh.example/site/site-a"))).build();
        final Command.PutSlice put = new Command.PutSlice(withCallers);
        assertThat(JournalCodec.decodeCommand(JournalCodec.encode(put))).isEqualTo(put);

        final ObjectNode before = (ObjectNode)JSON.readTree(JournalCodec.encode(put));
        ((ObjectNode)before.get("slice")).remove("authorization");
        assertThat(((Command.PutSlice)JournalCodec.decodeCommand(JSON.writeValueAsBytes(before))).slice()
            .authorization()).isEqualTo(AuthorizationPolicy.ANY_AUTHENTICATED);
    }

    @Test
    void shouldKeepANodesMeshEndpointAndReadNodesWrittenBeforeTheyHadOne()
    {
        final Command.PutNode withMesh = new Command.PutNode(new Node("edge-a", "site-a", "zone-1",
            List.of("video"), Optional.of(new MeshEndpoint("10.0.0.1", 15443))));
        assertThat(JournalCodec.decodeCommand(JournalCodec.encode(withMesh))).isEqualTo(withMesh);

        final String before = "{\"format\":1,\"type\":\"put-node\",\"node\":{\"id\":\"edge-a\","
            + "\"site\":\"site-a\",\"zone\":\"zone-1\",\"services\":[\"video\"]}}";
        assertThat(JournalCodec.decodeCommand(before.getBytes(StandardCharsets.UTF_8))).isEqualTo(
            new Command.PutNode(new Node("edge-a", "site-a", "zone-1", List.of("video"))));
    }

    @Test
    void shouldKeepAServicesActiveRequestLimitAndReadServicesWrittenBeforeTheyHadOne() throws Exception
    {
        final Service plc = ModelFixtures.plc();
        final Command.PutService limited = new Command.PutService(new Service(plc.name(), plc.slice(),
            plc.endpoints(), plc.routes(), plc.authorization(), plc.timeouts(), plc.retries(), 8));
        assertThat(JournalCodec.decodeCommand(JournalCodec.encode(limited))).isEqualTo(limited);

        final ObjectNode before = (ObjectNode)JSON.readTree(JournalCodec.encode(new Command.PutService(plc)));
        assertThat(before.get("service").has("maxActiveRequestsPerLoop")).as("written only when set").isFalse();
        assertThat(((Command.PutService)JournalCodec.decodeCommand(JSON.writeValueAsBytes(before))).service()
            .maxActiveRequestsPerLoop()).isZero();
    }
}
