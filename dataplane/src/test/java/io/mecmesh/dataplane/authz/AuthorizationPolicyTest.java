package io.mecmesh.dataplane.authz;

import io.mecmesh.dataplane.identity.SpiffeId;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.mecmesh.dataplane.authz.AuthorizationPolicy.Decision.ALLOWED;
import static io.mecmesh.dataplane.authz.AuthorizationPolicy.Decision.DENIED_BY_RULE;
import static io.mecmesh.dataplane.authz.AuthorizationPolicy.Decision.DENIED_NO_ALLOW_RULE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuthorizationPolicyTest
{
    private static final SpiffeId AMF = SpiffeId.parse("spiffe://mesh.test/slice/1-000001/app/amf");
    private static final SpiffeId SMF = SpiffeId.parse("spiffe://mesh.test/slice/1-000001/app/smf");
    private static final SpiffeId OTHER_SLICE = SpiffeId.parse("spiffe://mesh.test/slice/10/app/amf");
    private static final SpiffeId FOREIGN = SpiffeId.parse("spiffe://other.test/app/amf");

    private static AuthzRule rule(final String principal, final List<String> methods, final List<String> paths)
    {
        return new AuthzRule(principal.isEmpty() ? List.of() : List.of(PrincipalMatch.parse(principal)), methods,
            paths);
    }

    @Test
    void shouldAllowEverythingWithoutAPolicy()
    {
        assertThat(AuthorizationPolicy.ALLOW_ALL.check(null, "GET", "/")).isEqualTo(ALLOWED);
    }

    @Test
    void shouldDenyByDefaultOnceAllowRulesExist()
    {
        final AuthorizationPolicy policy = new AuthorizationPolicy(
            List.of(rule("spiffe://mesh.test/slice/1-000001/app/amf", List.of(), List.of())), List.of());

        assertThat(policy.check(AMF, "GET", "/x")).isEqualTo(ALLOWED);
        assertThat(policy.check(SMF, "GET", "/x")).isEqualTo(DENIED_NO_ALLOW_RULE);
        assertThat(policy.check(null, "GET", "/x")).as("no client certificate").isEqualTo(DENIED_NO_ALLOW_RULE);
    }

    @Test
    void shouldMatchAPrefixBySegmentsNotCharacters()
    {
        final AuthorizationPolicy policy = new AuthorizationPolicy(
            List.of(rule("spiffe://mesh.test/slice/1-000001/*", List.of(), List.of())), List.of());

        assertThat(policy.check(AMF, "GET", "/")).isEqualTo(ALLOWED);
        assertThat(policy.check(SMF, "GET", "/")).isEqualTo(ALLOWED);
        assertThat(policy.check(SpiffeId.parse("spiffe://mesh.test/slice/1-0000011/app/x"), "GET", "/"))
            .isEqualTo(DENIED_NO_ALLOW_RULE);
    }

    @Test
    void shouldMatchATrustDomain()
    {
        final AuthorizationPolicy policy = new AuthorizationPolicy(
            List.of(rule("spiffe://mesh.test", List.of(), List.of())), List.of());

        assertThat(policy.check(OTHER_SLICE, "GET", "/")).isEqualTo(ALLOWED);
        assertThat(policy.check(FOREIGN, "GET", "/")).isEqualTo(DENIED_NO_ALLOW_RULE);
    }

    @Test
    void shouldRestrictMethodsAndPaths()
    {
        final AuthorizationPolicy policy = new AuthorizationPolicy(
            List.of(rule("spiffe://mesh.test", List.of("GET"), List.of("/nudm-sdm/"))), List.of());

        assertThat(policy.check(AMF, "GET", "/nudm-sdm/v2/imsi-1")).isEqualTo(ALLOWED);
        assertThat(policy.check(AMF, "POST", "/nudm-sdm/v2/imsi-1")).isEqualTo(DENIED_NO_ALLOW_RULE);
        assertThat(policy.check(AMF, "GET", "/nudm-uecm/v1")).isEqualTo(DENIED_NO_ALLOW_RULE);
    }

    @Test
    void shouldLetADenyRuleWinOverAnAllowRule()
    {
        final AuthorizationPolicy policy = new AuthorizationPolicy(
            List.of(rule("spiffe://mesh.test", List.of(), List.of())),
            List.of(rule("spiffe://mesh.test/slice/1-000001/app/smf", List.of(), List.of("/admin"))));

        assertThat(policy.check(SMF, "GET", "/admin/x")).isEqualTo(DENIED_BY_RULE);
        assertThat(policy.check(SMF, "GET", "/data")).isEqualTo(ALLOWED);
        assertThat(policy.check(AMF, "GET", "/admin/x")).isEqualTo(ALLOWED);
    }

    @Test
    void shouldRejectAPrincipalThatIsNotASpiffeId()
    {
        assertThatThrownBy(() -> PrincipalMatch.parse("https://mesh.test/app"))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldLetCallersWithoutACertificateThroughOnlyARuleThatNamesThem()
    {
        final AuthorizationPolicy policy = new AuthorizationPolicy(List.of(
            new AuthzRule(List.of(PrincipalMatch.UNAUTHENTICATED), List.of(), List.of()),
            rule("spiffe://mesh.test/slice/1-000001/app/amf", List.of(), List.of())), List.of());

        assertThat(policy.check(null, "GET", "/")).isEqualTo(ALLOWED);
        assertThat(policy.check(AMF, "GET", "/")).isEqualTo(ALLOWED);
        assertThat(policy.check(SMF, "GET", "/")).as("a certificate is not 'unauthenticated'")
            .isEqualTo(DENIED_NO_ALLOW_RULE);
        assertThat(PrincipalMatch.parse("unauthenticated")).isEqualTo(PrincipalMatch.UNAUTHENTICATED);
    }

    @Test
    void shouldReadAPrefixWithOrWithoutItsTrailingSlash()
    {
        assertThat(PrincipalMatch.prefix("spiffe://mesh.test/slice/1-000001/"))
            .isEqualTo(PrincipalMatch.prefix("spiffe://mesh.test/slice/1-000001"))
            .isEqualTo(PrincipalMatch.prefix("spiffe://mesh.test/slice/1-000001/*"))
            .isEqualTo(PrincipalMatch.parse("spiffe://mesh.test/slice/1-000001/*"));
        assertThat(PrincipalMatch.prefix("spiffe://mesh.test/").kind()).isEqualTo(PrincipalMatch.Kind.TRUST_DOMAIN);
        assertThatThrownBy(() -> PrincipalMatch.prefix("spiffe://mesh test/x"))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
