package io.mecmesh.appliance.telemetry;

import io.mecmesh.appliance.accesslog.AccessLogAgent;
import io.mecmesh.dataplane.accesslog.AccessLog;
import io.mecmesh.dataplane.accesslog.AccessLogDescriptor;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class RequestMetricsTest
{
    private static final int EMBB = 1 << 24 | 0x000001;

    @TempDir
    Path directory;

    @Test
    void shouldObserveDurationsStatusClassesAndBytesPerSliceAndRouteFromTheRingWithoutWritingTheQueue()
        throws IOException
    {
        final AccessLog log = new AccessLog(new DataPlaneCounters());
        final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(4096 + RingBufferDescriptor.TRAILER_LENGTH)));
        log.attach(ring);
        final int video = log.names().intern("video");
        log.write(1_000L, 2_000_000L, 1_000_000L, 100, 5_000, EMBB, 0, video, 0, 200, 0, 1);
        log.write(1_001L, 40_000_000L, 39_000_000L, 0, 7_000, EMBB, 0, video, 0, 200, 0, 1);
        log.write(1_002L, 300_000L, 0, 0, 20, EMBB, 0, video, 0, 503, AccessLogDescriptor.FLAG_LOCAL, 0);
        log.write(1_003L, 100_000L, 0, 0, 10, 0, 0, 0, 0, 404, AccessLogDescriptor.FLAG_LOCAL, 0);
        final RequestMetrics metrics = new RequestMetrics(log.names());
        final PrometheusRegistry registry = new PrometheusRegistry();
        metrics.register(registry);
        final Path queueDirectory = directory.resolve("access-log");
        final AccessLogAgent agent = new AccessLogAgent(ring, log.names(), queueDirectory, false, 24, 1L << 30,
            new CachedEpochClock(), metrics);

        assertThat(agent.doWork()).isEqualTo(4);
        agent.onClose();

        final String text = scrape(registry);
        assertThat(text)
            .contains("mecmesh_http_request_duration_seconds_bucket{route=\"video\",slice=\"1-000001\",le=\"5.0E-4\"} 1")
            .contains("mecmesh_http_request_duration_seconds_bucket{route=\"video\",slice=\"1-000001\",le=\"0.0025\"} 2")
            .contains("mecmesh_http_request_duration_seconds_bucket{route=\"video\",slice=\"1-000001\",le=\"0.025\"} 2")
            .contains("mecmesh_http_request_duration_seconds_bucket{route=\"video\",slice=\"1-000001\",le=\"0.05\"} 3")
            .contains("mecmesh_http_request_duration_seconds_count{route=\"video\",slice=\"1-000001\"} 3")
            .contains("mecmesh_http_requests_total{class=\"2xx\",route=\"video\",slice=\"1-000001\"} 2.0")
            .contains("mecmesh_http_requests_total{class=\"5xx\",route=\"video\",slice=\"1-000001\"} 1.0")
            .contains("mecmesh_http_requests_total{class=\"4xx\",route=\"none\",slice=\"unclassified\"} 1.0")
            .contains("mecmesh_http_body_bytes_total{direction=\"uplink\",route=\"video\",slice=\"1-000001\"} 100.0")
            .contains("mecmesh_http_body_bytes_total{direction=\"downlink\",route=\"video\",slice=\"1-000001\"} 12020.0");
        assertThat(agent.written()).as("nothing written to disk").isZero();
        assertThat(queueDirectory).as("the queue's directory is never created").doesNotExist();
    }

    @Test
    void shouldCountARecordWithoutStatusAsClassNone() throws IOException
    {
        final AccessLog log = new AccessLog(new DataPlaneCounters());
        final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(4096 + RingBufferDescriptor.TRAILER_LENGTH)));
        log.attach(ring);
        log.write(1_000L, 1_000_000L, 0, 0, 0, EMBB, 0, log.names().intern("video"), 0, 0,
            AccessLogDescriptor.FLAG_RESET, 1);
        final RequestMetrics metrics = new RequestMetrics(log.names());
        final PrometheusRegistry registry = new PrometheusRegistry();
        metrics.register(registry);

        ring.read((type, buffer, index, length) -> metrics.onRecord(
            new io.mecmesh.dataplane.accesslog.AccessLogRecord().wrap(buffer, index)));

        assertThat(scrape(registry))
            .contains("mecmesh_http_requests_total{class=\"none\",route=\"video\",slice=\"1-000001\"} 1.0")
            .contains("mecmesh_http_body_bytes_total{direction=\"uplink\",route=\"video\",slice=\"1-000001\"} 0.0");
        assertThat(metrics.seriesCount()).isEqualTo(1);
    }

    private static String scrape(final PrometheusRegistry registry) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }
}
