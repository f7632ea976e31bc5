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
            dataDirectory: %s
            admin:
              address: 127.0.0.1
              port: %d
            controlPlane:
              address: 127.0.0.1
              apiPort: %d
              configPort: %d
              ackPort: %d
              keyFile: %s
            """.formatted(dataDirectory, adminPort, apiPort, configPort, ackPort, keyFile) + extra;
    }
}
