package io.mecmesh.dataplane.cluster;

import static java.util.Objects.requireNonNull;

/**
 * Where a node or an endpoint is: a site (one MEC host location, such as a cell site or a central office) inside a
 * zone (a group of sites, such as a metro area). Empty parts are unknown.
 *
 * @param site the site, or empty.
 * @param zone the zone, or empty.
 */
public record Locality(String site, String zone)
{
    /** Nowhere in particular. */
    public static final Locality UNKNOWN = new Locality("", "");

    public Locality
    {
        requireNonNull(site, "site");
        requireNonNull(zone, "zone");
    }
}
