package io.mecmesh.appliance.config;

import java.nio.file.Path;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * How the control plane and the nodes reach each other ({@code controlPlane} in {@code appliance.yaml}).
 * Role {@code control} binds the API and the Aeron endpoints on {@code address}; role {@code edge} sends to them
 * and receives its configurations on {@code nodeEndpoint}; role {@code all} uses the API port only (distribution is
 * Aeron IPC inside the process).
 *
 * @param address      the control plane's address (bound by the control plane, reached by the nodes).
 * @param apiPort      TCP port of the control-plane API ({@code mecmesh apply/get/status}, CSR signing).
 * @param configPort   UDP port of the Aeron control endpoint nodes register on to receive configurations.
 * @param ackPort      UDP port the control plane receives acknowledgements and heartbeats on.
 * @param nodeEndpoint edge: {@code host:port} (UDP) this node receives configurations on; empty otherwise.
 * @param keyFile      the HMAC key shared by the control plane and its nodes (at least 32 bytes; keep it 0600), or
 *                     {@code null} for role {@code all} (a key is generated per process).
 * @param configVerificationKeys edge: a PEM file of the control plane's configuration-verification keys (its
 *                     {@code config-verification.pem}); without it the keys come with the trust bundle, else the node
 *                     pins the keys of its first authenticated configuration.
 */
public record ControlPlaneConfig(
    String address, int apiPort, int configPort, int ackPort, String nodeEndpoint, Path keyFile,
    Optional<Path> configVerificationKeys)
{
    /**
     * Settings without explicit verification keys.
     *
     * @param address      the control plane's address.
     * @param apiPort      TCP port of the control-plane API.
     * @param configPort   UDP port of the Aeron control endpoint.
     * @param ackPort      UDP port of acknowledgements and heartbeats.
     * @param nodeEndpoint edge: {@code host:port} (UDP) this node receives configurations on; empty otherwise.
     * @param keyFile      the shared HMAC key file, or {@code null} for role {@code all}.
     */
    public ControlPlaneConfig(final String address, final int apiPort, final int configPort, final int ackPort,
        final String nodeEndpoint, final Path keyFile)
    {
        this(address, apiPort, configPort, ackPort, nodeEndpoint, keyFile, Optional.empty());
    }

    /** Default control-plane API port. */
    public static final int DEFAULT_API_PORT = 9902;
    /** Default UDP port of the configuration control endpoint. */
    public static final int DEFAULT_CONFIG_PORT = 40401;
    /** Default UDP port of acknowledgements. */
    public static final int DEFAULT_ACK_PORT = 40402;

    public ControlPlaneConfig
    {
        requireNonNull(address, "address");
        requireNonNull(nodeEndpoint, "nodeEndpoint");
        requireNonNull(configVerificationKeys, "configVerificationKeys");
        for (final int port : new int[] {apiPort, configPort, ackPort})
        {
            if (port < 0 || port > 65535)
            {
                throw new IllegalArgumentException("port: expected 0 to 65535, got " + port);
            }
        }
        if (!nodeEndpoint.isEmpty() && !nodeEndpoint.matches("[^|?=\\s]+:\\d{1,5}"))
        {
            throw new IllegalArgumentException("nodeEndpoint: expected host:port, got \"" + nodeEndpoint + "\"");
        }
    }

    /**
     * @return {@code address:configPort}.
     */
    public String configEndpoint()
    {
        return address + ":" + configPort;
    }

    /**
     * @return {@code address:ackPort}.
     */
    public String ackEndpoint()
    {
        return address + ":" + ackPort;
    }
}
