package io.mecmesh.dataplane.tls;

import io.mecmesh.dataplane.identity.SpiffeId;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The leaf id cache answers only for the exact encoding it stored, whatever array holds it, and stays bounded: a
 * certificate that lands on a taken slot replaces the entry, it never gets another certificate's id.
 */
class LeafIdCacheTest
{
    private static byte[] der(final int n)
    {
        return ("certificate-" + n).getBytes(StandardCharsets.US_ASCII);
    }

    private static SpiffeId id(final int n)
    {
        return SpiffeId.parse("spiffe://tls.test/workload-" + n);
    }

    @Test
    void shouldAnswerForTheSameEncodingInAnotherArrayOnly()
    {
        final LeafIdCache cache = new LeafIdCache();
        assertThat(cache.get(der(1))).isNull();
        cache.put(der(1), id(1));

        assertThat(cache.get(der(1))).isEqualTo(id(1));
        assertThat(cache.get(der(2))).isNull();
        final byte[] longer = (new String(der(1), StandardCharsets.US_ASCII) + "-renewed")
            .getBytes(StandardCharsets.US_ASCII);
        assertThat(cache.get(longer)).isNull();
        assertThat(cache.hits()).isEqualTo(1);
        assertThat(cache.misses()).isEqualTo(3);
    }

    @Test
    void shouldNeverAnswerWithAnotherCertificatesIdWhenFull()
    {
        final LeafIdCache cache = new LeafIdCache();
        final int certificates = LeafIdCache.CAPACITY * 4;
        for (int n = 0; n < certificates; n++)
        {
            cache.put(der(n), id(n));
        }
        int answered = 0;
        for (int n = 0; n < certificates; n++)
        {
            final SpiffeId found = cache.get(der(n));
            if (found != null)
            {
                assertThat(found).isEqualTo(id(n));
                answered++;
            }
        }
        assertThat(answered).as("bounded").isLessThanOrEqualTo(LeafIdCache.CAPACITY).isPositive();
        assertThat(cache.get(der(certificates - 1))).as("the latest one kept").isEqualTo(id(certificates - 1));
    }
}
