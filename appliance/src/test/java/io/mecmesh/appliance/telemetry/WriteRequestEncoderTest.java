package io.mecmesh.appliance.telemetry;

import io.airlift.compress.snappy.SnappyDecompressor;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class WriteRequestEncoderTest
{
    @Test
    void shouldEncodeAWriteRequestWithSortedLabelsAndSnappyCompressIt()
    {
        final List<Series> series = ExpositionParser.parse("""
            # HELP mecmesh_responses_total Responses.
            # TYPE mecmesh_responses_total counter
            mecmesh_responses_total{class="2xx",route="a \\"b\\""} 3.0
            mecmesh_ready{route=""} 1
            """, Map.of("instance", "e1"));

        assertThat(series).containsExactly(
            new Series(List.of("__name__", "mecmesh_responses_total", "class", "2xx", "instance", "e1", "route",
                "a \"b\""), 3.0),
            new Series(List.of("__name__", "mecmesh_ready", "instance", "e1"), 1.0));

        final byte[] protobuf = WriteRequestEncoder.encode(series.subList(1, 2), 1_000);
        // WriteRequest.timeseries (1) { labels (1) {name (1), value (2)} x2, samples (2) {value (1) 1.0, ts (2) 1000} }
        assertThat(HexFormat.of().formatHex(protobuf)).isEqualTo("0a39"
            + "0a19" + "0a085f5f6e616d655f5f" + "120d6d65636d6573685f7265616479"
            + "0a0e" + "0a08696e7374616e6365" + "12026531"
            + "120c" + "09000000000000f03f" + "10e807");
        final byte[] compressed = WriteRequestEncoder.compress(protobuf);
        final byte[] restored = new byte[protobuf.length];
        assertThat(new SnappyDecompressor().decompress(compressed, 0, compressed.length, restored, 0,
            restored.length)).isEqualTo(protobuf.length);
        assertThat(restored).isEqualTo(protobuf);
    }
}
