package io.mecmesh.slicemanager.compiler;

import io.mecmesh.slicemanager.model.DesiredState;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * The result of one compilation: every node's configuration, and the desired state and settings it was compiled
 * from (the next compilation compares against them to recompile only what changed).
 *
 * @param source   the desired state compiled.
 * @param settings the settings compiled with.
 * @param nodes    each node's configuration, by node id.
 */
public record CompiledMesh(DesiredState source, CompilerSettings settings, SortedMap<String, NodeMeshConfig> nodes)
{
    public CompiledMesh
    {
        requireNonNull(source, "source");
        requireNonNull(settings, "settings");
        nodes = Collections.unmodifiableSortedMap(new TreeMap<>(requireNonNull(nodes, "nodes")));
    }

    /**
     * Nothing compiled yet.
     *
     * @param settings the settings.
     * @return a result without nodes, for the empty desired state.
     */
    public static CompiledMesh empty(final CompilerSettings settings)
    {
        return new CompiledMesh(DesiredState.empty(), settings, new TreeMap<>());
    }
}
