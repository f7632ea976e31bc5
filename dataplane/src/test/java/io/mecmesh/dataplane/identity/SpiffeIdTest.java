package io.mecmesh.dataplane.identity;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpiffeIdTest
{
    @Test
    void shouldParseTrustDomainAndPath()
    {
        final SpiffeId id = SpiffeId.parse("spiffe://mesh.example-1_a/slice/1-000001/app/Video.v2");

        assertThat(id.trustDomain()).isEqualTo("mesh.example-1_a");
        assertThat(id.path()).isEqualTo("/slice/1-000001/app/Video.v2");
        assertThat(id).hasToString("spiffe://mesh.example-1_a/slice/1-000001/app/Video.v2");
        assertThat(id.isTrustDomainId()).isFalse();
    }

    @Test
    void shouldParseTrustDomainIdWithoutPath()
    {
        final SpiffeId id = SpiffeId.parse("spiffe://example.org");

        assertThat(id.isTrustDomainId()).isTrue();
        assertThat(id).isEqualTo(SpiffeId.ofTrustDomain("example.org"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "''                                 | empty",
        "http://example.org/a               | must start with \"spiffe://\"",
        "SPIFFE://example.org/a             | must start with \"spiffe://\"",
        "spiffe:/example.org/a              | must start with \"spiffe://\"",
        "spiffe:///a                        | trust domain is missing",
        "spiffe://                          | trust domain is missing",
        "spiffe://Example.org/a             | character 'E'",
        "spiffe://exa%6Dple.org/a           | character '%'",
        "spiffe://example.org:8080/a        | must not contain a port",
        "spiffe://user@example.org/a        | must not contain user info",
        "spiffe://example.org/a?x=1         | must not contain a query",
        "spiffe://example.org/a#frag        | must not contain a fragment",
        "spiffe://example.org/              | must not end with '/'",
        "spiffe://example.org/a/            | must not end with '/'",
        "spiffe://example.org//a            | empty segment",
        "spiffe://example.org/a/./b         | a '.' segment",
        "spiffe://example.org/a/../b        | a '..' segment",
        "spiffe://example.org/a%20b         | character '%'",
        "spiffe://example.org/a b           | character ' '",
        "spiffe://example.org/caf\u00e9     | character '\u00e9'",
    })
    void shouldRejectTextBreakingASpiffeIdRuleNamingTheRule(final String text, final String reason)
    {
        assertThatThrownBy(() -> SpiffeId.parse(text))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(reason);
    }

    @Test
    void shouldRejectIdLongerThan2048Bytes()
    {
        final String atLimit = "spiffe://example.org/" + "a".repeat(2048 - "spiffe://example.org/".length());
        final String overLimit = atLimit + "a";

        assertThat(SpiffeId.parse(atLimit).toString()).hasSize(2048);
        assertThatThrownBy(() -> SpiffeId.parse(overLimit))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("2049 bytes");
    }

    @ParameterizedTest
    @ValueSource(strings = { "example.org", "a", "1.2.3.4", "under_score.example" })
    void shouldAcceptTrustDomainsOfTheAllowedCharacters(final String trustDomain)
    {
        assertThat(SpiffeId.ofTrustDomain(trustDomain).trustDomain()).isEqualTo(trustDomain);
    }

    @Test
    void shouldTellWhetherAnIdLiesUnderAPrefixSegmentWise()
    {
        final SpiffeId site = SpiffeId.parse("spiffe://example.org/site/a");

        assertThat(SpiffeId.parse("spiffe://example.org/site/a/app/x").isUnder(site)).isTrue();
        assertThat(SpiffeId.parse("spiffe://example.org/site/a").isUnder(site)).isTrue();
        assertThat(SpiffeId.parse("spiffe://example.org/site/ab").isUnder(site)).isFalse();
        assertThat(SpiffeId.parse("spiffe://other.org/site/a/x").isUnder(site)).isFalse();
        assertThat(SpiffeId.parse("spiffe://example.org/x").isUnder(SpiffeId.ofTrustDomain("example.org"))).isTrue();
    }
}
