package io.mecmesh.appliance.config;

import io.mecmesh.appliance.ApplianceException;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest
{
    private static final String VALID = """
        node:
          id: edge-7
        admin:
          port: 0
        dataplane:
          transport: epoll
          listeners:
            - name: ingress
              address: 127.0.0.1
              port: 15001
          clusters:
            - name: app
              endpoints: ["127.0.0.1:8080", "[::1]:8081"]
          routes:
            - host: app.local
              cluster: app
        """;

    @Test
    void shouldLoadTheDefaultConfigurationThatShipsInPackaging()
    {
        final ApplianceConfig config = ConfigLoader.load(Path.of("../packaging/src/etc/appliance.yaml"));

        assertThat(config.node().id()).isEqualTo("edge-1");
        assertThat(config.admin()).isEqualTo(new AdminConfig("127.0.0.1", 15000));
        assertThat(config.dataplane().transport()).isEqualTo(TransportKind.AUTO);
        assertThat(config.dataplane().listeners()).singleElement()
            .satisfies(listener -> assertThat(listener.port()).isEqualTo(15001));
        assertThat(config.dataplane().routes()).singleElement()
            .satisfies(route -> assertThat(route.cluster()).isEqualTo("local-app"));
    }

    @Test
    void shouldApplyDefaultsForKeysLeftOut()
    {
        final ApplianceConfig config = ConfigLoader.parse("a.yaml", VALID);

        assertThat(config.dataplane().transport()).isEqualTo(TransportKind.EPOLL);
        assertThat(config.dataplane().eventLoopThreads()).isZero();
        assertThat(config.admin().address()).isEqualTo("127.0.0.1");
        assertThat(config.dataplane().routes().get(0).pathPrefix()).isEqualTo("/");
        assertThat(config.dataplane().clusters().get(0).endpoints().get(1).host()).isEqualTo("::1");
        assertThat(config.dataplane().clusters().get(0).connectTimeoutMs()).isEqualTo(1000);
    }

    @Test
    void shouldNameFileKeyPathAndExpectationForAValueOfTheWrongType()
    {
        assertConfigError(VALID.replace("port: 15001", "port: abc"),
            "a.yaml: dataplane.listeners[0].port: expected an integer from 0 to 65535, got \"abc\"");
    }

    @Test
    void shouldRejectAPortOutOfRange()
    {
        assertConfigError(VALID.replace("port: 15001", "port: 70000"),
            "a.yaml: dataplane.listeners[0].port: expected an integer from 0 to 65535, got 70000");
    }

    @Test
    void shouldRejectAnUnknownKeyNamingTheKeysThatExist()
    {
        assertConfigError(VALID.replace("address: 127.0.0.1", "adress: 127.0.0.1"),
            "a.yaml: dataplane.listeners[0].adress: unknown key (expected one of: address, maxHeaderBytes, "
                + "maxRequestLineBytes, name, port)");
    }

    @Test
    void shouldRejectARouteToAClusterThatDoesNotExist()
    {
        assertConfigError(VALID.replace("cluster: app", "cluster: ap"),
            "a.yaml: dataplane.routes[0].cluster: no cluster named \"ap\" (clusters: app)");
    }

    @Test
    void shouldRejectAMalformedEndpoint()
    {
        assertConfigError(VALID.replace("\"127.0.0.1:8080\"", "\"127.0.0.1\""),
            "a.yaml: dataplane.clusters[0].endpoints[0]: expected host:port, got \"127.0.0.1\"");
    }

    @Test
    void shouldRejectAnUnknownTransport()
    {
        assertConfigError(VALID.replace("transport: epoll", "transport: dpdk"),
            "a.yaml: dataplane.transport: expected one of auto, io_uring, epoll, nio, got \"dpdk\"");
    }

    @Test
    void shouldRejectAMissingRequiredKey()
    {
        assertConfigError(VALID.replace("      port: 15001\n", ""),
            "a.yaml: dataplane.listeners[0].port: missing (expected an integer from 0 to 65535)");
    }

    @Test
    void shouldRejectDuplicateListenerNames()
    {
        assertConfigError(VALID.replace("  clusters:", "    - name: ingress\n      port: 15002\n  clusters:"),
            "a.yaml: dataplane.listeners[1].name: \"ingress\" is already used by another entry");
    }

    @Test
    void shouldRejectAConfigurationWithoutListeners()
    {
        assertConfigError("dataplane:\n  listeners: []\n",
            "a.yaml: dataplane.listeners: expected at least one listener");
    }

    @Test
    void shouldRejectAnInvalidNodeId()
    {
        assertConfigError(VALID.replace("id: edge-7", "id: \"edge 7\""),
            "a.yaml: node.id: expected 1-63 letters, digits, '.', '_' or '-' starting with a letter or digit, "
                + "got \"edge 7\"");
    }

    @Test
    void shouldReportTheLineOfAYamlSyntaxError()
    {
        assertThatThrownBy(() -> ConfigLoader.parse("a.yaml", "dataplane:\n  listeners: [\n  - x: 1\n"))
            .isInstanceOf(ApplianceException.class)
            .hasMessageStartingWith("a.yaml: line ")
            .hasMessageContaining("not valid YAML");
    }

    @Test
    void shouldRejectAnEmptyFile()
    {
        assertConfigError("# nothing here\n", "a.yaml: the file is empty");
    }

    @Test
    void shouldNameAFileThatDoesNotExist(@TempDir final Path dir)
    {
        final Path missing = dir.resolve("missing.yaml");

        assertThatThrownBy(() -> ConfigLoader.load(missing))
            .isInstanceOf(ApplianceException.class)
            .hasMessage(missing + ": no such file");
    }

    @Test
    void shouldLoadAFileFromDisk(@TempDir final Path dir) throws IOException
    {
        final Path file = Files.writeString(dir.resolve("appliance.yaml"), VALID);

        assertThat(ConfigLoader.load(file).node().id()).isEqualTo("edge-7");
    }

    private static void assertConfigError(final String yaml, final String message)
    {
        assertThatThrownBy(() -> ConfigLoader.parse("a.yaml", yaml))
            .isInstanceOf(ApplianceException.class)
            .hasMessage(message)
            .satisfies(ex -> assertThat(((ApplianceException)ex).category())
                .isEqualTo(ApplianceException.Category.CONFIG));
    }
}
