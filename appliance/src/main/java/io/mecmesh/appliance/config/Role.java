package io.mecmesh.appliance.config;

/**
 * What an appliance process runs ({@code role} in {@code appliance.yaml}).
 */
public enum Role
{
    /** The node agent and the data plane: receives its configuration from the control plane (or serves the file's). */
    EDGE,
    /** The slice manager: journal, compiler, distribution, the control-plane API and the CA. No data plane. */
    CONTROL,
    /** Both on one host: the node agent reaches the slice manager over Aeron IPC. */
    ALL
}
