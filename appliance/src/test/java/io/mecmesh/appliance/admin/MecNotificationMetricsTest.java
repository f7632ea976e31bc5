package io.mecmesh.appliance.admin;

import io.mecmesh.mecapi.NotificationCounter;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MEC API's notification outcomes on /metrics: one counter family by outcome, in a format promtool accepts.
 */
class MecNotificationMetricsTest
{
    @Test
    void shouldExportEachNotificationOutcomeAsACounterThatPromtoolAccepts() throws Exception
    {
        final Map<NotificationCounter, Long> counts = new EnumMap<>(NotificationCounter.class);
        counts.put(NotificationCounter.DELIVERED, 7L);
        counts.put(NotificationCounter.RETRIED, 3L);
        counts.put(NotificationCounter.FAILED, 1L);
        counts.put(NotificationCounter.DROPPED, 0L);
        final MetricsExport metrics = new MetricsExport(() -> true, new MetricsExport.BuildInfo("1", "none", "17"))
            .addMecNotifications(counts::get);

        final String text = TrustMetricsTest.scrape(metrics);

        assertThat(TrustMetricsTest.samples(text))
            .containsEntry("mecmesh_mec_notifications_total{outcome=\"delivered\"}", 7.0)
            .containsEntry("mecmesh_mec_notifications_total{outcome=\"retried\"}", 3.0)
            .containsEntry("mecmesh_mec_notifications_total{outcome=\"failed\"}", 1.0)
            .containsEntry("mecmesh_mec_notifications_total{outcome=\"dropped\"}", 0.0);
        counts.put(NotificationCounter.DELIVERED, 8L);
        assertThat(TrustMetricsTest.samples(TrustMetricsTest.scrape(metrics)))
            .as("read at each scrape").containsEntry("mecmesh_mec_notifications_total{outcome=\"delivered\"}", 8.0);
        Promtool.assertAccepts(text);
    }
}
