package io.mecmesh.perf.bench;

import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * JMH's worker threads as the data plane's event-loop threads are: Netty {@code FastThreadLocalThread}s (made by
 * {@link DefaultThreadFactory}, as every Netty event loop's are). Netty's {@code Recycler} pools objects only on
 * such threads (4.2: {@code Recycler.get()} calls {@code newObject} every time on any other thread, unless the
 * thread runs inside {@code FastThreadLocalThread.runWithFastThreadLocal}), so on JMH's plain worker threads every
 * pooled object of the request path (outbound-buffer entries, sliced and duplicated buffers, the flow-control
 * queue, the codecs' heads and body parts) would be a new allocation that production never makes.
 *
 * <p>Selected per benchmark with {@code -Djmh.executor=CUSTOM -Djmh.executor.class=} this class (JMH instantiates
 * it with the thread count and a name prefix).
 */
public final class FastThreadLocalExecutor extends ThreadPoolExecutor
{
    /**
     * @param threads the benchmark's thread count.
     * @param prefix  the name prefix JMH gives its workers.
     */
    public FastThreadLocalExecutor(final int threads, final String prefix)
    {
        super(threads, threads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
            new DefaultThreadFactory(prefix, true));
    }
}
