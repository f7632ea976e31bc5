package io.mecmesh.dataplane.qos;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GbrAdmissionTest
{
    @Test
    void shouldAdmitWhileTheSumOfGuaranteedRatesFitsTheCapacity()
    {
        final GbrAdmission admission = new GbrAdmission(10_000_000);

        assertThat(admission.tryAdmit(4_000_000)).isTrue();
        assertThat(admission.tryAdmit(6_000_000)).isTrue();
        assertThat(admission.tryAdmit(1)).isFalse();
        assertThat(admission.admittedBps()).isEqualTo(10_000_000);
    }

    @Test
    void shouldAdmitAgainOnceAFlowEnds()
    {
        final GbrAdmission admission = new GbrAdmission(10_000_000);
        admission.tryAdmit(10_000_000);

        admission.release(10_000_000);

        assertThat(admission.tryAdmit(5_000_000)).isTrue();
        assertThat(admission.admittedBps()).isEqualTo(5_000_000);
    }

    @Test
    void shouldAdmitEveryFlowWhenNoCapacityIsConfigured()
    {
        final GbrAdmission admission = new GbrAdmission(0);

        assertThat(admission.tryAdmit(Long.MAX_VALUE / 4)).isTrue();
        assertThat(admission.tryAdmit(Long.MAX_VALUE / 4)).isTrue();
        assertThat(admission.admittedBps()).isEqualTo(Long.MAX_VALUE / 4 * 2);
    }

    @Test
    void shouldCheckNewFlowsAgainstALoweredCapacityAndKeepTheAdmittedOnes()
    {
        final GbrAdmission admission = new GbrAdmission(10_000_000);
        admission.tryAdmit(8_000_000);

        admission.capacityBps(5_000_000);

        assertThat(admission.admittedBps()).isEqualTo(8_000_000);
        assertThat(admission.tryAdmit(1)).isFalse();
        admission.release(8_000_000);
        assertThat(admission.tryAdmit(5_000_000)).isTrue();
    }

    @Test
    void shouldRefuseANegativeCapacity()
    {
        assertThatThrownBy(() -> new GbrAdmission(-1)).hasMessageContaining("capacityBps");
    }
}
