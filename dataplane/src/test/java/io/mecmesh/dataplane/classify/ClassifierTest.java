package io.mecmesh.dataplane.classify;

import io.mecmesh.dataplane.http.HeaderFields;
import io.mecmesh.dataplane.http.NettyHeaderFields;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClassifierTest
{
    private static final int EMBB = 1 << 24 | 0x0000A1;
    private static final int URLLC = 2 << 24 | 0x0000B2;
    private static final int MIOT = 3 << 24 | 0xFFFFFF;

    private final SliceStatsRegistry registry = new SliceStatsRegistry();

    private static byte[] ip(final String literal) throws Exception
    {
        return InetAddress.getByName(literal).getAddress();
    }

    @Test
    void shouldMatchIpv4AndIpv6PrefixesBitByBit() throws Exception
    {
        final SourcePrefix v4 = SourcePrefix.parse("10.45.128.0/17");
        final SourcePrefix v6 = SourcePrefix.parse("2001:db8:45::/48");

        assertThat(v4.matches(ip("10.45.200.1"))).isTrue();
        assertThat(v4.matches(ip("10.45.127.255"))).isFalse();
        assertThat(v4.matches(ip("2001:db8:45::1"))).as("an IPv6 address is never in an IPv4 prefix").isFalse();
        assertThat(v6.matches(ip("2001:db8:45:ffff::1"))).isTrue();
        assertThat(v6.matches(ip("2001:db8:46::1"))).isFalse();
        assertThat(SourcePrefix.parse("0.0.0.0/0").matches(ip("192.0.2.1"))).isTrue();
        assertThat(v6.toString()).isEqualTo("2001:db8:45:0:0:0:0:0/48");
        assertThat(SourcePrefix.parse(v6.toString())).isEqualTo(v6);
    }

    @Test
    void shouldRefuseInvalidPrefixesNamingTheField()
    {
        assertThatThrownBy(() -> SourcePrefix.parse("10.45.0.1/16")).hasMessageStartingWith("sourceCidrs:")
            .hasMessageContaining("host bits");
        assertThatThrownBy(() -> SourcePrefix.parse("10.45.0.0/33")).hasMessageStartingWith("sourceCidrs:");
        assertThatThrownBy(() -> SourcePrefix.parse("upf.example/16")).hasMessageStartingWith("sourceCidrs:");
        assertThatThrownBy(() -> new ClassificationRule(EMBB, Optional.empty(), List.of(), Optional.empty(),
            Optional.empty())).hasMessageContaining("at least one of");
        assertThatThrownBy(() -> ClassificationRule.header(0, "x-slice", "a")).hasMessageStartingWith("sliceId:");
    }

    @Test
    void shouldTakeTheFirstRuleThatMatchesAndStopAtTheFirstRuleWithoutHeaderCondition() throws Exception
    {
        final Classifier classifier = Classifier.build(new ClassificationConfig(List.of(
            ClassificationRule.header(URLLC, "X-Slice", "urllc"),
            ClassificationRule.sourceCidrs(EMBB, "10.45.0.0/16", "2001:db8:45::/48"),
            ClassificationRule.header(MIOT, "x-slice", "miot"),
            ClassificationRule.listener(MIOT, "iot-in"))), registry);

        final int[] ue = classifier.candidates("ingress", ip("10.45.0.7"), null);
        assertThat(ue).as("rule 1 (source) always matches, so rule 2 can never be reached").containsExactly(0, 1);
        assertThat(classifier.sliceId(classifier.classify(ue, headers("x-slice", "urllc")))).isEqualTo(URLLC);
        assertThat(classifier.sliceId(classifier.classify(ue, headers("x-slice", "miot")))).isEqualTo(EMBB);

        final int[] other = classifier.candidates("ingress", ip("192.0.2.1"), null);
        assertThat(classifier.sliceId(classifier.classify(other, headers("x-slice", "miot")))).isEqualTo(MIOT);
        assertThat(classifier.classify(other, headers("x-slice", "none"))).isEqualTo(Classifier.NO_RULE);
        assertThat(classifier.sliceId(Classifier.NO_RULE)).isZero();
        assertThat(classifier.stats(Classifier.NO_RULE)).isSameAs(registry.unclassified());

        final int[] iot = classifier.candidates("iot-in", ip("192.0.2.1"), null);
        assertThat(classifier.sliceId(classifier.classify(iot, headers("x-other", "1")))).isEqualTo(MIOT);
        assertThat(classifier.stats(classifier.classify(iot, headers("x-other", "1")))).isSameAs(registry.slice(MIOT));
    }

    @Test
    void shouldGiveTrafficNoRuleMatchesTheDefaultSliceWhenOneIsConfigured() throws Exception
    {
        final Classifier classifier = Classifier.build(new ClassificationConfig(List.of(
            ClassificationRule.header(URLLC, "x-slice", "urllc")), EMBB), registry);

        final int[] any = classifier.candidates("ingress", ip("192.0.2.1"), null);
        final int rule = classifier.classify(any, headers("x-slice", "none"));

        assertThat(rule).isEqualTo(Classifier.NO_RULE);
        assertThat(classifier.sliceId(rule)).isEqualTo(EMBB);
        assertThat(classifier.stats(rule)).isSameAs(registry.slice(EMBB));
        assertThat(classifier.sliceId(classifier.classifyConnection(any))).as("an L4 connection too")
            .isEqualTo(EMBB);
        assertThat(classifier.sliceId(classifier.classify(any, headers("x-slice", "urllc")))).isEqualTo(URLLC);
    }

    @Test
    void shouldMatchTheCallerSpiffeIdPrefixOnlyOnConnectionsWithAVerifiedPeer() throws Exception
    {
        final Classifier classifier = Classifier.build(new ClassificationConfig(List.of(
            ClassificationRule.callerSpiffeIdPrefix(URLLC, "spiffe://mesh.test/slice/2-0000b2/"))), registry);

        assertThat(classifier.candidates("mesh-in", ip("127.0.0.1"), "spiffe://mesh.test/slice/2-0000b2/app/plc"))
            .containsExactly(0);
        assertThat(classifier.candidates("mesh-in", ip("127.0.0.1"), "spiffe://mesh.test/slice/1-0000a1/app/cdn"))
            .isEmpty();
        assertThat(classifier.candidates("mesh-in", ip("127.0.0.1"), null)).isEmpty();
    }

    @Test
    void shouldWriteSliceIdsAsTheirSnssaiText()
    {
        assertThat(SliceStats.sliceText(EMBB)).isEqualTo("1-0000a1");
        assertThat(SliceStats.sliceText(MIOT)).isEqualTo("3");
        assertThat(SliceStats.sliceText(0)).isEqualTo("unclassified");
    }

    @Test
    void shouldClassifyAConnectionWithoutHttpFieldsByItsFirstRuleWithoutHeaderCondition() throws Exception
    {
        final Classifier classifier = Classifier.build(new ClassificationConfig(List.of(
            ClassificationRule.header(URLLC, "x-slice", "urllc"),
            ClassificationRule.sourceCidrs(EMBB, "10.45.0.0/16"),
            ClassificationRule.listener(MIOT, "iot-in"))), registry);

        assertThat(classifier.sliceId(classifier.classifyConnection(classifier.candidates("iot-in", ip("10.45.0.7"),
            null)))).as("a header rule never matches an L4 connection; the source rule comes first").isEqualTo(EMBB);
        assertThat(classifier.sliceId(classifier.classifyConnection(classifier.candidates("iot-in", ip("192.0.2.1"),
            null)))).isEqualTo(MIOT);
        assertThat(classifier.classifyConnection(classifier.candidates("ingress", ip("192.0.2.1"), null)))
            .as("only a header rule is left").isEqualTo(Classifier.NO_RULE);
    }

    @Test
    void shouldMatchAConnectionsFiveTupleWhenEveryCriterionMatches() throws Exception
    {
        final ClassificationRule fiveTuple = new ClassificationRule(URLLC, Optional.empty(),
            List.of(SourcePrefix.parse("10.45.0.0/16")), Optional.empty(), Optional.empty(),
            List.of(SourcePrefix.parse("198.51.100.0/24")), Optional.of(PortRange.parse("destinationPorts", "8443")),
            Optional.of(PortRange.parse("sourcePorts", "40000-40099")));
        final Classifier classifier = Classifier.build(new ClassificationConfig(List.of(fiveTuple,
            ClassificationRule.sourceCidrs(EMBB, "10.45.0.0/16"))), registry);

        assertThat(classifier.sliceId(classifier.classifyConnection(classifier.candidates("ingress", ip("10.45.0.7"),
            40050, ip("198.51.100.9"), 8443, null)))).isEqualTo(URLLC);
        assertThat(classifier.sliceId(classifier.classifyConnection(classifier.candidates("ingress", ip("10.45.0.7"),
            40100, ip("198.51.100.9"), 8443, null)))).as("source port outside the range").isEqualTo(EMBB);
        assertThat(classifier.sliceId(classifier.classifyConnection(classifier.candidates("ingress", ip("10.45.0.7"),
            40050, ip("198.51.100.9"), 8080, null)))).as("another destination port").isEqualTo(EMBB);
        assertThat(classifier.sliceId(classifier.classifyConnection(classifier.candidates("ingress", ip("10.45.0.7"),
            40050, ip("198.51.101.9"), 8443, null)))).as("another destination address").isEqualTo(EMBB);
        assertThat(classifier.sliceId(classifier.classifyConnection(classifier.candidates("ingress", ip("10.45.0.7"),
            null)))).as("a connection whose addresses are unknown never matches a 5-tuple rule").isEqualTo(EMBB);
    }

    @Test
    void shouldGiveTheSessionRecordOfTheRuleThatMatchedAndNoneOtherwise() throws Exception
    {
        final ClassificationRule session = new ClassificationRule(EMBB, Optional.empty(),
            List.of(SourcePrefix.parse("10.45.0.7/32")), Optional.empty(), Optional.empty(),
            List.of(SourcePrefix.parse("198.51.100.9/32")), Optional.of(new PortRange(8443, 8443)),
            Optional.of(new PortRange(40001, 40001)), 12);
        final Classifier classifier = Classifier.build(new ClassificationConfig(List.of(session,
            ClassificationRule.sourceCidrs(EMBB, "10.45.0.0/16"))), registry);

        final int matched = classifier.classifyConnection(classifier.candidates("ingress", ip("10.45.0.7"), 40001,
            ip("198.51.100.9"), 8443, null));
        final int other = classifier.classifyConnection(classifier.candidates("ingress", ip("10.45.0.7"), 40002,
            ip("198.51.100.9"), 8443, null));

        assertThat(classifier.policyRouteId(matched)).isEqualTo(12);
        assertThat(classifier.sliceId(other)).isEqualTo(EMBB);
        assertThat(classifier.policyRouteId(other)).as("another source port: the slice's rule, no record").isZero();
        assertThat(classifier.policyRouteId(Classifier.NO_RULE)).isZero();
        assertThatThrownBy(() -> new ClassificationRule(EMBB, Optional.empty(), List.of(), Optional.empty(),
            Optional.empty(), List.of(), Optional.empty(), Optional.of(new PortRange(1, 1)), -1))
            .hasMessageContaining("policyRouteId");
    }

    @Test
    void shouldPreferTheEarlierRuleOverAnyLaterOneWithMoreCriteria() throws Exception
    {
        final ClassificationRule destinationPort = new ClassificationRule(URLLC, Optional.empty(), List.of(),
            Optional.empty(), Optional.empty(), List.of(), Optional.of(new PortRange(8443, 8443)), Optional.empty());
        final ClassificationRule narrower = new ClassificationRule(MIOT, Optional.empty(),
            List.of(SourcePrefix.parse("10.45.0.0/16")), Optional.empty(), Optional.empty(), List.of(),
            Optional.of(new PortRange(8443, 8443)), Optional.of(new PortRange(40000, 40000)));
        final Classifier broadFirst = Classifier.build(new ClassificationConfig(List.of(destinationPort, narrower)),
            registry);
        final Classifier narrowFirst = Classifier.build(new ClassificationConfig(List.of(narrower, destinationPort)),
            registry);

        assertThat(broadFirst.sliceId(broadFirst.classifyConnection(broadFirst.candidates("ingress",
            ip("10.45.0.7"), 40000, ip("127.0.0.2"), 8443, null)))).as("order decides, not the number of criteria")
            .isEqualTo(URLLC);
        assertThat(narrowFirst.sliceId(narrowFirst.classifyConnection(narrowFirst.candidates("ingress",
            ip("10.45.0.7"), 40000, ip("127.0.0.2"), 8443, null)))).isEqualTo(MIOT);
        assertThat(narrowFirst.sliceId(narrowFirst.classifyConnection(narrowFirst.candidates("ingress",
            ip("10.45.0.7"), 40001, ip("127.0.0.2"), 8443, null)))).isEqualTo(URLLC);
    }

    @Test
    void shouldRefuseBadPortsAndDestinationPrefixesNamingTheField()
    {
        assertThatThrownBy(() -> PortRange.parse("destinationPorts", "65536"))
            .hasMessageStartingWith("destinationPorts:");
        assertThatThrownBy(() -> PortRange.parse("sourcePorts", "0")).hasMessageStartingWith("sourcePorts:");
        assertThatThrownBy(() -> PortRange.parse("sourcePorts", "9000-8000")).hasMessageStartingWith("sourcePorts:");
        assertThatThrownBy(() -> PortRange.parse("sourcePorts", "80-")).hasMessageStartingWith("sourcePorts:");
        assertThatThrownBy(() -> SourcePrefix.parse("destinationCidrs", "127.0.0.2/33"))
            .hasMessageStartingWith("destinationCidrs:");
        assertThat(PortRange.parse("destinationPorts", "8000-8099")).isEqualTo(new PortRange(8000, 8099));
        assertThat(PortRange.parse("destinationPorts", "8000-8099").toString()).isEqualTo("8000-8099");
        assertThat(new PortRange(443, 443).toString()).isEqualTo("443");
    }

    private static HeaderFields headers(final String name, final String value)
    {
        return new NettyHeaderFields().wrap(new DefaultHttpHeaders().add(name, value));
    }
}
