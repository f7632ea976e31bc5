package io.mecmesh.slicemanager.model;

import java.util.List;

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

    /**
     * Creates or replaces a MEC application instance (with its rules): an operator's pre-provisioning, or an
     * application's change of its own rules over Mp1.
     *
     * @param app the instance.
     */
    record PutApp(AppInstance app) implements Command
    {
        public PutApp
        {
            requireNonNull(app, "app");
        }
    }

    /**
     * Deletes a MEC application instance.
     *
     * @param id its {@code appInstanceId}.
     */
    record DeleteApp(String id) implements Command
    {
        public DeleteApp
        {
            requireNonNull(id, "id");
        }
    }

    /**
     * Creates or replaces a MEC 015 bandwidth allocation of an application instance.
     *
     * @param allocation the allocation.
     */
    record PutBwAllocation(BwAllocation allocation) implements Command
    {
        public PutBwAllocation
        {
            requireNonNull(allocation, "allocation");
        }
    }

    /**
     * Deletes a MEC 015 bandwidth allocation.
     *
     * @param id its {@code allocationId}.
     */
    record DeleteBwAllocation(String id) implements Command
    {
        public DeleteBwAllocation
        {
            requireNonNull(id, "id");
        }
    }

    /**
     * Several commands applied as one: all of them or none, under one sequence number and one journal entry, so that
     * a whole {@code mecmesh apply} can never be half applied.
     *
     * @param commands the members, applied in order; at least one, none of them a batch.
     */
    record Batch(List<Command> commands) implements Command
    {
        public Batch
        {
            commands = List.copyOf(requireNonNull(commands, "commands"));
            if (commands.isEmpty())
            {
                throw new IllegalArgumentException("commands: expected at least one command");
            }
            for (int i = 0; i < commands.size(); i++)
            {
                if (commands.get(i) instanceof Batch)
                {
                    throw new IllegalArgumentException("commands[" + i + "]: a batch cannot contain a batch");
                }
            }
        }
    }
}
