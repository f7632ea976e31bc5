package io.mecmesh.dataplane.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Fails a test class when Netty's leak detector reported a leaked buffer while it ran. Registered for every test
 * class through {@code META-INF/services} (auto-detection is on in {@code junit-platform.properties}), so that its
 * factory is installed before the first buffer class loads. Runs with leak detection at {@code paranoid} (set by
 * the root pom's test JVM flags): every buffer is tracked.
 */
public final class LeakTracker implements AfterAllCallback
{
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static
    {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void afterAll(final ExtensionContext context)
    {
        final List<String> leaks = collect();
        if (!leaks.isEmpty())
        {
            throw new AssertionError("Netty reported " + leaks.size() + " leaked buffer(s) in "
                + context.getDisplayName() + ":\n" + String.join("\n----\n", leaks));
        }
    }

    /**
     * Runs the garbage collector and allocates tracked buffers until the detector has looked at every buffer that
     * became unreachable, then returns and forgets what it reported.
     *
     * @return the leak reports since the last call.
     */
    public static List<String> collect()
    {
        for (int round = 0; round < 5; round++)
        {
            System.gc();
            for (int i = 0; i < 64; i++)
            {
                final ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(1);
                probe.release();
            }
        }
        final List<String> reported = new ArrayList<>(LEAKS);
        LEAKS.removeAll(reported);
        return reported;
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory
    {
        @Override
        @SuppressWarnings("deprecation") // the abstract method Netty calls; maxActive is ignored as in Netty's own
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(
            final Class<T> resource, final int samplingInterval, final long maxActive)
        {
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T>
    {
        RecordingDetector(final Class<T> resource, final int samplingInterval)
        {
            super(resource, samplingInterval);
        }

        @Override
        protected boolean needReport()
        {
            return true;
        }

        @Override
        protected void reportTracedLeak(final String resourceType, final String records)
        {
            LEAKS.add("LEAK: " + resourceType + records);
        }

        @Override
        protected void reportUntracedLeak(final String resourceType)
        {
            LEAKS.add("LEAK: " + resourceType + " (untraced)");
        }
    }
}
