package io.mecmesh.slicemanager.model;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SliceAndServiceTest
{
    @Test
    void shouldDerivePriorityDelayBudgetAndDscpFromThe5qi()
    {
        final Slice urllc = ModelFixtures.urllc();

        assertThat(urllc.priorityLevel()).isEqualTo(19);
        assertThat(urllc.packetDelayBudgetMs()).isEqualTo(10);
        assertThat(urllc.dscp()).isEqualTo(DscpTable.EF);
        assertThat(ModelFixtures.embb().dscp()).isEqualTo(DscpTable.BEST_EFFORT);
    }

    @Test
    void shouldTakeTheDscpFromTheOperatorsTableWhenGiven()
    {
        final Slice slice = Slice.builder(Snssai.of(1), "embb", FiveQiTable.standard().get(9))
            .dscpTable(DscpTable.defaultTable().with(9, DscpTable.AF11)).build();

        assertThat(slice.dscp()).isEqualTo(DscpTable.AF11);
    }

    @Test
    void shouldRefuseAGuaranteedBitRateOnANonGbr5qi()
    {
        assertThatThrownBy(() -> Slice.builder(Snssai.of(1), "embb", FiveQiTable.standard().get(9))
            .bitRates(new BitRates(0, 0, 1000, 0)).build())
            .hasMessage("bitRates: a guaranteed bit rate needs a GBR 5QI; 5QI 9 is Non-GBR");
        assertThatThrownBy(() -> new BitRates(1000, 0, 2000, 0))
            .hasMessage("gbrUplinkBps: 2000 is above mbrUplinkBps 1000");
    }

    @Test
    void shouldValidateClassificationRulesNamingTheField()
    {
        assertThatThrownBy(() -> Cidr.parse("10.45.0.1/16")).hasMessageContaining("has host bits set");
        assertThatThrownBy(() -> Cidr.parse("10.45.0.0/33")).hasMessage("prefixLength: expected 0 to 32, got 33");
        assertThatThrownBy(() -> Cidr.parse("ue-pool.example/16")).hasMessageStartingWith("address: expected");
        assertThat(Cidr.parse("2001:db8:45::/48").prefixLength()).isEqualTo(48);
        assertThatThrownBy(() -> new ClassificationRule(Optional.empty(), List.of(), Optional.empty(),
            Optional.empty())).hasMessageStartingWith("classification: a rule needs at least one of");
        assertThatThrownBy(() -> ClassificationRule.callerSpiffeIdPrefix("https://x"))
            .hasMessageStartingWith("callerSpiffeIdPrefix: expected spiffe://");
        assertThatThrownBy(() -> new HeaderMatch("x slice", "1")).hasMessageStartingWith("name: expected an HTTP");
    }

    @Test
    void shouldDeriveServiceTimeoutsAndRetriesFromTheSliceDelayBudget()
    {
        final Service plc = ModelFixtures.plc();
        final Service video = ModelFixtures.video();

        assertThat(plc.timeouts()).isEqualTo(new Timeouts(10, 200, 100));
        assertThat(plc.retries()).isEqualTo(new RetryPolicy(1, 20, 10));
        assertThat(video.timeouts()).isEqualTo(new Timeouts(300, 6000, 2000));
        assertThat(video.retries().maxRetries()).isEqualTo(2);
    }

    @Test
    void shouldRejectInvalidServicesNamingTheField()
    {
        assertThatThrownBy(() -> Service.builder("Video", ModelFixtures.embb()).endpoint("10.0.0.1", 80, "a", "b")
            .route("*", "/").build()).hasMessageStartingWith("name: expected 1 to 63 lower-case");
        assertThatThrownBy(() -> Service.builder("video", ModelFixtures.embb()).route("*", "/").build())
            .hasMessage("endpoints: expected at least one endpoint");
        assertThatThrownBy(() -> new ServiceEndpoint("10.0.0.1", 0, Protocol.HTTP2, "a", "b", 1))
            .hasMessage("port: expected 1 to 65535, got 0");
        assertThatThrownBy(() -> new ServiceRoute("x.example", "api")).hasMessageStartingWith("pathPrefix: expected");
        assertThatThrownBy(() -> new Timeouts(10, 100, 200)).hasMessage("perTryTimeoutMs: expected 1 to 100, got 200");
        assertThatThrownBy(() -> new Node("node-a", "site-a", "z", List.of("x", "x")))
            .hasMessage("services[1]: \"x\" is listed twice");
    }
}
