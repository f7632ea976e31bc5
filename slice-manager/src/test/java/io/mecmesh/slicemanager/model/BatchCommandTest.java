package io.mecmesh.slicemanager.model;

import io.mecmesh.slicemanager.model.CommandRejectedException.Category;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Command.Batch}: all of it or none, one sequence number.
 */
class BatchCommandTest
{
    @Test
    void shouldApplyEveryMemberUnderOneSequenceNumber()
    {
        final DesiredState state = DesiredState.empty().apply(new Command.Batch(ModelFixtures.commands()));

        assertThat(state.sequence()).isEqualTo(1);
        assertThat(state.slices()).isEqualTo(ModelFixtures.state().slices());
        assertThat(state.services()).isEqualTo(ModelFixtures.state().services());
        assertThat(state.nodes()).isEqualTo(ModelFixtures.state().nodes());
    }

    @Test
    void shouldApplyNoneOfTheBatchWhenOneMemberIsRefusedAndNameThatMember()
    {
        final DesiredState before = DesiredState.empty().apply(new Command.PutSlice(ModelFixtures.embb()));
        final List<Command> commands = new ArrayList<>();
        commands.add(new Command.PutService(ModelFixtures.video()));
        commands.add(new Command.PutService(ModelFixtures.cdn()));
        commands.add(new Command.PutService(ModelFixtures.plc()));

        assertThatThrownBy(() -> before.apply(new Command.Batch(commands)))
            .isInstanceOf(CommandRejectedException.class)
            .hasMessageStartingWith("commands[2].service.slice: no slice 2-0000b2")
            .satisfies(ex ->
            {
                final CommandRejectedException rejected = (CommandRejectedException)ex;
                assertThat(rejected.category()).isEqualTo(Category.INVALID);
                assertThat(rejected.field()).isEqualTo("commands[2].service.slice");
                assertThat(rejected.reason()).startsWith("no slice 2-0000b2");
            });
        assertThat(before.sequence()).isEqualTo(1);
        assertThat(before.services()).isEmpty();
    }

    @Test
    void shouldSeeEarlierMembersWhenValidatingLaterOnes()
    {
        final DesiredState state = ModelFixtures.state().apply(new Command.Batch(List.of(
            new Command.PutNode(new Node("node-a", "site-a", "metro-1", List.of())),
            new Command.DeleteService("video"))));

        assertThat(state.sequence()).isEqualTo(9);
        assertThat(state.services()).doesNotContainKey("video");
    }

    @Test
    void shouldRefuseAnEmptyOrNestedBatch()
    {
        assertThatThrownBy(() -> new Command.Batch(List.of()))
            .hasMessage("commands: expected at least one command");
        final Command.Batch inner = new Command.Batch(List.of(new Command.DeleteNode("node-a")));
        assertThatThrownBy(() -> new Command.Batch(List.of(new Command.DeleteNode("node-b"), inner)))
            .hasMessage("commands[1]: a batch cannot contain a batch");
    }

    @Test
    void shouldMoveARouteFromOneServiceToAnotherInOneBatchInEitherOrder()
    {
        final DesiredState state = ModelFixtures.state();
        final Service cdn = ModelFixtures.cdn();
        final Service videoTakingCdnRoute = Service.builder("video", ModelFixtures.embb())
            .endpoint("10.0.0.1", 8080, "site-a", "metro-1").route("cdn.example", "/").build();
        final Service cdnGivingItUp = Service.builder("cdn", ModelFixtures.embb())
            .endpoint("10.0.0.2", 8080, "site-b", "metro-1").route("static.example", "/").build();
        assertThat(cdn.routes()).extracting(ServiceRoute::host).contains("cdn.example");

        final DesiredState takerFirst = state.apply(new Command.Batch(List.of(
            new Command.PutService(videoTakingCdnRoute), new Command.PutService(cdnGivingItUp))));
        final DesiredState giverFirst = state.apply(new Command.Batch(List.of(
            new Command.PutService(cdnGivingItUp), new Command.PutService(videoTakingCdnRoute))));

        assertThat(takerFirst.services()).isEqualTo(giverFirst.services());
        assertThat(takerFirst.services().get("video").routes()).extracting(ServiceRoute::host)
            .containsExactly("cdn.example");
        assertThatThrownBy(() -> takerFirst.apply(new Command.PutService(cdn)))
            .as("the route index follows the move: cdn cannot take it back while video holds it")
            .hasMessageStartingWith("service.routes[0]: host \"cdn.example\" path prefix \"/\" is already routed "
                + "to service \"video\"");
    }

    @Test
    void shouldRefuseARouteTakenInABatchWhenItsOwnerStillHoldsItNamingTheMemberThatTookIt()
    {
        final Service videoTakingCdnRoute = Service.builder("video", ModelFixtures.embb())
            .endpoint("10.0.0.1", 8080, "site-a", "metro-1").route("cdn.example", "/").build();

        assertThatThrownBy(() -> ModelFixtures.state().apply(new Command.Batch(List.of(
            new Command.PutNode(new Node("node-d", "site-d", "metro-1", List.of())),
            new Command.PutService(videoTakingCdnRoute)))))
            .isInstanceOf(CommandRejectedException.class)
            .hasMessage("commands[1].service.routes[0]: host \"cdn.example\" path prefix \"/\" is already routed to "
                + "service \"cdn\"");
    }

    @Test
    void shouldFreeADeletedServicesRoutes()
    {
        final DesiredState withoutCdn = ModelFixtures.state().apply(new Command.Batch(List.of(
            new Command.PutNode(new Node("node-b", "site-b", "metro-1", List.of())),
            new Command.DeleteService("cdn"))));

        final DesiredState state = withoutCdn.apply(new Command.PutService(Service.builder("video",
            ModelFixtures.embb()).endpoint("10.0.0.1", 8080, "site-a", "metro-1").route("cdn.example", "/").build()));

        assertThat(state.services().get("video").routes()).extracting(ServiceRoute::host).containsExactly("cdn.example");
    }
}
