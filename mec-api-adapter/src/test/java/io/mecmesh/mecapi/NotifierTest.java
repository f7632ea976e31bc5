package io.mecmesh.mecapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The notifier's outcome counters (what the appliance exports on /metrics), against a real callback on 127.0.0.1 that
 * refuses its first try.
 */
class NotifierTest
{
    private static final Duration WITHIN = Duration.ofSeconds(10);

    @Test
    void shouldCountADeliveryAfterARetryAndAFailureForACallbackThatCannotBeUsed() throws Exception
    {
        final Notifier notifier = new Notifier();
        try (CallbackReceiver receiver = new CallbackReceiver(1))
        {
            assertThat(notifier.send(receiver.callback(), new ObjectMapper().createObjectNode().put("n", 1))
                .get()).isTrue();
            assertThat(notifier.send("http://127.0.0.1:1/not a uri", new ObjectMapper().createObjectNode())
                .get()).isFalse();

            assertThat(receiver.next(WITHIN)).isEqualTo("{\"n\":1}");
            assertThat(notifier.count(NotificationCounter.DELIVERED)).isEqualTo(1);
            assertThat(notifier.count(NotificationCounter.RETRIED)).isEqualTo(1);
            assertThat(notifier.count(NotificationCounter.FAILED)).isEqualTo(1);
            assertThat(notifier.count(NotificationCounter.DROPPED)).isZero();
        }
    }
}
