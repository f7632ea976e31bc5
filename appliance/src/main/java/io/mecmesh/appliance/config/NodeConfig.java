package io.mecmesh.appliance.config;

import static java.util.Objects.requireNonNull;

/**
 * This node.
 *
 * @param id the node's name, unique in the mesh (defaults to the host name).
 */
public record NodeConfig(String id)
{
    public NodeConfig
    {
        requireNonNull(id, "id");
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}"))
        {
            throw new IllegalArgumentException("id: expected 1-63 letters, digits, '.', '_' or '-' starting with a "
                + "letter or digit, got \"" + id + "\"");
        }
    }
}
