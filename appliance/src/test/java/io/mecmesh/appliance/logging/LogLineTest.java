package io.mecmesh.appliance.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

final class LogLineTest
{
    /** What logback.xml said before the line was written in code. */
    private static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{0} - %msg%n";

    @ParameterizedTest
    @CsvSource({
        "io.mecmesh.dataplane.DataPlane, INFO, listener {} bound, false",
        "io.mecmesh.appliance.Appliance, WARN, upstream {} gone, true",
        "Root, DEBUG, no dot in {}, false",
        "io.netty.Channel, ERROR, failed {}, true",
        "a.b.C, TRACE, fine {}, false"})
    void shouldWriteWhatTheFormerPatternWrote(final String loggerName, final String level, final String message,
        final boolean withException)
    {
        final LoggerContext context = new LoggerContext();
        final Logger logger = context.getLogger(loggerName);
        final LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.toLevel(level), message,
            withException ? new IOException("connection reset") : null, new Object[] {"ingress"});
        event.setThreadName("mecmesh-loop-0");
        final PatternLayout reference = new PatternLayout();
        reference.setContext(context);
        reference.setPattern(PATTERN);
        reference.start();
        final LogLine line = new LogLine();
        line.setContext(context);
        line.start();

        final String written = line.doLayout(event);

        assertThat(written).isEqualTo(reference.doLayout(event));
        assertThat(written).contains(" [mecmesh-loop-0] ", "ingress");
        if (withException)
        {
            assertThat(written).contains("java.io.IOException: connection reset", "\tat ");
        }
    }
}
