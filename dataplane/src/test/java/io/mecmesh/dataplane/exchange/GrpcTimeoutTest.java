package io.mecmesh.dataplane.exchange;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GrpcTimeoutTest
{
    @Test
    void shouldParseGrpcTimeoutUnitsAndIgnoreMalformedValues()
    {
        assertThat(GrpcTimeout.shorten(15_000, "300m")).isEqualTo(300);
        assertThat(GrpcTimeout.shorten(15_000, "2S")).isEqualTo(2000);
        assertThat(GrpcTimeout.shorten(15_000, "1M")).isEqualTo(15_000);
        assertThat(GrpcTimeout.shorten(0, "1H")).isEqualTo(3_600_000);
        assertThat(GrpcTimeout.shorten(15_000, "500000u")).isEqualTo(500);
        assertThat(GrpcTimeout.shorten(15_000, "12x")).isEqualTo(15_000);
        assertThat(GrpcTimeout.shorten(15_000, "-5m")).isEqualTo(15_000);
        assertThat(GrpcTimeout.shorten(15_000, "123456789m")).isEqualTo(15_000);
        assertThat(GrpcTimeout.shorten(15_000, null)).isEqualTo(15_000);
    }
}
