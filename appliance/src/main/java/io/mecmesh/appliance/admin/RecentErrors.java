package io.mecmesh.appliance.admin;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The last {@value #CAPACITY} WARN and ERROR log lines of this process, kept in memory for the admin endpoint's
 * {@code /errors} page (and so for {@code mecmesh diagnose}): the appliance logs to standard error only, which
 * systemd keeps in its journal but a container or a hand-started process may not keep anywhere. A logback appender
 * (installed by {@link io.mecmesh.appliance.logging.LogConfigurator}); the oldest line goes when a new one comes. Only cold paths log, so one lock is
 * enough. A line keeps the exception's class and message, not its stack trace.
 */
public final class RecentErrors extends AppenderBase<ILoggingEvent>
{
    /** How many lines are kept. */
    public static final int CAPACITY = 200;
    private static final int MAX_LINE_CHARS = 2_000;
    private static final Deque<String> LINES = new ArrayDeque<>(CAPACITY);

    @Override
    protected void append(final ILoggingEvent event)
    {
        if (!event.getLevel().isGreaterOrEqual(Level.WARN))
        {
            return;
        }
        final StringBuilder line = new StringBuilder(160)
            .append(Instant.ofEpochMilli(event.getTimeStamp())).append(' ')
            .append(event.getLevel()).append(" [").append(event.getThreadName()).append("] ")
            .append(shortName(event.getLoggerName())).append(" - ").append(event.getFormattedMessage());
        final IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null)
        {
            line.append(" (").append(thrown.getClassName()).append(": ").append(thrown.getMessage()).append(')');
        }
        String text = line.toString().replace('\n', ' ').replace('\r', ' ');
        if (text.length() > MAX_LINE_CHARS)
        {
            text = text.substring(0, MAX_LINE_CHARS) + "...";
        }
        synchronized (LINES)
        {
            if (LINES.size() == CAPACITY)
            {
                LINES.removeFirst();
            }
            LINES.addLast(text);
        }
    }

    /**
     * @return the kept lines, oldest first.
     */
    public static List<String> lines()
    {
        synchronized (LINES)
        {
            return new ArrayList<>(LINES);
        }
    }

    /**
     * @return the kept lines as {@code /errors} serves them: one per line, or a line saying there are none.
     */
    static String page()
    {
        final List<String> lines = lines();
        if (lines.isEmpty())
        {
            return "# no WARN or ERROR line logged since start\n";
        }
        final StringBuilder page = new StringBuilder(lines.size() * 160)
            .append("# the last ").append(lines.size()).append(" WARN/ERROR lines (at most ").append(CAPACITY)
            .append("), oldest first\n");
        lines.forEach(line -> page.append(line).append('\n'));
        return page.toString();
    }

    private static String shortName(final String logger)
    {
        final int dot = logger.lastIndexOf('.');
        return dot < 0 ? logger : logger.substring(dot + 1);
    }
}
