package io.mecmesh.slicemanager.api;

import io.mecmesh.slicemanager.cluster.ClusterView;
import io.mecmesh.slicemanager.distribution.NodeStatus;
import io.mecmesh.slicemanager.journal.CommandJournal;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/**
 * A {@link ControlPlaneBackend} that passes every call to another one: a decorator extends it and overrides only
 * what it changes (typically {@link #submit}), so that a method added to the interface is forwarded in one place.
 */
public abstract class ForwardingControlPlaneBackend implements ControlPlaneBackend
{
    private final ControlPlaneBackend delegate;

    /**
     * @param delegate the backend every call goes to.
     */
    protected ForwardingControlPlaneBackend(final ControlPlaneBackend delegate)
    {
        this.delegate = requireNonNull(delegate, "delegate");
    }

    /**
     * @return the backend every call goes to.
     */
    protected final ControlPlaneBackend delegate()
    {
        return delegate;
    }

    @Override
    public long submit(final Command command)
    {
        return delegate.submit(command);
    }

    @Override
    public DesiredState state()
    {
        return delegate.state();
    }

    @Override
    public Map<String, NodeStatus> nodeStatus()
    {
        return delegate.nodeStatus();
    }

    @Override
    public long nanoTime()
    {
        return delegate.nanoTime();
    }

    @Override
    public long journal(final long afterSequence, final int limit, final CommandJournal.EntryHandler handler)
    {
        return delegate.journal(afterSequence, limit, handler);
    }

    @Override
    public Path compact()
    {
        return delegate.compact();
    }

    @Override
    public long submit(final UUID requestId, final Command command)
    {
        return delegate.submit(requestId, command);
    }

    @Override
    public Optional<ClusterView> cluster(final boolean logPositions)
    {
        return delegate.cluster(logPositions);
    }

    @Override
    public long readBarrier()
    {
        return delegate.readBarrier();
    }
}
