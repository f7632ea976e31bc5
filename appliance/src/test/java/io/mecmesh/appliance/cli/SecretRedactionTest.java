package io.mecmesh.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SecretRedactionTest
{
    @Test
    void shouldRedactSecretValuesAndKeepFileNamesAndPolicies() throws Exception
    {
        final JsonNode tree = ClientOutput.YAML.readTree("""
            controlPlane: {keyFile: /etc/mecmesh/distribution.key, token: t0k3n-value}
            ca: {passphraseFile: /etc/mecmesh/ca.pass}
            tls: {privateKey: /etc/mecmesh/svid-key.pem}
            routes:
              - headers: [{name: X-Api-Key, exact: key-value-1}, {name: x-canary, exact: "1"}]
                requestHeaders: {set: {Authorization: "Bearer b34r3r", x-trace: on}}
                authorization: {allow: [{principals: ["spiffe://td/a"]}]}
            telemetry: {url: "https://ops:pa55word@core.example:9090/api/v1/write"}
            """);
        final SecretRedaction redaction = new SecretRedaction();

        final String redacted = ClientOutput.yaml(redaction.redact(tree, "appliance.yaml"));

        assertThat(redacted).doesNotContain("t0k3n-value", "key-value-1", "b34r3r", "pa55word")
            .contains("/etc/mecmesh/distribution.key", "/etc/mecmesh/ca.pass", "/etc/mecmesh/svid-key.pem",
                "spiffe://td/a", "https://REDACTED@core.example:9090/api/v1/write", "exact: 1", "x-trace: true");
        assertThat(redaction.redactedPaths()).containsExactly("appliance.yaml: controlPlane.token",
            "appliance.yaml: routes[0].headers[0].exact", "appliance.yaml: routes[0].requestHeaders.set.Authorization",
            "appliance.yaml: telemetry.url (URL user-info)");
        assertThat(redaction.scrub("got Bearer b34r3r from http://u:p@h/ and t0k3n-value"))
            .isEqualTo("got REDACTED from http://REDACTED@h/ and REDACTED");
    }
}
