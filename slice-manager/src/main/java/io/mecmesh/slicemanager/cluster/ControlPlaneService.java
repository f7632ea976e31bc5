package io.mecmesh.slicemanager.cluster;

import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.mecmesh.slicemanager.journal.CommandJournal;
import io.mecmesh.slicemanager.journal.DesiredStateMachine;
import io.mecmesh.slicemanager.journal.JournalCodec;
import io.mecmesh.slicemanager.journal.SnapshotStore;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.CommandRejectedException;
import io.mecmesh.slicemanager.model.DesiredState;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The desired state as an Aeron Cluster service (slice-manager/DESIGN-ha.md 1.1-1.4): every committed
 * {@link ClusterEnvelope} is applied, in log order, through the same {@link DesiredStateMachine} the single-process
 * conductor uses, and answered once on the caller's session (followers' replies are mocked by Aeron, so one reply
 * leaves the cluster).
 *
 * <ul>
 *   <li>Exactly once by request id: the outcome of every ACCEPTED or REJECTED request is kept (the last
 *   {@code outcomeCapacity} request ids, in the snapshot); a retried id is answered with the original outcome,
 *   marked duplicate, and changes nothing. A CONFLICT is not kept (nothing changed; a retry is a new decision).</li>
 *   <li>Snapshots through the cluster's mechanism ({@link #onTakeSnapshot}, loaded in {@link #onStart}): the state
 *   as {@link JournalCodec#encode(DesiredState)} plus the request-id table; each one is also written to the local
 *   {@link SnapshotStore}, so {@code journal replay} keeps working offline.</li>
 *   <li>The Chronicle {@link CommandJournal} is a derived local record: an accepted command is appended after it is
 *   applied, unless the journal already has its sequence (the log replayed after a restart).</li>
 * </ul>
 *
 * <p>Confined to the service container's thread, except {@link #state()}, {@link #appliedSequence()} and
 * {@link #role()}, which any thread may read. Deterministic: no clock, no random, no hash order in what it applies.
 */
public final class ControlPlaneService implements ClusteredService
{
    /** Request ids remembered for exactly-once replies (DESIGN-ha.md 1.3). */
    public static final int DEFAULT_OUTCOME_CAPACITY = 100_000;

    private static final Logger LOG = LoggerFactory.getLogger(ControlPlaneService.class);
    /** "MCS1": the snapshot's framing. */
    private static final int SNAPSHOT_MAGIC = 0x4D435331;
    private static final int SNAPSHOT_FORMAT = 1;
    private static final int REPLY_ATTEMPTS = 1_000;

    /**
     * Hears the state after each change, on the service's thread (the slice manager compiles and publishes there).
     */
    @FunctionalInterface
    public interface StateListener
    {
        /**
         * @param state the state just installed.
         */
        void onState(DesiredState state);
    }

    private final Path stateDirectory;
    private final StateListener listener;
    private final int outcomeCapacity;
    private final DesiredStateMachine machine = new DesiredStateMachine(DesiredState.empty());
    private final Map<UUID, Outcome> outcomes;
    private final ClusterEnvelope envelope = new ClusterEnvelope();
    private volatile Cluster.Role role = Cluster.Role.FOLLOWER;
    private volatile long appliedSequence;
    private Cluster cluster;
    private IdleStrategy idle;
    private volatile CommandJournal journal;
    private SnapshotStore snapshots;
    private volatile long journaledSequence;
    private volatile long leadershipTermId;
    private volatile int leaderMemberId = -1;

    /**
     * @param stateDirectory  where the journal ({@code journal/}) and local snapshots ({@code snapshots/}) live.
     * @param listener        hears the state after each change (on the service's thread; must not block long).
     * @param outcomeCapacity how many request ids are remembered for exactly-once replies.
     */
    public ControlPlaneService(final Path stateDirectory, final StateListener listener, final int outcomeCapacity)
    {
        this.stateDirectory = requireNonNull(stateDirectory, "stateDirectory");
        this.listener = requireNonNull(listener, "listener");
        if (outcomeCapacity < 1)
        {
            throw new IllegalArgumentException("outcomeCapacity: at least 1, was " + outcomeCapacity);
        }
        this.outcomeCapacity = outcomeCapacity;
        this.outcomes = new LinkedHashMap<>(16, 0.75f, false)
        {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(final Map.Entry<UUID, Outcome> eldest)
            {
                return size() > ControlPlaneService.this.outcomeCapacity;
            }
        };
    }

    @Override
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        this.idle = cluster.idleStrategy();
        snapshots = new SnapshotStore(stateDirectory.resolve("snapshots"));
        journal = CommandJournal.open(stateDirectory.resolve("journal"));
        journaledSequence = journal.replay(0, (sequence, command) ->
        {
        });
        if (snapshotImage != null)
        {
            loadSnapshot(snapshotImage);
        }
        installed();
        LOG.info("control-plane service started at state version {} (journal at {})", appliedSequence,
            journaledSequence);
    }

    @Override
    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
    }

    @Override
    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
    }

    @Override
    public void onSessionMessage(final ClientSession session, final long timestamp, final DirectBuffer buffer,
        final int offset, final int length, final Header header)
    {
        envelope.wrap(buffer, offset, length);
        if (!envelope.isWellFormed() || envelope.type() == ClusterEnvelope.TYPE_REPLY)
        {
            LOG.warn("control-plane service: ignored a malformed message of {} bytes at log position {}", length,
                header.position());
            return;
        }
        final UUID requestId = envelope.requestId();
        final Outcome outcome = decide(requestId, header.position());
        reply(session, requestId, outcome);
    }

    private Outcome decide(final UUID requestId, final long logPosition)
    {
        final Outcome known = outcomes.get(requestId);
        if (known != null)
        {
            return known.asDuplicate();
        }
        final DesiredState before = machine.state();
        final int type = envelope.type();
        if (type == ClusterEnvelope.TYPE_READ_BARRIER)
        {
            return Outcome.accepted(before.sequence(), leadershipTermId, logPosition);
        }
        final long basedOn = envelope.basedOnSequence();
        if (basedOn != 0 && basedOn != before.sequence())
        {
            return Outcome.conflict(before.sequence(), leadershipTermId, logPosition);
        }
        Outcome outcome;
        try
        {
            if (type == ClusterEnvelope.TYPE_SEED)
            {
                outcome = seed(envelope.body(), logPosition);
            }
            else
            {
                final Command command = JournalCodec.decodeCommand(envelope.body());
                final long sequence = machine.apply(command);
                journal(sequence, command);
                outcome = Outcome.accepted(sequence, leadershipTermId, logPosition);
            }
        }
        catch (final CommandRejectedException ex)
        {
            outcome = Outcome.rejected(ex, before.sequence(), leadershipTermId, logPosition);
        }
        catch (final IllegalArgumentException ex)
        {
            outcome = Outcome.rejected(new CommandRejectedException(CommandRejectedException.Category.INVALID,
                "command", String.valueOf(ex.getMessage())), before.sequence(), leadershipTermId, logPosition);
        }
        outcomes.put(requestId, outcome);
        if (outcome.kind() == Outcome.Kind.ACCEPTED)
        {
            installed();
        }
        return outcome;
    }

    private Outcome seed(final byte[] document, final long logPosition)
    {
        if (machine.state().sequence() != 0)
        {
            throw new CommandRejectedException(CommandRejectedException.Category.CONFLICT, "seed",
                "the cluster's state is not empty (version " + machine.state().sequence() + ")");
        }
        final DesiredState seeded = JournalCodec.decodeState(document);
        machine.reset(seeded);
        return Outcome.accepted(seeded.sequence(), leadershipTermId, logPosition);
    }

    /** The journal is a derived record: a failure to append is logged, never undoes a committed entry. */
    private void journal(final long sequence, final Command command)
    {
        if (sequence <= journaledSequence)
        {
            return;
        }
        try
        {
            journal.append(sequence, command);
            journaledSequence = sequence;
        }
        catch (final RuntimeException ex)
        {
            LOG.error("control-plane service: command {} is committed and applied but not in the local journal: {}",
                sequence, ex.getMessage());
        }
    }

    private void installed()
    {
        final DesiredState state = machine.state();
        appliedSequence = state.sequence();
        listener.onState(state);
    }

    private void reply(final ClientSession session, final UUID requestId, final Outcome outcome)
    {
        if (session == null)
        {
            return;
        }
        final byte[] message = ClusterEnvelope.encode(ClusterEnvelope.TYPE_REPLY, requestId, 0, "",
            outcome.encode());
        final UnsafeBuffer buffer = new UnsafeBuffer(message);
        idle.reset();
        for (int attempt = 0; attempt < REPLY_ATTEMPTS; attempt++)
        {
            final long result = session.offer(buffer, 0, message.length);
            if (result > 0 || result == ClientSession.MOCKED_OFFER)
            {
                return;
            }
            if (result == Publication.NOT_CONNECTED || result == Publication.CLOSED
                || result == Publication.MAX_POSITION_EXCEEDED || session.isClosing())
            {
                break;
            }
            idle.idle();
        }
        // The caller's retry with the same request id gets the stored outcome.
        LOG.warn("control-plane service: reply to request {} not sent (session {})", requestId, session.id());
    }

    @Override
    public void onTimerEvent(final long correlationId, final long timestamp)
    {
    }

    @Override
    public void onTakeSnapshot(final ExclusivePublication publication)
    {
        final DesiredState state = machine.state();
        final byte[] snapshot = encodeSnapshot(state, outcomes);
        final UnsafeBuffer buffer = new UnsafeBuffer(snapshot);
        final int chunk = publication.maxPayloadLength();
        int offset = 0;
        while (offset < snapshot.length)
        {
            final int length = Math.min(chunk, snapshot.length - offset);
            idle.reset();
            while (publication.offer(buffer, offset, length) < 0)
            {
                idle.idle();
            }
            offset += length;
        }
        try
        {
            snapshots.write(state);
        }
        catch (final RuntimeException ex)
        {
            // The cluster's snapshot is taken; only the offline copy for `journal replay` is missing.
            LOG.error("control-plane service: local snapshot at version {} not written: {}", state.sequence(),
                ex.getMessage());
        }
        LOG.info("control-plane service: snapshot at state version {} ({} bytes, {} request ids)",
            state.sequence(), snapshot.length, outcomes.size());
    }

    private void loadSnapshot(final Image image)
    {
        final ExpandableArrayBuffer received = new ExpandableArrayBuffer(64 * 1024);
        final int[] length = {0};
        final FragmentHandler handler = new FragmentAssembler((buffer, offset, fragmentLength, header) ->
        {
            received.putBytes(length[0], buffer, offset, fragmentLength);
            length[0] += fragmentLength;
        });
        idle.reset();
        while (!image.isEndOfStream())
        {
            if (image.isClosed())
            {
                throw new IllegalStateException("control-plane service: the snapshot image closed before its end");
            }
            idle.idle(image.poll(handler, 64));
        }
        final byte[] bytes = new byte[length[0]];
        received.getBytes(0, bytes);
        decodeSnapshot(bytes);
    }

    /**
     * Frames the state and the request-id table (big-endian): magic "MCS1", format, state length, state JSON,
     * outcome count, then per outcome request id (msb, lsb), outcome length, outcome.
     */
    static byte[] encodeSnapshot(final DesiredState state, final Map<UUID, Outcome> outcomes)
    {
        final byte[] stateBytes = JournalCodec.encode(state);
        int size = 16 + stateBytes.length;
        final byte[][] encoded = new byte[outcomes.size()][];
        int i = 0;
        for (final Outcome outcome : outcomes.values())
        {
            encoded[i] = outcome.encode();
            size += 20 + encoded[i].length;
            i++;
        }
        final ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.BIG_ENDIAN);
        out.putInt(SNAPSHOT_MAGIC).putInt(SNAPSHOT_FORMAT).putInt(stateBytes.length).put(stateBytes);
        out.putInt(outcomes.size());
        i = 0;
        for (final UUID requestId : outcomes.keySet())
        {
            out.putLong(requestId.getMostSignificantBits()).putLong(requestId.getLeastSignificantBits());
            out.putInt(encoded[i].length).put(encoded[i]);
            i++;
        }
        return out.array();
    }

    private void decodeSnapshot(final byte[] bytes)
    {
        final ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        if (bytes.length < 16 || in.getInt() != SNAPSHOT_MAGIC || in.getInt() != SNAPSHOT_FORMAT)
        {
            throw new IllegalStateException("control-plane service: the cluster snapshot is not an MCS1 snapshot ("
                + bytes.length + " bytes)");
        }
        final byte[] stateBytes = new byte[in.getInt()];
        in.get(stateBytes);
        machine.reset(JournalCodec.decodeState(stateBytes));
        outcomes.clear();
        final int count = in.getInt();
        for (int i = 0; i < count; i++)
        {
            final UUID requestId = new UUID(in.getLong(), in.getLong());
            final byte[] outcome = new byte[in.getInt()];
            in.get(outcome);
            outcomes.put(requestId, Outcome.decode(new UnsafeBuffer(outcome), 0, outcome.length));
        }
    }

    @Override
    public void onRoleChange(final Cluster.Role newRole)
    {
        role = newRole;
    }

    @Override
    public void onNewLeadershipTermEvent(final long leadershipTermId, final long logPosition, final long timestamp,
        final long termBaseLogPosition, final int leaderMemberId, final int logSessionId, final TimeUnit timeUnit,
        final int appVersion)
    {
        this.leadershipTermId = leadershipTermId;
        this.leaderMemberId = leaderMemberId;
    }

    @Override
    public void onTerminate(final Cluster cluster)
    {
    }

    /**
     * Closes the local journal; call once the service's container has stopped.
     */
    public void closeJournal()
    {
        if (journal != null)
        {
            journal.close();
            journal = null;
        }
    }

    /**
     * @return the local journal's size (entries as of the last append; safe from any thread, as for the conductor).
     */
    public CommandJournal.Size journalSize()
    {
        final CommandJournal current = journal;
        return current == null ? new CommandJournal.Size(0, 0, 0) : current.size();
    }

    /**
     * @return the state with every committed entry this member has applied (any thread).
     */
    public DesiredState state()
    {
        return machine.state();
    }

    /**
     * @return the sequence of {@link #state()} (any thread).
     */
    public long appliedSequence()
    {
        return appliedSequence;
    }

    /**
     * @return the last sequence in the local journal (any thread).
     */
    public long journaledSequence()
    {
        return journaledSequence;
    }

    /**
     * @return the leader of the latest term this member's service saw in the log, -1 before one (any thread).
     */
    public int leaderMemberId()
    {
        return leaderMemberId;
    }

    /**
     * @return the latest leadership term this member's service saw in the log, 0 before one (any thread).
     */
    public long leadershipTermId()
    {
        return leadershipTermId;
    }

    /**
     * @return this member's role (any thread).
     */
    public Cluster.Role role()
    {
        return role;
    }
}
