package io.mecmesh.slicemanager;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts an agent on its own thread (sleeping 1 ms when idle) and waits until its {@code onStart} has returned, so
 * that what {@code onStart} opens (channels that must bind, the last known good configuration) has happened, or
 * failed, before start-up goes on. An {@code onStart} that throws fails the start with its exception: the
 * {@link AgentRunner} would only hand it to its error handler and stop the thread, leaving a process that looks
 * started and does nothing.
 */
final class StartedAgent
{
    private StartedAgent()
    {
    }

    /**
     * @param agent        the agent.
     * @param errorHandler where errors of its duty cycle go.
     * @param timeoutS     how long {@code onStart} may take.
     * @return the running runner (close it to stop the agent).
     * @throws RuntimeException what {@code onStart} threw (an {@link IllegalStateException} if it did not finish in
     *                          time); the runner is closed.
     */
    static AgentRunner start(final Agent agent, final ErrorHandler errorHandler, final long timeoutS)
    {
        final Signalling signalling = new Signalling(agent);
        final AgentRunner runner = new AgentRunner(new SleepingMillisIdleStrategy(1), errorHandler, null,
            signalling);
        AgentRunner.startOnThread(runner);
        try
        {
            if (!signalling.started.await(timeoutS, TimeUnit.SECONDS))
            {
                runner.close();
                throw new IllegalStateException(agent.roleName() + " did not start within " + timeoutS + " s");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            runner.close();
            throw new IllegalStateException("interrupted while " + agent.roleName() + " started", ex);
        }
        if (signalling.failure != null)
        {
            runner.close();
            throw signalling.failure;
        }
        return runner;
    }

    /** Runs the agent, recording whether its {@code onStart} failed and signalling when it is done. */
    private static final class Signalling implements Agent
    {
        private final Agent agent;
        private final CountDownLatch started = new CountDownLatch(1);
        private volatile RuntimeException failure;

        Signalling(final Agent agent)
        {
            this.agent = agent;
        }

        @Override
        public void onStart()
        {
            try
            {
                agent.onStart();
            }
            catch (final RuntimeException ex)
            {
                // Reported by start(), once; the runner's error handler would log it a second time.
                failure = ex;
            }
            finally
            {
                started.countDown();
            }
        }

        @Override
        public int doWork() throws Exception
        {
            return failure == null ? agent.doWork() : 0;
        }

        @Override
        public void onClose()
        {
            agent.onClose();
        }

        @Override
        public String roleName()
        {
            return agent.roleName();
        }
    }
}
