package io.mecmesh.slicemanager.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SnssaiTest
{
    @Test
    void shouldParseAndPrintTheTextFormWithAndWithoutSd()
    {
        assertThat(Snssai.parse("1-0000A1")).isEqualTo(new Snssai(1, 0xA1));
        assertThat(Snssai.parse("1-0000a1")).hasToString("1-0000a1");
        assertThat(Snssai.parse("2")).isEqualTo(Snssai.of(2)).hasToString("2");
        assertThat(Snssai.parse("2").hasSd()).isFalse();
        assertThat(Snssai.parse("3-ffffff")).isEqualTo(Snssai.of(3));
        assertThat(Snssai.parse("1-0000a1").sdHex()).contains("0000a1");
    }

    @Test
    void shouldPackIntoTheDataPlaneSliceId()
    {
        assertThat(Snssai.parse("1-0000a1").sliceId()).isEqualTo(0x010000A1);
        assertThat(Snssai.of(255).sliceId()).isEqualTo(0xFFFFFFFF);
    }

    @Test
    void shouldRejectOutOfRangeOrMalformedValuesNamingTheField()
    {
        assertThatThrownBy(() -> new Snssai(256, Snssai.NO_SD)).hasMessage("sst: expected 0 to 255, got 256");
        assertThatThrownBy(() -> new Snssai(1, 0x100_0000)).hasMessageStartingWith("sd: expected 24 bits");
        assertThatThrownBy(() -> Snssai.parse("300-000001")).hasMessageStartingWith("snssai: SST expected 0 to 255");
        assertThatThrownBy(() -> Snssai.parse("1-00a1")).hasMessageStartingWith("snssai: expected SST or SST-SD");
        assertThatThrownBy(() -> Snssai.of(1, "xyz123")).hasMessageStartingWith("sd: expected 6 hex digits");
    }
}
