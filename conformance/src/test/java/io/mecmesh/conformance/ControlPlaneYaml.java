package io.mecmesh.conformance;

import java.nio.file.Path;

/**
 * The {@code appliance.yaml} of a control plane on loopback, shared by the control-plane tests.
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
              apiPort: %d
              configPort: %d
              ackPort: %d
            """.formatted(dataDirectory, adminPort, apiPort, configPort, ackPort) + nodeEndpointLine
            + "  keyFile: " + keyFile + "\n";
    }
}
