package io.mecmesh.slicemanager.distribution;

import io.aeron.Aeron;
import org.agrona.CloseHelper;

import java.nio.file.Path;

import static java.util.Objects.requireNonNull;

/**
 * The process's messaging: one embedded Aeron media driver (shared threading, in {@code aeronDirectory}) and one Aeron
 * client connected to it. The slice manager and the node agent of one appliance share it, so role {@code all} talks
 * to itself over IPC through one driver. The client's errors go to a {@link ChannelBinding}, so that a channel that
 * cannot bind fails the start of whoever added it ({@link ChannelBinding#awaitActive}).
 */
public final class AeronMessaging implements AutoCloseable
{
    private final EmbeddedMediaDriver driver;
    private final Aeron aeron;

    private AeronMessaging(final EmbeddedMediaDriver driver, final Aeron aeron)
    {
        this.driver = driver;
        this.aeron = aeron;
    }

    /**
     * Launches the driver (deleting a stale directory left by a killed process) and connects the client.
     *
     * @param aeronDirectory the driver's directory.
     * @return the running messaging.
     */
    public static AeronMessaging launch(final Path aeronDirectory)
    {
        requireNonNull(aeronDirectory, "aeronDirectory");
        final EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(new EmbeddedMediaDriver.Context()
            .aeronDirectory(aeronDirectory));
        try
        {
            final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName())
                .errorHandler(new ChannelBinding()));
            return new AeronMessaging(driver, aeron);
        }
        catch (final RuntimeException ex)
        {
            driver.close();
            throw ex;
        }
    }

    /**
     * @return the client.
     */
    public Aeron aeron()
    {
        return aeron;
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(aeron, driver);
    }
}
