package io.mecmesh.appliance.cli;

import io.mecmesh.appliance.Appliance;
import io.mecmesh.appliance.config.AdminConfig;
import io.mecmesh.appliance.config.ApplianceConfig;
import io.mecmesh.appliance.config.NodeConfig;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.HeaderRewrite;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.route.RetryPolicy;
import io.mecmesh.dataplane.route.RouteMatch;
import io.mecmesh.dataplane.route.WeightedCluster;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mecmesh proxy-config} against a running appliance's admin endpoint.
 */
class ProxyConfigCommandTest
{
    private Appliance appliance;
    private StringWriter out;
    private StringWriter err;

    @BeforeEach
    void start()
    {
        appliance = Appliance.start(new ApplianceConfig(new NodeConfig("test"), new AdminConfig("127.0.0.1", 0),
            new MeshConfig(7, TransportKind.AUTO, 1,
                List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
                List.of(new RouteConfig("split", RouteMatch.prefix("video.example", "/live/"),
                    new RouteAction.Forward(List.of(new WeightedCluster("blue", 90), new WeightedCluster("green", 10)),
                        15_000, 0, RetryPolicy.DEFAULT), HeaderRewrite.NONE,
                    HeaderRewrite.NONE),
                    new RouteConfig("*", "/", "blue")),
                List.of(ClusterConfig.of("blue", List.of(new Endpoint("127.0.0.1", 8081))),
                    ClusterConfig.of("green", List.of(new Endpoint("127.0.0.1", 8082)))))));
    }

    @AfterEach
    void stop()
    {
        appliance.close();
    }

    @Test
    void shouldShowListenersRoutesAndClustersAsTables()
    {
        assertThat(run("proxy-config", "--admin", admin())).isEqualTo(ExitCode.OK);

        final String table = out.toString();
        assertThat(table).startsWith("version 7");
        assertThat(table).containsPattern("ingress +127\\.0\\.0\\.1:\\d+ +http +-");
        assertThat(table).containsPattern("split +video\\.example +prefix /live/ +→ blue \\(90\\), green \\(10\\) +-");
        assertThat(table).containsPattern("blue +http1 +round_robin +127\\.0\\.0\\.1:8081 +-");
        assertThat(run("proxy-config", "--admin", admin(), "routes")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("ROUTE").doesNotContain("LISTENER").doesNotContain("CLUSTER");
    }

    @Test
    void shouldPrintTheWholeDumpAsJsonAndRefuseWhatItDoesNotKnow()
    {
        assertThat(run("proxy-config", "--admin", admin(), "-o", "json")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("\"version\" : 7").contains("\"lbPolicy\" : \"ROUND_ROBIN\"");

        assertThat(run("proxy-config", "--admin", admin(), "endpoints")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString())
            .contains("WHAT: expected listeners, routes, clusters, slices, all or dns, got \"endpoints\"");
        assertThat(run("proxy-config", "--admin", "http://127.0.0.1:1")).isEqualTo(ExitCode.UNAVAILABLE);
        assertThat(err.toString()).startsWith("mecmesh: cannot reach the admin endpoint http://127.0.0.1:1");
    }

    private String admin()
    {
        return "http://127.0.0.1:" + appliance.adminAddress().getPort();
    }

    private int run(final String... args)
    {
        out = new StringWriter();
        err = new StringWriter();
        return MecmeshCommand.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }
}
