package io.mecmesh.slicemanager.model;

import io.mecmesh.slicemanager.model.CommandRejectedException.Category;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * Everything the operator declared: slices, services and nodes, and how many commands made it. Immutable:
 * {@link #apply(Command)} returns a new state, or throws {@link CommandRejectedException} and changes nothing.
 *
 * <p>Invariants: every service's slice exists; every service placed on a node exists; no two services take the same
 * (host, path prefix) route.
 */
public final class DesiredState
{
    private static final DesiredState EMPTY =
        new DesiredState(0, new TreeMap<>(), new TreeMap<>(), new TreeMap<>());

    private final long sequence;
    private final SortedMap<Snssai, Slice> slices;
    private final SortedMap<String, Service> services;
    private final SortedMap<String, Node> nodes;

    private DesiredState(
        final long sequence,
        final SortedMap<Snssai, Slice> slices,
        final SortedMap<String, Service> services,
        final SortedMap<String, Node> nodes)
    {
        this.sequence = sequence;
        this.slices = Collections.unmodifiableSortedMap(slices);
        this.services = Collections.unmodifiableSortedMap(services);
        this.nodes = Collections.unmodifiableSortedMap(nodes);
    }

    /**
     * The state before any command.
     *
     * @return the empty state, sequence 0.
     */
    public static DesiredState empty()
    {
        return EMPTY;
    }

    /**
     * A state as a snapshot holds it, checked against every invariant.
     *
     * @param sequence the number of commands applied to reach it.
     * @param slices   the slices.
     * @param services the services.
     * @param nodes    the nodes.
     * @return the state.
     * @throws CommandRejectedException if an invariant does not hold.
     */
    public static DesiredState of(
        final long sequence, final Collection<Slice> slices, final Collection<Service> services,
        final Collection<Node> nodes)
    {
        if (sequence < 0)
        {
            throw new IllegalArgumentException("sequence: expected 0 or more, got " + sequence);
        }
        DesiredState state = EMPTY;
        for (final Slice slice : slices)
        {
            state = state.apply(new Command.PutSlice(slice));
        }
        for (final Service service : services)
        {
            state = state.apply(new Command.PutService(service));
        }
        for (final Node node : nodes)
        {
            state = state.apply(new Command.PutNode(node));
        }
        return new DesiredState(sequence, new TreeMap<>(state.slices), new TreeMap<>(state.services),
            new TreeMap<>(state.nodes));
    }

    /**
     * Applies a command.
     *
     * @param command the command.
     * @return the new state, its sequence one more than this one's (a {@link Command.Batch} too: it is one command).
     * @throws CommandRejectedException naming the field, if the command is not valid in this state; for a batch, the
     *                                  field of the first member refused, prefixed with {@code commands[i].}, and
     *                                  none of the batch is applied.
     */
    public DesiredState apply(final Command command)
    {
        requireNonNull(command, "command");
        if (command instanceof Command.Batch batch)
        {
            DesiredState next = this;
            for (int i = 0; i < batch.commands().size(); i++)
            {
                try
                {
                    next = next.apply(batch.commands().get(i));
                }
                catch (final CommandRejectedException ex)
                {
                    throw new CommandRejectedException(ex.category(), "commands[" + i + "]." + ex.field(),
                        ex.reason());
                }
            }
            return new DesiredState(sequence + 1, new TreeMap<>(next.slices), new TreeMap<>(next.services),
                new TreeMap<>(next.nodes));
        }
        if (command instanceof Command.PutSlice put)
        {
            for (final Slice other : slices.values())
            {
                if (other.name().equals(put.slice().name()) && !other.snssai().equals(put.slice().snssai()))
                {
                    throw new CommandRejectedException(Category.CONFLICT, "slice.name", "\"" + other.name()
                        + "\" is already the name of slice " + other.snssai());
                }
            }
            final TreeMap<Snssai, Slice> copy = new TreeMap<>(slices);
            copy.put(put.slice().snssai(), put.slice());
            return new DesiredState(sequence + 1, copy, new TreeMap<>(services), new TreeMap<>(nodes));
        }
        if (command instanceof Command.DeleteSlice delete)
        {
            if (!slices.containsKey(delete.snssai()))
            {
                throw new CommandRejectedException(Category.NOT_FOUND, "snssai", "no slice " + delete.snssai());
            }
            final List<String> users = services.values().stream()
                .filter(service -> service.slice().equals(delete.snssai())).map(Service::name).toList();
            if (!users.isEmpty())
            {
                throw new CommandRejectedException(Category.CONFLICT, "snssai", "slice " + delete.snssai()
                    + " is used by services " + String.join(", ", users) + "; delete or move them first");
            }
            final TreeMap<Snssai, Slice> copy = new TreeMap<>(slices);
            copy.remove(delete.snssai());
            return new DesiredState(sequence + 1, copy, new TreeMap<>(services), new TreeMap<>(nodes));
        }
        if (command instanceof Command.PutService put)
        {
            final Service service = put.service();
            if (!slices.containsKey(service.slice()))
            {
                throw new CommandRejectedException(Category.INVALID, "service.slice", "no slice " + service.slice()
                    + " (slices: " + slices.keySet() + ")");
            }
            for (int i = 0; i < service.routes().size(); i++)
            {
                final ServiceRoute route = service.routes().get(i);
                for (final Service other : services.values())
                {
                    if (!other.name().equals(service.name()) && other.routes().contains(route))
                    {
                        throw new CommandRejectedException(Category.CONFLICT, "service.routes[" + i + "]",
                            "host \"" + route.host() + "\" path prefix \"" + route.pathPrefix()
                                + "\" is already routed to service \"" + other.name() + "\"");
                    }
                }
            }
            final TreeMap<String, Service> copy = new TreeMap<>(services);
            copy.put(service.name(), service);
            return new DesiredState(sequence + 1, new TreeMap<>(slices), copy, new TreeMap<>(nodes));
        }
        if (command instanceof Command.DeleteService delete)
        {
            if (!services.containsKey(delete.name()))
            {
                throw new CommandRejectedException(Category.NOT_FOUND, "name", "no service \"" + delete.name() + "\"");
            }
            final List<String> hosts = nodes.values().stream()
                .filter(node -> node.services().contains(delete.name())).map(Node::id).toList();
            if (!hosts.isEmpty())
            {
                throw new CommandRejectedException(Category.CONFLICT, "name", "service \"" + delete.name()
                    + "\" is placed on nodes " + String.join(", ", hosts) + "; remove it from them first");
            }
            final TreeMap<String, Service> copy = new TreeMap<>(services);
            copy.remove(delete.name());
            return new DesiredState(sequence + 1, new TreeMap<>(slices), copy, new TreeMap<>(nodes));
        }
        if (command instanceof Command.PutNode put)
        {
            final Node node = put.node();
            for (int i = 0; i < node.services().size(); i++)
            {
                if (!services.containsKey(node.services().get(i)))
                {
                    throw new CommandRejectedException(Category.INVALID, "node.services[" + i + "]",
                        "no service \"" + node.services().get(i) + "\"");
                }
            }
            final TreeMap<String, Node> copy = new TreeMap<>(nodes);
            copy.put(node.id(), node);
            return new DesiredState(sequence + 1, new TreeMap<>(slices), new TreeMap<>(services), copy);
        }
        final Command.DeleteNode delete = (Command.DeleteNode)command;
        if (!nodes.containsKey(delete.id()))
        {
            throw new CommandRejectedException(Category.NOT_FOUND, "id", "no node \"" + delete.id() + "\"");
        }
        final TreeMap<String, Node> copy = new TreeMap<>(nodes);
        copy.remove(delete.id());
        return new DesiredState(sequence + 1, new TreeMap<>(slices), new TreeMap<>(services), copy);
    }

    /**
     * How many commands were applied to reach this state.
     *
     * @return the sequence number of the last command, 0 for the empty state.
     */
    public long sequence()
    {
        return sequence;
    }

    public SortedMap<Snssai, Slice> slices()
    {
        return slices;
    }

    public SortedMap<String, Service> services()
    {
        return services;
    }

    public SortedMap<String, Node> nodes()
    {
        return nodes;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof DesiredState state && sequence == state.sequence && slices.equals(state.slices)
            && services.equals(state.services) && nodes.equals(state.nodes);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(sequence, slices, services, nodes);
    }

    @Override
    public String toString()
    {
        return "DesiredState{sequence=" + sequence + ", slices=" + slices.keySet() + ", services=" + services.keySet()
            + ", nodes=" + nodes.keySet() + "}";
    }
}
