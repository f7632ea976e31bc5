package io.mecmesh.appliance.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * One log line, as {@code 2026-12-08T01:26:41.863Z INFO  [main] DataPlane - message}, then the stack trace of a
 * logged exception: the same text as logback's pattern {@code %d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread]
 * %logger{0} - %msg%n}, written without the pattern machinery (its parser and ~70 converters were 150 of the classes
 * an edge loaded at start). Time in the system's zone (UTC shows as {@code Z}).
 */
final class LogLine extends LayoutBase<ILoggingEvent>
{
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
        .withZone(ZoneId.systemDefault());

    @Override
    public String doLayout(final ILoggingEvent event)
    {
        final String level = event.getLevel().toString();
        final StringBuilder line = new StringBuilder(128);
        TIME.formatTo(Instant.ofEpochMilli(event.getTimeStamp()), line);
        line.append(' ').append(level);
        for (int pad = level.length(); pad < 5; pad++)
        {
            line.append(' ');
        }
        final String logger = event.getLoggerName();
        line.append(" [").append(event.getThreadName()).append("] ")
            .append(logger, logger.lastIndexOf('.') + 1, logger.length())
            .append(" - ").append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
        final IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null)
        {
            line.append(ThrowableProxyUtil.asString(thrown));
        }
        return line.toString();
    }
}
