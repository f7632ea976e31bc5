package io.mecmesh.slicemanager.model;

import io.mecmesh.slicemanager.model.CommandRejectedException.Category;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DesiredStateTest
{
    @Test
    void shouldApplyCommandsCountingThemInTheSequence()
    {
        final DesiredState state = ModelFixtures.state();

        assertThat(state.sequence()).isEqualTo(8);
        assertThat(state.slices()).containsOnlyKeys(ModelFixtures.EMBB, ModelFixtures.URLLC);
        assertThat(state.services()).containsOnlyKeys("cdn", "plc", "video");
        assertThat(state.nodes()).containsOnlyKeys("node-a", "node-b", "node-c");
    }

    @Test
    void shouldRejectAServiceInASliceThatDoesNotExistWithoutChangingTheState()
    {
        final DesiredState before = DesiredState.empty().apply(new Command.PutSlice(ModelFixtures.embb()));

        assertThatThrownBy(() -> before.apply(new Command.PutService(ModelFixtures.plc())))
            .isInstanceOf(CommandRejectedException.class)
            .hasMessageStartingWith("service.slice: no slice 2-0000b2")
            .satisfies(ex -> assertThat(((CommandRejectedException)ex).category()).isEqualTo(Category.INVALID));
        assertThat(before.sequence()).isEqualTo(1);
        assertThat(before.services()).isEmpty();
    }

    @Test
    void shouldRejectDeletingWhatIsStillUsed()
    {
        final DesiredState state = ModelFixtures.state();

        assertThatThrownBy(() -> state.apply(new Command.DeleteSlice(ModelFixtures.URLLC)))
            .hasMessage("snssai: slice 2-0000b2 is used by services plc; delete or move them first");
        assertThatThrownBy(() -> state.apply(new Command.DeleteService("video")))
            .hasMessage("name: service \"video\" is placed on nodes node-a; remove it from them first");
        assertThatThrownBy(() -> state.apply(new Command.DeleteNode("node-x")))
            .hasMessage("id: no node \"node-x\"")
            .satisfies(ex -> assertThat(((CommandRejectedException)ex).category()).isEqualTo(Category.NOT_FOUND));
    }

    @Test
    void shouldRejectARouteAnotherServiceAlreadyTakes()
    {
        final Service thief = Service.builder("thief", ModelFixtures.embb()).endpoint("10.9.9.9", 80, "s", "z")
            .route("cdn.example", "/").build();

        assertThatThrownBy(() -> ModelFixtures.state().apply(new Command.PutService(thief)))
            .hasMessage("service.routes[0]: host \"cdn.example\" path prefix \"/\" is already routed to service \"cdn\"")
            .satisfies(ex -> assertThat(((CommandRejectedException)ex).category()).isEqualTo(Category.CONFLICT));
    }

    @Test
    void shouldRejectASecondSliceWithTheSameName()
    {
        final Slice twin = Slice.builder(Snssai.of(1), "embb-video", FiveQiTable.standard().get(8)).build();

        assertThatThrownBy(() -> ModelFixtures.state().apply(new Command.PutSlice(twin)))
            .hasMessage("slice.name: \"embb-video\" is already the name of slice 1-0000a1");
    }

    @Test
    void shouldRejectANodeHostingAnUnknownService()
    {
        assertThatThrownBy(() -> ModelFixtures.state().apply(
            new Command.PutNode(new Node("node-d", "site-d", "metro-1", List.of("video", "nope")))))
            .hasMessage("node.services[0]: no service \"nope\"");
    }

    @Test
    void shouldBeEqualWhenBuiltFromTheSameCommands()
    {
        assertThat(ModelFixtures.state()).isEqualTo(ModelFixtures.state())
            .hasSameHashCodeAs(ModelFixtures.state());
        assertThat(ModelFixtures.state().apply(new Command.DeleteNode("node-a"))).isNotEqualTo(ModelFixtures.state());
    }
}
