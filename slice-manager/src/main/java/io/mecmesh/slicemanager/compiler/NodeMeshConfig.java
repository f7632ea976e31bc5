package io.mecmesh.slicemanager.compiler;

import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.policy.PolicyTable;
import io.mecmesh.dataplane.policy.PolicyTableWriter;
import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.slicemanager.model.AuthorizationPolicy;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * One node's compiled configuration: the data plane's {@link MeshConfig}, the per-slice policy records for its
 * policy table, and what the ids in them refer to.
 *
 * @param nodeId            the node.
 * @param version           increases whenever the content changes: the desired-state sequence number at which this
 *                          content was compiled (also {@code meshConfig.version()}).
 * @param contentHash       SHA-256, lower-case hex, over the canonical encoding of everything but the version.
 * @param meshConfig        listeners, routes (each with its {@code policyRouteId}), clusters and the classification
 *                          rules of the visible slices.
 * @param routes            per route of {@code meshConfig}, in the same order: its id, service and slice.
 * @param policies          the policy records: one slice-default record (route id 0) per visible slice, and one per
 *                          route.
 * @param authorizationSets what the policy records' authorization set ids 1..n refer to (0 is "any authenticated").
 * @param dnsRules          the ACTIVE MEC 011 DNS rules of the application instances the node hosts, for its MEC DNS
 *                          responder, by instance id then rule id.
 */
public record NodeMeshConfig(
    String nodeId,
    long version,
    String contentHash,
    MeshConfig meshConfig,
    List<RouteBinding> routes,
    List<SlicePolicy> policies,
    List<AuthorizationPolicy> authorizationSets,
    List<NodeDnsRule> dnsRules)
{
    public NodeMeshConfig
    {
        requireNonNull(nodeId, "nodeId");
        requireNonNull(contentHash, "contentHash");
        requireNonNull(meshConfig, "meshConfig");
        routes = List.copyOf(requireNonNull(routes, "routes"));
        policies = List.copyOf(requireNonNull(policies, "policies"));
        authorizationSets = List.copyOf(requireNonNull(authorizationSets, "authorizationSets"));
        dnsRules = List.copyOf(requireNonNull(dnsRules, "dnsRules"));
        if (!contentHash.matches("[0-9a-f]{64}"))
        {
            throw new IllegalArgumentException("contentHash: expected 64 lower-case hex digits, got \""
                + contentHash + "\"");
        }
        if (version != meshConfig.version())
        {
            throw new IllegalArgumentException("version: " + version + " differs from meshConfig.version "
                + meshConfig.version());
        }
    }

    /**
     * A configuration without DNS rules.
     *
     * @param nodeId            the node.
     * @param version           the version.
     * @param contentHash       SHA-256 of the content.
     * @param meshConfig        the data plane's configuration.
     * @param routes            the route bindings.
     * @param policies          the policy records.
     * @param authorizationSets the authorization sets.
     */
    public NodeMeshConfig(final String nodeId, final long version, final String contentHash,
        final MeshConfig meshConfig, final List<RouteBinding> routes, final List<SlicePolicy> policies,
        final List<AuthorizationPolicy> authorizationSets)
    {
        this(nodeId, version, contentHash, meshConfig, routes, policies, authorizationSets, List.of());
    }

    /**
     * Lays the policy records out in an off-heap table for the data plane: the appliance passes it to
     * {@code DataPlane.update(meshConfig, config.toPolicyTable(), drainMs)}, which swaps it with the routes.
     *
     * @return a new table, versioned like this configuration.
     */
    public PolicyTable toPolicyTable()
    {
        final PolicyTableWriter writer = new PolicyTableWriter(Math.max(1, policies.size()));
        policies.forEach(writer::add);
        return writer.build(version);
    }
}
