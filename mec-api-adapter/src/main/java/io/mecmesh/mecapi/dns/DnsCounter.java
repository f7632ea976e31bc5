package io.mecmesh.mecapi.dns;

import java.util.Locale;

/** What became of each query the MEC DNS responder received (exported as {@code mecmesh_dns_queries_total{outcome}}). */
public enum DnsCounter
{
    /** Answered from an ACTIVE DNS rule of an application on this node (A or AAAA). */
    RULE_ANSWER,
    /** Answered with the local listener's address for a mesh service name. */
    MESH_ANSWER,
    /** A name the node answers, but not for the type asked (NOERROR, no answer). */
    NO_DATA,
    /** A name of a local zone ({@code localZones}) that is neither a rule's nor a mesh name: NXDOMAIN with the SOA. */
    NXDOMAIN,
    /** The SOA of a local zone, asked at its apex. */
    ZONE_SOA,
    /** Forwarded, and the upstream's answer relayed. */
    FORWARDED,
    /** Forwarded, and every upstream failed or timed out: SERVFAIL. */
    UPSTREAM_FAILURE,
    /** Not a local name and no upstream configured: REFUSED. */
    REFUSED_NO_UPSTREAM,
    /** AXFR or IXFR: REFUSED. */
    REFUSED_ZONE_TRANSFER,
    /** The client address went over its queries per second: REFUSED. */
    REFUSED_RATE_LIMITED,
    /** An opcode other than QUERY, or not exactly one question: NOTIMP / FORMERR. */
    NOT_IMPLEMENTED,
    /** Bytes that do not decode as a DNS query: dropped. */
    MALFORMED;

    /**
     * @return the label value, lower case.
     */
    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
