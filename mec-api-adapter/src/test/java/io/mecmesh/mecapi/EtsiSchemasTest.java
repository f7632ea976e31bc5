package io.mecmesh.mecapi;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The schema check the API tests rely on is not vacuous: it reports what the ETSI schemas forbid. */
class EtsiSchemasTest
{
    @Test
    void shouldReportATrafficRuleWithAnEnumValueTheStandardDoesNotDefine()
    {
        final String rule = """
            {"trafficRuleId":"r","filterType":"FLOW","priority":1,"trafficFilter":[],"action":"TELEPORT",
             "state":"ACTIVE"}""";

        assertThat(EtsiSchemas.validate(EtsiSchemas.APP_SUPPORT, "TrafficRule", rule)).isNotEmpty();
        assertThat(EtsiSchemas.validate(EtsiSchemas.APP_SUPPORT, "TrafficRule", rule.replace("TELEPORT", "DROP")))
            .isEmpty();
    }

    @Test
    void shouldReportAMissingRequiredFieldAndAWrongTypeInAnArray()
    {
        assertThat(EtsiSchemas.validate(EtsiSchemas.APP_SUPPORT, "DnsRule", "{\"dnsRuleId\":\"d\"}")).isNotEmpty();
        assertThat(EtsiSchemas.validate(EtsiSchemas.APP_SUPPORT, "ProblemDetails", "{\"status\":\"404\"}"))
            .isNotEmpty();
        assertThat(EtsiSchemas.validateArray(EtsiSchemas.APP_SUPPORT, "DnsRule", "[{\"dnsRuleId\":\"d\"}]"))
            .isNotEmpty();
    }
}
