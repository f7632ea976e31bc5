package io.mecmesh.slicemanager.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.CommandRejectedException;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * What applying a document changes: one {@link Change} per object declared (and per object pruned), and the commands
 * that make the changes, in an order the state accepts (puts of slices, services, nodes; then deletes of nodes,
 * services, slices), to be submitted as one {@link Command.Batch}.
 *
 * @param changes  every object's change, unchanged ones included.
 * @param commands the commands of the changes that are not {@link Op#UNCHANGED}.
 * @param paths    for each command, the path of its object in the document ({@code services[1]}), or
 *                 {@code kind/name} for a delete.
 */
public record ApplyPlan(List<Change> changes, List<Command> commands, List<String> paths)
{
    private static final Pattern MEMBER = Pattern.compile("commands\\[(\\d+)]\\.(?:(?:slice|service|node|app)\\.)?(.*)");

    public ApplyPlan
    {
        changes = List.copyOf(requireNonNull(changes, "changes"));
        commands = List.copyOf(requireNonNull(commands, "commands"));
        paths = List.copyOf(requireNonNull(paths, "paths"));
        if (commands.size() != paths.size())
        {
            throw new IllegalArgumentException("paths: expected one per command");
        }
    }

    /** What happens to one object. */
    public enum Op
    {
        CREATE, UPDATE, DELETE, UNCHANGED;

        /**
         * @return the name in the API, e.g. {@code create}.
         */
        public String text()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One object's change.
     *
     * @param op     what happens to it.
     * @param kind   {@code slice}, {@code service} or {@code node}.
     * @param name   the slice's name, the service's name or the node's id.
     * @param before the object as the state has it (empty for a create).
     * @param after  the object as the document declares it (empty for a delete).
     */
    public record Change(Op op, String kind, String name, Optional<ObjectNode> before, Optional<ObjectNode> after)
    {
        public Change
        {
            requireNonNull(op, "op");
            requireNonNull(kind, "kind");
            requireNonNull(name, "name");
            requireNonNull(before, "before");
            requireNonNull(after, "after");
        }
    }

    /**
     * Whether applying changes anything.
     *
     * @return false when every object is unchanged.
     */
    public boolean hasChanges()
    {
        return !commands.isEmpty();
    }

    /**
     * The one command to submit.
     *
     * @return a batch of {@link #commands()}.
     * @throws IllegalStateException if nothing changes.
     */
    public Command.Batch batch()
    {
        if (commands.isEmpty())
        {
            throw new IllegalStateException("nothing changes: no command to submit");
        }
        return new Command.Batch(commands);
    }

    /**
     * Re-roots the refusal of a batch member in the document: {@code commands[2].service.slice} becomes
     * {@code services[0].slice}.
     *
     * @param rejected the state's refusal of {@link #batch()}.
     * @return the field in the document's terms.
     */
    public String documentField(final CommandRejectedException rejected)
    {
        final Matcher matcher = MEMBER.matcher(rejected.field());
        if (!matcher.matches())
        {
            return rejected.field();
        }
        final int index = Integer.parseInt(matcher.group(1));
        if (index >= paths.size())
        {
            return rejected.field();
        }
        final String path = paths.get(index);
        final Command command = commands.get(index);
        final boolean delete = command instanceof Command.DeleteSlice || command instanceof Command.DeleteService
            || command instanceof Command.DeleteNode || command instanceof Command.DeleteApp;
        return delete || matcher.group(2).isEmpty() ? path : path + "." + matcher.group(2);
    }
}
