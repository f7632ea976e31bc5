package io.mecmesh.slicemanager.agent;

import io.mecmesh.slicemanager.compiler.NodeMeshConfig;

/**
 * Swaps a validated configuration into the data plane. The appliance implements it with one call,
 * {@code DataPlane.update(meshConfig, config.toPolicyTable(), drainMs)}: the configuration's routes, clusters,
 * classification rules and policy table become current together, as one snapshot.
 * Called on the node agent's thread, after the configuration was persisted as last known good.
 */
@FunctionalInterface
public interface ConfigApplier
{
    /**
     * @param config the configuration to run.
     * @throws RuntimeException if the data plane refuses it (it must then keep running its current one).
     */
    void apply(NodeMeshConfig config);
}
