package io.mecmesh.appliance.config;

import static java.util.Objects.requireNonNull;

/**
 * This node.
 *
 * @param id   the node's name, unique in the mesh (defaults to the host name).
 * @param site the site the node is at (for locality-aware balancing), or empty.
 * @param zone the zone the site is in, or empty.
 */
public record NodeConfig(String id, String site, String zone)
{
    public NodeConfig
    {
        requireNonNull(id, "id");
        requireNonNull(site, "site");
        requireNonNull(zone, "zone");
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}"))
        {
            throw new IllegalArgumentException("id: expected 1-63 letters, digits, '.', '_' or '-' starting with a "
                + "letter or digit, got \"" + id + "\"");
        }
    }

    /**
     * A node of unknown locality.
     *
     * @param id the node's name.
     */
    public NodeConfig(final String id)
    {
        this(id, "", "");
    }
}
