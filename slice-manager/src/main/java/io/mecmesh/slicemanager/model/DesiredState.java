package io.mecmesh.slicemanager.model;

import io.mecmesh.slicemanager.model.CommandRejectedException.Category;
import org.pcollections.HashPMap;
import org.pcollections.HashTreePMap;
import org.pcollections.TreePMap;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;

import static java.util.Objects.requireNonNull;

/**
 * Everything the operator declared: slices, services and nodes, and how many commands made it. Immutable:
 * {@link #apply(Command)} returns a new state, or throws {@link CommandRejectedException} and changes nothing.
 *
 * <p>Invariants: every service's slice exists; every service placed on a node exists; every MEC application
 * instance's node and slice exist; every bandwidth allocation's instance exists; no two services take the same
 * (host, path prefix) route.
 *
 * <p>The maps are persistent (pcollections): a command costs O(log n) per object it touches, whatever the size of
 * the state, and a new state shares everything it did not change with the one before it (an unchanged object is
 * the same instance in both, which the incremental compiler relies on). An index of the routes' owners makes the
 * route check O(routes of the service).
 */
public final class DesiredState
{
    private static final DesiredState EMPTY = new DesiredState(0, TreePMap.empty(), TreePMap.empty(),
        TreePMap.empty(), HashTreePMap.empty(), TreePMap.empty(), TreePMap.empty());

    private final long sequence;
    private final TreePMap<Snssai, Slice> slices;
    private final TreePMap<String, Service> services;
    private final TreePMap<String, Node> nodes;
    private final HashPMap<ServiceRoute, String> routeOwners;
    private final TreePMap<String, AppInstance> apps;
    private final TreePMap<String, BwAllocation> bwAllocations;

    private DesiredState(
        final long sequence,
        final TreePMap<Snssai, Slice> slices,
        final TreePMap<String, Service> services,
        final TreePMap<String, Node> nodes,
        final HashPMap<ServiceRoute, String> routeOwners,
        final TreePMap<String, AppInstance> apps,
        final TreePMap<String, BwAllocation> bwAllocations)
    {
        this.sequence = sequence;
        this.slices = slices;
        this.services = services;
        this.nodes = nodes;
        this.routeOwners = routeOwners;
        this.apps = apps;
        this.bwAllocations = bwAllocations;
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
        return of(sequence, slices, services, nodes, List.of());
    }

    /**
     * A state as a snapshot holds it, MEC application instances included, checked against every invariant.
     *
     * @param sequence the number of commands applied to reach it.
     * @param slices   the slices.
     * @param services the services.
     * @param nodes    the nodes.
     * @param apps     the MEC application instances.
     * @return the state.
     * @throws CommandRejectedException if an invariant does not hold.
     */
    public static DesiredState of(
        final long sequence, final Collection<Slice> slices, final Collection<Service> services,
        final Collection<Node> nodes, final Collection<AppInstance> apps)
    {
        return of(sequence, slices, services, nodes, apps, List.of());
    }

    /**
     * A state as a snapshot holds it, MEC application instances and their MEC 015 bandwidth allocations included,
     * checked against every invariant.
     *
     * @param sequence      the number of commands applied to reach it.
     * @param slices        the slices.
     * @param services      the services.
     * @param nodes         the nodes.
     * @param apps          the MEC application instances.
     * @param bwAllocations the bandwidth allocations.
     * @return the state.
     * @throws CommandRejectedException if an invariant does not hold.
     */
    public static DesiredState of(
        final long sequence, final Collection<Slice> slices, final Collection<Service> services,
        final Collection<Node> nodes, final Collection<AppInstance> apps,
        final Collection<BwAllocation> bwAllocations)
    {
        if (sequence < 0)
        {
            throw new IllegalArgumentException("sequence: expected 0 or more, got " + sequence);
        }
        final Draft draft = new Draft(EMPTY);
        for (final Slice slice : slices)
        {
            draft.apply(new Command.PutSlice(slice));
        }
        for (final Service service : services)
        {
            draft.apply(new Command.PutService(service));
        }
        for (final Node node : nodes)
        {
            draft.apply(new Command.PutNode(node));
        }
        for (final AppInstance app : apps)
        {
            draft.apply(new Command.PutApp(app));
        }
        for (final BwAllocation allocation : bwAllocations)
        {
            draft.apply(new Command.PutBwAllocation(allocation));
        }
        draft.requireNoDisplacedRoute(-1);
        return draft.toState(sequence);
    }

