package io.mecmesh.slicemanager.distribution;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;

import java.nio.file.Path;

import static java.util.Objects.requireNonNull;

/**
 * The Aeron media driver embedded in an appliance: one per process, started before any distribution agent and closed
 * after them. It owns the shared-memory files of every publication and subscription on this host (IPC), and the UDP
 * sockets to other hosts.
 *
 * <p>Appliance defaults: the directory is {@code <data directory>/aeron}; it is deleted on start (a directory left by
 * a crashed process holds nothing worth keeping) and on shutdown; {@link ThreadingMode#SHARED} runs conductor, sender
 * and receiver on one thread that backs off to parking when idle, to spare the CPU of a two-core edge server; term
 * buffers are sparse files of {@value Context#DEFAULT_TERM_LENGTH} bytes, which bounds one message (one node's
 * configuration) to an eighth of that (fragmented by Aeron above the MTU).
 */
public final class EmbeddedMediaDriver implements AutoCloseable
{
    private final MediaDriver driver;

    private EmbeddedMediaDriver(final MediaDriver driver)
    {
        this.driver = driver;
    }

    /**
     * Starts a driver with the appliance defaults under a data directory.
     *
     * @param dataDirectory the appliance's data directory.
     * @return the running driver.
     */
    public static EmbeddedMediaDriver launch(final Path dataDirectory)
    {
        return launch(new Context().dataDirectory(dataDirectory));
    }

    /**
     * Starts a driver.
     *
     * @param context its settings, concluded here.
     * @return the running driver.
     */
    public static EmbeddedMediaDriver launch(final Context context)
    {
        context.conclude();
        final MediaDriver.Context driverContext = new MediaDriver.Context()
            .aeronDirectoryName(context.aeronDirectory().toString())
            .threadingMode(context.threadingMode())
            .dirDeleteOnStart(context.dirDeleteOnStart())
            .dirDeleteOnShutdown(context.dirDeleteOnShutdown())
            .termBufferSparseFile(true)
            .ipcTermBufferLength(context.termLength())
            .publicationTermBufferLength(context.termLength());
        return new EmbeddedMediaDriver(MediaDriver.launch(driverContext));
    }

    /**
     * @return the directory Aeron clients connect through ({@code Aeron.Context.aeronDirectoryName}).
     */
    public String aeronDirectoryName()
    {
        return driver.aeronDirectoryName();
    }

    @Override
    public void close()
    {
        driver.close();
    }

    /**
     * Validated settings of an embedded driver.
     */
    public static final class Context
    {
        /** Term buffer length of IPC and UDP publications: 4 MiB, so one message can be up to 512 KiB. */
        public static final int DEFAULT_TERM_LENGTH = 4 * 1024 * 1024;

        private Path dataDirectory;
        private Path aeronDirectory;
        private ThreadingMode threadingMode = ThreadingMode.SHARED;
        private boolean dirDeleteOnStart = true;
        private boolean dirDeleteOnShutdown = true;
        private int termLength = DEFAULT_TERM_LENGTH;
        private boolean concluded;

        /**
         * @param dataDirectory the appliance's data directory; the driver directory defaults to its {@code aeron}.
         * @return this.
         */
        public Context dataDirectory(final Path dataDirectory)
        {
            this.dataDirectory = requireNonNull(dataDirectory, "dataDirectory");
            return this;
        }

        /**
         * @param aeronDirectory the driver directory, overriding the default under the data directory.
         * @return this.
         */
        public Context aeronDirectory(final Path aeronDirectory)
        {
            this.aeronDirectory = requireNonNull(aeronDirectory, "aeronDirectory");
            return this;
        }

        /**
         * @param threadingMode {@link ThreadingMode#SHARED} (default) or {@link ThreadingMode#SHARED_NETWORK}.
         * @return this.
         */
        public Context threadingMode(final ThreadingMode threadingMode)
        {
            this.threadingMode = requireNonNull(threadingMode, "threadingMode");
            return this;
        }

        /**
         * @param dirDeleteOnStart whether to delete a directory left by a previous process (default true).
         * @return this.
         */
        public Context dirDeleteOnStart(final boolean dirDeleteOnStart)
        {
            this.dirDeleteOnStart = dirDeleteOnStart;
            return this;
        }

        /**
         * @param dirDeleteOnShutdown whether to delete the directory on close (default true).
         * @return this.
         */
        public Context dirDeleteOnShutdown(final boolean dirDeleteOnShutdown)
        {
            this.dirDeleteOnShutdown = dirDeleteOnShutdown;
            return this;
        }

        /**
         * @param termLength term buffer length, a power of two from 64 KiB to 1 GiB.
         * @return this.
         */
        public Context termLength(final int termLength)
        {
            this.termLength = termLength;
            return this;
        }

        /**
         * Checks every setting once and fills in the defaults.
         *
         * @return this.
         */
        public Context conclude()
        {
            if (concluded)
            {
                return this;
            }
            if (aeronDirectory == null)
            {
                if (dataDirectory == null)
                {
                    throw new IllegalArgumentException("aeronDirectory: set it or the dataDirectory it defaults under");
                }
                aeronDirectory = dataDirectory.resolve("aeron");
            }
            aeronDirectory = aeronDirectory.toAbsolutePath();
            if (threadingMode != ThreadingMode.SHARED && threadingMode != ThreadingMode.SHARED_NETWORK)
            {
                throw new IllegalArgumentException("threadingMode: expected SHARED or SHARED_NETWORK on an appliance"
                    + " (a dedicated thread per driver agent would take the cores the data plane needs), got "
                    + threadingMode);
            }
            if (termLength < 64 * 1024 || termLength > 1024 * 1024 * 1024 || Integer.bitCount(termLength) != 1)
            {
                throw new IllegalArgumentException("termLength: expected a power of two from 65536 to 1073741824, got "
                    + termLength);
            }
            concluded = true;
            return this;
        }

        /**
         * @return the driver directory (after {@link #conclude()}).
         */
        public Path aeronDirectory()
        {
            return aeronDirectory;
        }

        ThreadingMode threadingMode()
        {
            return threadingMode;
        }

        boolean dirDeleteOnStart()
        {
            return dirDeleteOnStart;
        }

        boolean dirDeleteOnShutdown()
        {
            return dirDeleteOnShutdown;
        }

        int termLength()
        {
            return termLength;
        }
    }
}
