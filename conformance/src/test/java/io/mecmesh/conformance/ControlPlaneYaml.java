package io.mecmesh.conformance;

import java.nio.file.Path;

/**
 * The {@code appliance.yaml} of a control plane on loopback, shared by the control-plane tests. Its API is the plain
 * loopback one ({@code api.insecureLoopback: true}): these tests are about distribution and identity, not the API's
 * authentication, which {@code ApiSecurityConformanceTest} covers over TLS.
 */
final class ControlPlaneYaml
{
    private ControlPlaneYaml()
    {
    }

    /**
     * @param dataDirectory where its journal goes.
     * @param adminPort     its admin port.
     * @param apiPort       the control-plane API port.
     * @param configPort    the Aeron control endpoint's UDP port.
     * @param ackPort       the acknowledgements' UDP port.
     * @param keyFile       the distribution key.
     * @param extra         more top-level YAML (e.g. a {@code ca:} section), or empty.
     * @return the configuration of role {@code control}.
     */
    static String control(final Path dataDirectory, final int adminPort, final int apiPort, final int configPort,
        final int ackPort, final Path keyFile, final String extra)
    {
        return """
            role: control
            node:
              id: control
            """ + common(dataDirectory, adminPort, apiPort, configPort, ackPort, "", keyFile) + extra;
    }

    /**
     * @param node          the node's id.
     * @param site          its site.
     * @param zone          its zone.
     * @param dataDirectory where its last known good configuration and identity go.
     * @param adminPort     its admin port.
     * @param apiPort       the control-plane API port.
     * @param configPort    the Aeron control endpoint's UDP port.
     * @param ackPort       the acknowledgements' UDP port.
     * @param nodePort      this node's UDP port for configurations.
     * @param keyFile       the distribution key.
     * @param rest          the rest of the file: more top-level YAML (an {@code identity:} section, the
     *                      {@code dataplane:} section), indented from column 0.
     * @return the configuration of role {@code edge}.
     */
    static String edge(final String node, final String site, final String zone, final Path dataDirectory,
        final int adminPort, final int apiPort, final int configPort, final int ackPort, final int nodePort,
        final Path keyFile, final String rest)
    {
        return """
            role: edge
            node:
              id: %s
              site: %s
              zone: %s
            """.formatted(node, site, zone) + common(dataDirectory, adminPort, apiPort, configPort, ackPort,
            "  nodeEndpoint: 127.0.0.1:" + nodePort + "\n", keyFile) + rest;
    }

    /**
     * @param yaml a configuration from {@link #control} or {@link #edge}.
     * @return the same with the API over TLS (the default: the control plane's SVID, client certificates).
     */
    static String withTlsApi(final String yaml)
    {
        final String plain = "    insecureLoopback: true\n";
        if (!yaml.contains(plain))
        {
            throw new IllegalArgumentException("not a configuration of ControlPlaneYaml: " + yaml);
        }
        return yaml.replace(plain, "");
    }

    /**
     * @param yaml a configuration from {@link #control}.
     * @return the same with the desired state on a one-member Aeron Cluster ({@code controlPlane.cluster.enabled}).
     */
    static String withCluster(final String yaml)
    {
        final String section = "controlPlane:\n";
        if (!yaml.contains(section))
        {
            throw new IllegalArgumentException("not a configuration of ControlPlaneYaml: " + yaml);
        }
        return yaml.replace(section, section + "  cluster:\n    enabled: true\n");
    }

    /** The data directory, the admin endpoint and the control-plane section every role has. */
    private static String common(final Path dataDirectory, final int adminPort, final int apiPort,
        final int configPort, final int ackPort, final String nodeEndpointLine, final Path keyFile)
    {
        return """
            dataDirectory: %s
            admin:
              address: 127.0.0.1
              port: %d
            controlPlane:
              address: 127.0.0.1
              api:
                port: %d
                insecureLoopback: true
              configPort: %d
              ackPort: %d
            """.formatted(dataDirectory, adminPort, apiPort, configPort, ackPort) + nodeEndpointLine
            + "  keyFile: " + keyFile + "\n";
    }
}
