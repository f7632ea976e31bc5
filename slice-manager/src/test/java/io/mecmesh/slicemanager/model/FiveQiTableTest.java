package io.mecmesh.slicemanager.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FiveQiTableTest
{
    @Test
    void shouldShipTheStandardRowsOfTs23501()
    {
        final FiveQiTable table = FiveQiTable.standard();

        assertThat(table.rows()).hasSize(31);
        assertThat(table.get(1)).isEqualTo(new FiveQi(1, ResourceType.GBR, 20, 100, 1e-2, 0, "Conversational voice",
            FiveQi.Origin.STANDARD));
        assertThat(table.get(82).resourceType()).isEqualTo(ResourceType.DELAY_CRITICAL_GBR);
        assertThat(table.get(82).maxDataBurstBytes()).isEqualTo(255);
        assertThat(table.get(86).origin()).isEqualTo(FiveQi.Origin.STANDARD_UNVERIFIED);
        assertThat(table.get(9).packetDelayBudgetMs()).isEqualTo(300);
    }

    @Test
    void shouldAcceptOperatorRowsAndOverridesButNotInventedStandardValues()
    {
        final FiveQi custom = FiveQi.operatorDefined(200, ResourceType.NON_GBR, 15, 40, 1e-5, 0, "edge analytics");
        final FiveQi override = FiveQi.operatorDefined(86, ResourceType.DELAY_CRITICAL_GBR, 18, 5, 1e-4, 1354, "V2X");

        final FiveQiTable table = FiveQiTable.standard().with(custom).with(override);

        assertThat(table.get(200)).isEqualTo(custom);
        assertThat(table.get(86).origin()).isEqualTo(FiveQi.Origin.OPERATOR);
        assertThat(FiveQiTable.standard().find(200)).isEmpty();
        assertThatThrownBy(() -> FiveQiTable.standard().with(
            FiveQi.operatorDefined(12, ResourceType.NON_GBR, 15, 40, 1e-5, 0, "x")))
            .hasMessageStartingWith("value: 5QI 12 is not a standardized value");
        assertThatThrownBy(() -> FiveQiTable.standard().get(77)).hasMessageStartingWith("fiveQi: unknown 5QI 77");
    }

    @Test
    void shouldRequireABurstVolumeForDelayCriticalRowsOnly()
    {
        assertThatThrownBy(() -> FiveQi.operatorDefined(130, ResourceType.DELAY_CRITICAL_GBR, 10, 5, 1e-4, 0, "x"))
            .hasMessageStartingWith("maxDataBurstBytes: required");
        assertThatThrownBy(() -> FiveQi.operatorDefined(130, ResourceType.GBR, 10, 5, 1e-4, 100, "x"))
            .hasMessageStartingWith("maxDataBurstBytes: only delay-critical GBR");
    }
}
