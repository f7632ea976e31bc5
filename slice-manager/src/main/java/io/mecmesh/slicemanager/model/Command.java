package io.mecmesh.slicemanager.model;

import static java.util.Objects.requireNonNull;

/**
 * A change to the desired state, as an operator or the MEC API asks for it. {@link DesiredState#apply(Command)}
 * validates it against the current state; an accepted command is journaled before it is acknowledged.
 */
public sealed interface Command
{
    /**
     * Creates or replaces a slice.
     *
     * @param slice the slice.
     */
    record PutSlice(Slice slice) implements Command
    {
        public PutSlice
        {
            requireNonNull(slice, "slice");
        }
    }

    /**
     * Deletes a slice no service uses.
     *
     * @param snssai the slice's S-NSSAI.
     */
    record DeleteSlice(Snssai snssai) implements Command
    {
        public DeleteSlice
        {
            requireNonNull(snssai, "snssai");
        }
    }

    /**
     * Creates or replaces a service.
     *
     * @param service the service.
     */
    record PutService(Service service) implements Command
    {
        public PutService
        {
            requireNonNull(service, "service");
        }
    }

    /**
     * Deletes a service placed on no node.
     *
     * @param name the service's name.
     */
    record DeleteService(String name) implements Command
    {
        public DeleteService
        {
            requireNonNull(name, "name");
        }
    }

    /**
     * Creates or replaces a node and its placements.
     *
     * @param node the node.
     */
    record PutNode(Node node) implements Command
    {
        public PutNode
        {
            requireNonNull(node, "node");
        }
    }

    /**
     * Deletes a node.
     *
     * @param id the node's id.
     */
    record DeleteNode(String id) implements Command
    {
        public DeleteNode
        {
            requireNonNull(id, "id");
        }
    }
}
