package io.mecmesh.appliance.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.joran.spi.ConsoleTarget;
import ch.qos.logback.core.spi.ContextAwareBase;
import io.mecmesh.appliance.admin.RecentErrors;

import java.util.Locale;

/**
 * The appliance's logging, set up in code: found by logback through {@code META-INF/services} before its own
 * configurators, so that no XML configuration is parsed at start. Joran, the JDK's XML parser and logback's pattern
 * machinery were about 600 of the 4,600 classes an edge loaded, and part of the time before its first log line (perf/RESULTS.md "Memory").
 * <ul>
 *   <li>every line to standard error (standard output carries only what a command prints for the user; under
 *   systemd both go to the journal), one {@link LogLine} each;</li>
 *   <li>the last WARN and ERROR lines kept in memory for the admin endpoint's {@code /errors} ({@link RecentErrors});</li>
 *   <li>the root level from {@code MECMESH_LOG_LEVEL} (trace, debug, info, warn, error; default info; an unknown
 *   value is info), Netty's loggers at WARN.</li>
 * </ul>
 * An operator who wants another set-up gives logback its own file, {@code -Dlogback.configurationFile=FILE} in
 * {@code MECMESH_JAVA_OPTS}: this configurator then steps aside and logback's XML configurator reads the file.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator
{
    /** The environment variable that sets the root level. */
    public static final String LEVEL_VARIABLE = "MECMESH_LOG_LEVEL";

    @Override
    public ExecutionStatus configure(final LoggerContext context)
    {
        if (System.getProperty("logback.configurationFile") != null)
        {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        final LogLine layout = new LogLine();
        layout.setContext(context);
        layout.start();
        final LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();

        final ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget(ConsoleTarget.SystemErr.getName());
        stderr.setEncoder(encoder);
        stderr.start();

        final RecentErrors recentErrors = new RecentErrors();
        recentErrors.setContext(context);
        recentErrors.setName("RECENT_ERRORS");
        recentErrors.start();

        context.getLogger("io.netty").setLevel(Level.WARN);
        final Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(rootLevel(System.getenv(LEVEL_VARIABLE)));
        root.addAppender(stderr);
        root.addAppender(recentErrors);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * @param value the variable's value, or {@code null}.
     * @return the level it names, case-insensitively; INFO when it is unset, empty or names no level.
     */
    public static Level rootLevel(final String value)
    {
        return value == null || value.isBlank() ? Level.INFO : Level.toLevel(value.trim().toUpperCase(Locale.ROOT),
            Level.INFO);
    }
}