    /**
     * Applies a command.
     *
     * <p>A {@link Command.Batch} is applied member by member, each validated against the state the earlier members
     * left, except the route rule, which holds for the batch's result: a batch may move a route from one service to
     * another (the service that gives it up may come after the one that takes it).
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
        final Draft draft = new Draft(this);
        if (command instanceof Command.Batch batch)
        {
            for (int i = 0; i < batch.commands().size(); i++)
            {
                try
                {
                    draft.member = i;
                    draft.apply(batch.commands().get(i));
                }
                catch (final CommandRejectedException ex)
                {
                    throw new CommandRejectedException(ex.category(), "commands[" + i + "]." + ex.field(),
                        ex.reason());
                }
            }
            draft.requireNoDisplacedRoute(0);
        }
        else
        {
            draft.apply(command);
            draft.requireNoDisplacedRoute(-1);
        }
        return draft.toState(sequence + 1);
    }

    /**
     * A state being changed by one command (or one batch): persistent maps replaced as members apply, and the routes
     * a put took from another service, checked once every member has applied.
     */
    private static final class Draft
    {
        private TreePMap<Snssai, Slice> slices;
        private TreePMap<String, Service> services;
        private TreePMap<String, Node> nodes;
        private HashPMap<ServiceRoute, String> routeOwners;
        private TreePMap<String, AppInstance> apps;
        private TreePMap<String, BwAllocation> bwAllocations;
        private final List<Displaced> displaced = new ArrayList<>();
        private int member = -1;

        Draft(final DesiredState from)
        {
            slices = from.slices;
            services = from.services;
            nodes = from.nodes;
            routeOwners = from.routeOwners;
            apps = from.apps;
            bwAllocations = from.bwAllocations;
        }

        DesiredState toState(final long sequence)
        {
            return new DesiredState(sequence, slices, services, nodes, routeOwners, apps, bwAllocations);
        }

        void apply(final Command command)
        {
            if (command instanceof Command.PutSlice put)
            {
                putSlice(put.slice());
            }
            else if (command instanceof Command.DeleteSlice delete)
            {
                deleteSlice(delete.snssai());
            }
            else if (command instanceof Command.PutService put)
            {
                putService(put.service());
            }
            else if (command instanceof Command.DeleteService delete)
            {
                deleteService(delete.name());
            }
            else if (command instanceof Command.PutNode put)
            {
                putNode(put.node());
            }
            else if (command instanceof Command.DeleteNode delete)
            {
                if (!nodes.containsKey(delete.id()))
                {
                    throw new CommandRejectedException(Category.NOT_FOUND, "id", "no node \"" + delete.id() + "\"");
                }
                final List<String> hosted = apps.values().stream()
                    .filter(app -> app.node().equals(delete.id())).map(AppInstance::id).toList();
                if (!hosted.isEmpty())
                {
                    throw new CommandRejectedException(Category.CONFLICT, "id", "node \"" + delete.id()
                        + "\" hosts application instances " + String.join(", ", hosted) + "; delete or move them first");
                }
                nodes = nodes.minus(delete.id());
            }
            else if (command instanceof Command.PutApp put)
            {
                putApp(put.app());
            }
            else if (command instanceof Command.DeleteApp delete)
            {
                if (!apps.containsKey(delete.id()))
                {
                    throw new CommandRejectedException(Category.NOT_FOUND, "id", "no application instance \""
                        + delete.id() + "\"");
                }
                apps = apps.minus(delete.id());
                // An application's bandwidth allocations end with it (MEC 015 has no allocation without its owner).
                for (final BwAllocation allocation : bwAllocations.values())
                {
                    if (allocation.appInstanceId().equals(delete.id()))
                    {
                        bwAllocations = bwAllocations.minus(allocation.id());
                    }
                }
            }
            else if (command instanceof Command.PutBwAllocation put)
            {
                putBwAllocation(put.allocation());
            }
            else if (command instanceof Command.DeleteBwAllocation delete)
            {
                if (!bwAllocations.containsKey(delete.id()))
                {
                    throw new CommandRejectedException(Category.NOT_FOUND, "id", "no bandwidth allocation \""
                        + delete.id() + "\"");
                }
                bwAllocations = bwAllocations.minus(delete.id());
            }
            else
            {
                throw new IllegalArgumentException("commands: a batch cannot contain a batch");
            }
        }

