package io.mecmesh.slicemanager.model;

import io.mecmesh.dataplane.identity.SpiffeId;

import java.util.regex.Pattern;

/**
 * The naming rule of node identities, shared by the CA (which issues them) and the compiler (which names the peer
 * of a mesh hop), kept in the model so that neither package depends on the other.
 */
public final class NodeSpiffeIds
{
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,63}");

    private NodeSpiffeIds()
    {
    }

    /**
     * The SPIFFE id of a node: {@code spiffe://<trust-domain>/site/<site>/node/<node-id>}.
     *
     * @param trustDomain the trust domain.
     * @param site        the node's site.
     * @param nodeId      the node's id.
     * @return the id.
     * @throws IllegalArgumentException if site or node id is not a valid path segment ({@code [A-Za-z0-9._-]}).
     */
    public static SpiffeId of(final String trustDomain, final String site, final String nodeId)
    {
        segment(site, "site");
        segment(nodeId, "nodeId");
        return new SpiffeId(trustDomain, "/site/" + site + "/node/" + nodeId);
    }

    /**
     * Checks one path segment of a node identity.
     *
     * @param value the segment.
     * @param name  the field it came from, named in the error.
     * @throws IllegalArgumentException if it is not 1 to 63 characters of {@code [A-Za-z0-9._-]}.
     */
    public static void segment(final String value, final String name)
    {
        if (value == null || !SEGMENT.matcher(value).matches())
        {
            throw new IllegalArgumentException(name + ": \"" + value
                + "\" is not a path segment of 1 to 63 characters [A-Za-z0-9._-]");
        }
    }
}
