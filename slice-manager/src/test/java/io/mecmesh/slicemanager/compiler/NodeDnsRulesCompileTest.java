package io.mecmesh.slicemanager.compiler;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mecmesh.slicemanager.mec.MecRulesJson;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.DnsRule;
import io.mecmesh.slicemanager.model.ModelFixtures;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** MEC 011 DNS rules of an application instance compiled into the configuration of the node that hosts it. */
class NodeDnsRulesCompileTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String APP = """
        {"id":"app-1","name":"video-analytics","node":"node-a","slice":"1-0000a1",
         "spiffeId":"spiffe://mesh.example/app/video-analytics","endpoints":[{"address":"127.0.0.1","port":18080}],
         "dnsRules":[
          {"dnsRuleId":"dns-b","domainName":"Video.MEC.example.","ipAddressType":"IP_V4","ipAddress":"192.0.2.10",
           "ttl":30,"state":"STATE"},
          {"dnsRuleId":"dns-a","domainName":"v6.mec.example","ipAddressType":"IP_V6","ipAddress":"2001:db8::10",
           "state":"ACTIVE"}]}""";

    private final MeshCompiler compiler = new MeshCompiler();

    private static AppInstance app(final String state)
    {
        try
        {
            return MecRulesJson.appInstance(JSON.readTree(APP.replace("STATE", state)), "");
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void shouldGiveTheHostingNodeItsApplicationsActiveDnsRulesInRuleOrder()
    {
        final CompiledMesh mesh = compiler.compile(ModelFixtures.state().apply(new Command.PutApp(app("ACTIVE"))),
            CompilerSettings.DEFAULT);

        assertThat(mesh.nodes().get("node-a").dnsRules()).containsExactly(
            new NodeDnsRule("app-1", "dns-a", "v6.mec.example", DnsRule.IpAddressType.IP_V6, "2001:db8::10",
                Optional.empty()),
            new NodeDnsRule("app-1", "dns-b", "video.mec.example", DnsRule.IpAddressType.IP_V4, "192.0.2.10",
                Optional.of(30)));
        assertThat(mesh.nodes().get("node-b").dnsRules()).as("only the hosting node").isEmpty();
    }

    @Test
    void shouldDropARuleTurningInactiveAndChangeTheNodesVersionAndHash()
    {
        final DesiredState before = ModelFixtures.state().apply(new Command.PutApp(app("ACTIVE")));
        final CompiledMesh first = compiler.compile(before, CompilerSettings.DEFAULT);
        final DesiredState after = before.apply(new Command.PutApp(app("INACTIVE")));

        final CompiledMesh second = compiler.compile(after, first, CompilerSettings.DEFAULT);

        assertThat(second.nodes().get("node-a").dnsRules()).extracting(NodeDnsRule::ruleId).containsExactly("dns-a");
        assertThat(second.nodes().get("node-a").contentHash()).isNotEqualTo(first.nodes().get("node-a").contentHash());
        assertThat(second.nodes().get("node-a").version()).isEqualTo(after.sequence());
        assertThat(second.nodes().get("node-b")).isSameAs(first.nodes().get("node-b"));
    }
}