        private void putSlice(final Slice slice)
        {
            for (final Slice other : slices.values())
            {
                if (other.name().equals(slice.name()) && !other.snssai().equals(slice.snssai()))
                {
                    throw new CommandRejectedException(Category.CONFLICT, "slice.name", "\"" + other.name()
                        + "\" is already the name of slice " + other.snssai());
                }
            }
            slices = slices.plus(slice.snssai(), slice);
        }

        private void deleteSlice(final Snssai snssai)
        {
            if (!slices.containsKey(snssai))
            {
                throw new CommandRejectedException(Category.NOT_FOUND, "snssai", "no slice " + snssai);
            }
            final List<String> users = services.values().stream()
                .filter(service -> service.slice().equals(snssai)).map(Service::name).toList();
            if (!users.isEmpty())
            {
                throw new CommandRejectedException(Category.CONFLICT, "snssai", "slice " + snssai
                    + " is used by services " + String.join(", ", users) + "; delete or move them first");
            }
            final List<String> appUsers = apps.values().stream()
                .filter(app -> app.slice().equals(snssai)).map(AppInstance::id).toList();
            if (!appUsers.isEmpty())
            {
                throw new CommandRejectedException(Category.CONFLICT, "snssai", "slice " + snssai
                    + " is used by application instances " + String.join(", ", appUsers) + "; delete or move them "
                    + "first");
            }
            slices = slices.minus(snssai);
        }

        private void putService(final Service service)
        {
            if (!slices.containsKey(service.slice()))
            {
                throw new CommandRejectedException(Category.INVALID, "service.slice", "no slice " + service.slice()
                    + " (slices: " + slices.keySet() + ")");
            }
            releaseRoutes(services.get(service.name()));
            for (int i = 0; i < service.routes().size(); i++)
            {
                final ServiceRoute route = service.routes().get(i);
                final String owner = routeOwners.get(route);
                if (owner != null && !owner.equals(service.name()))
                {
                    displaced.add(new Displaced(member, i, route, service.name(), owner));
                }
                routeOwners = routeOwners.plus(route, service.name());
            }
            services = services.plus(service.name(), service);
        }

        private void deleteService(final String name)
        {
            final Service service = services.get(name);
            if (service == null)
            {
                throw new CommandRejectedException(Category.NOT_FOUND, "name", "no service \"" + name + "\"");
            }
            final List<String> hosts = nodes.values().stream()
                .filter(node -> node.services().contains(name)).map(Node::id).toList();
            if (!hosts.isEmpty())
            {
                throw new CommandRejectedException(Category.CONFLICT, "name", "service \"" + name
                    + "\" is placed on nodes " + String.join(", ", hosts) + "; remove it from them first");
            }
            releaseRoutes(service);
            services = services.minus(name);
        }

        /** Forgets the routes a service owns (not those another service took from it since). */
        private void releaseRoutes(final Service service)
        {
            if (service == null)
            {
                return;
            }
            for (final ServiceRoute route : service.routes())
            {
                if (service.name().equals(routeOwners.get(route)))
                {
                    routeOwners = routeOwners.minus(route);
                }
            }
        }

        private void putApp(final AppInstance app)
        {
            if (!nodes.containsKey(app.node()))
            {
                throw new CommandRejectedException(Category.INVALID, "app.node", "no node \"" + app.node() + "\"");
            }
            if (!slices.containsKey(app.slice()))
            {
                throw new CommandRejectedException(Category.INVALID, "app.slice", "no slice " + app.slice()
                    + " (slices: " + slices.keySet() + ")");
            }
            apps = apps.plus(app.id(), app);
        }

