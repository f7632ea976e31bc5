package io.mecmesh.appliance.cli;

import java.util.concurrent.CountDownLatch;

/**
 * Keeps a serving command in the foreground until the process is asked to stop (SIGINT from Ctrl-C, SIGTERM from
 * systemd), then closes what it serves, in reverse order of start, before the JVM exits.
 */
final class UntilStopped
{
    private UntilStopped()
    {
    }

    /**
     * Blocks until the JVM shuts down; the resources are closed by the shutdown hook.
     *
     * @param resources what to close, last started first.
     */
    static void await(final AutoCloseable... resources)
    {
        final CountDownLatch stopped = new CountDownLatch(1);
        final Thread hook = new Thread(() ->
        {
            try
            {
                for (final AutoCloseable resource : resources)
                {
                    closeQuietly(resource);
                }
            }
            finally
            {
                stopped.countDown();
            }
        }, "mecmesh-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try
        {
            stopped.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(final AutoCloseable resource)
    {
        try
        {
            resource.close();
        }
        catch (final Exception ex)
        {
            org.slf4j.LoggerFactory.getLogger(UntilStopped.class).warn("error while stopping {}", resource, ex);
        }
    }
}
