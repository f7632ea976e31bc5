package io.mecmesh.dataplane.trace;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TraceContextTest
{
    private static final String SAMPLE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void shouldParseAVersion00TraceparentAndFormatItBackIdentically()
    {
        final TraceContext context = new TraceContext();

        assertThat(context.parse(SAMPLE)).isTrue();

        assertThat(context.traceIdHigh()).isEqualTo(0x4bf92f3577b34da6L);
        assertThat(context.traceIdLow()).isEqualTo(0xa3ce929d0e0e4736L);
        assertThat(context.spanId()).isEqualTo(0x00f067aa0ba902b7L);
        assertThat(context.sampled()).isTrue();
        assertThat(context.toTraceparent()).isEqualTo(SAMPLE);
        assertThat(TraceContext.hex(context.traceIdHigh(), context.traceIdLow(), 16))
            .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(TraceContext.hex(0, context.spanId(), 8)).isEqualTo("00f067aa0ba902b7");
    }

    @Test
    void shouldRejectMalformedOrAllZeroTraceparentsAndKeepThePreviousContext()
    {
        final TraceContext context = new TraceContext();
        assertThat(context.parse(SAMPLE)).isTrue();

        assertThat(context.parse("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).as("zero trace").isFalse();
        assertThat(context.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")).as("zero span").isFalse();
        assertThat(context.parse("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")).as("uppercase").isFalse();
        assertThat(context.parse("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).as("version ff").isFalse();
        assertThat(context.parse(SAMPLE + "-x")).as("version 00 with more fields").isFalse();
        assertThat(context.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7")).as("short").isFalse();
        assertThat(context.parse("00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01")).as("not hex").isFalse();

        assertThat(context.toTraceparent()).isEqualTo(SAMPLE);
        assertThat(context.parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-future")).as("version 01")
            .isTrue();
        assertThat(context.sampled()).isFalse();
        assertThat(context.parse("00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-01")).as("all f is valid")
            .isTrue();
        assertThat(context.spanId()).isEqualTo(-1L);
    }

    @Test
    void shouldRejectASamplingRatioOutsideZeroToOne()
    {
        assertThatThrownBy(() -> new TraceConfig(true, 1.5, false, TraceConfig.ForwardedFor.OFF))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("samplingRatio: expected 0 to 1, got 1.5");
        assertThatThrownBy(() -> new TraceConfig(true, Double.NaN, false, TraceConfig.ForwardedFor.OFF))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