        /**
         * An allocation for an existing instance, within its slice's MBR in each direction it asks for and, in a GBR
         * slice, with the allocations of that slice on the instance's node (uplink plus downlink) within the node's
         * {@code qos.linkCapacityBps} (when the node declares one).
         */
        private void putBwAllocation(final BwAllocation allocation)
        {
            final AppInstance app = apps.get(allocation.appInstanceId());
            if (app == null)
            {
                throw new CommandRejectedException(Category.INVALID, "appInsId", "no application instance \""
                    + allocation.appInstanceId() + "\"");
            }
            final Slice slice = slices.get(app.slice());
            final BitRates rates = slice.bitRates();
            if (rates.mbrDownlinkBps() > 0 && allocation.downlinkBps() > rates.mbrDownlinkBps())
            {
                throw new CommandRejectedException(Category.INVALID, "fixedAllocation", allocation.downlinkBps()
                    + " bps downlink is over the downlink MBR of slice " + slice.snssai() + " (" + slice.name() + "), "
                    + rates.mbrDownlinkBps() + " bps");
            }
            if (rates.mbrUplinkBps() > 0 && allocation.uplinkBps() > rates.mbrUplinkBps())
            {
                throw new CommandRejectedException(Category.INVALID, "fixedAllocation", allocation.uplinkBps()
                    + " bps uplink is over the uplink MBR of slice " + slice.snssai() + " (" + slice.name() + "), "
                    + rates.mbrUplinkBps() + " bps");
            }
            final Node node = nodes.get(app.node());
            if (rates.hasGbr() && node.linkCapacityBps() > 0)
            {
                long sum = allocation.uplinkBps() + allocation.downlinkBps();
                for (final BwAllocation other : bwAllocations.values())
                {
                    final AppInstance owner = apps.get(other.appInstanceId());
                    if (!other.id().equals(allocation.id()) && owner != null && owner.node().equals(app.node())
                        && owner.slice().equals(app.slice()))
                    {
                        sum += other.uplinkBps() + other.downlinkBps();
                    }
                }
                if (sum > node.linkCapacityBps())
                {
                    throw new CommandRejectedException(Category.INVALID, "fixedAllocation", "the allocations of GBR "
                        + "slice " + slice.snssai() + " (" + slice.name() + ") on node \"" + node.id() + "\" would sum "
                        + "to " + sum + " bps (uplink plus downlink), over the node's qos.linkCapacityBps "
                        + node.linkCapacityBps() + " bps");
                }
            }
            bwAllocations = bwAllocations.plus(allocation.id(), allocation);
        }

        private void putNode(final Node node)
        {
            for (int i = 0; i < node.services().size(); i++)
            {
                if (!services.containsKey(node.services().get(i)))
                {
                    throw new CommandRejectedException(Category.INVALID, "node.services[" + i + "]",
                        "no service \"" + node.services().get(i) + "\"");
                }
            }
            nodes = nodes.plus(node.id(), node);
        }

        /**
         * A route a put took from a service that, once every member applied, still declares it: the first such
         * route is refused.
         *
         * @param prefixFrom 0 to name the field of a batch's member ({@code commands[i].}), -1 for a single command.
         */
        void requireNoDisplacedRoute(final int prefixFrom)
        {
            for (final Displaced taken : displaced)
            {
                final Service previous = services.get(taken.previousOwner());
                final Service taker = services.get(taken.taker());
                if (previous != null && previous.routes().contains(taken.route())
                    && taker != null && taker.routes().contains(taken.route()))
                {
                    final String field = (prefixFrom >= 0 ? "commands[" + taken.member() + "]." : "")
                        + "service.routes[" + taken.index() + "]";
                    throw new CommandRejectedException(Category.CONFLICT, field, "host \"" + taken.route().host()
                        + "\" path prefix \"" + taken.route().pathPrefix() + "\" is already routed to service \""
                        + taken.previousOwner() + "\"");
                }
            }
        }
    }

    /** A route {@code taker} declared while {@code previousOwner} held it (member and route index for errors). */
    private record Displaced(int member, int index, ServiceRoute route, String taker, String previousOwner)
    {
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

    /**
     * @return the MEC application instances, by {@code appInstanceId}.
     */
    public SortedMap<String, AppInstance> apps()
    {
        return apps;
    }

    /**
     * @return the MEC 015 bandwidth allocations, by {@code allocationId}.
     */
    public SortedMap<String, BwAllocation> bwAllocations()
    {
        return bwAllocations;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof DesiredState state && sequence == state.sequence && slices.equals(state.slices)
            && services.equals(state.services) && nodes.equals(state.nodes) && apps.equals(state.apps)
            && bwAllocations.equals(state.bwAllocations);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(sequence, slices, services, nodes, apps, bwAllocations);
    }

    @Override
    public String toString()
    {
        return "DesiredState{sequence=" + sequence + ", slices=" + slices.keySet() + ", services=" + services.keySet()
            + ", nodes=" + nodes.keySet() + ", apps=" + apps.keySet() + ", bwAllocations=" + bwAllocations.keySet()
            + "}";
    }
}
