package io.mecmesh.appliance.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import io.mecmesh.appliance.admin.RecentErrors;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

final class LogConfiguratorTest
{
    @Test
    void shouldBeTheConfiguratorLogbackFoundForThisProcess()
    {
        final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        final Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);

        assertThat(root.getAppender("STDERR")).isNotNull();
        assertThat(root.getAppender("RECENT_ERRORS")).isInstanceOf(RecentErrors.class);
        assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
    }

    @Test
    void shouldSendEveryLineToStandardErrorAndKeepWarningsForErrorsPage()
    {
        final LoggerContext context = new LoggerContext();

        final Configurator.ExecutionStatus status = configure(context);

        assertThat(status).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
        final Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getAppender("STDERR").isStarted()).isTrue();
        assertThat(root.getAppender("RECENT_ERRORS").isStarted()).isTrue();
        final String marker = "configured in code " + System.nanoTime();
        context.getLogger("io.mecmesh.Test").warn(marker);
        context.getLogger("io.mecmesh.Test").info("info " + marker);
        assertThat(RecentErrors.lines()).filteredOn(line -> line.contains(marker)).singleElement().asString()
            .contains("WARN", "Test - " + marker);
        context.stop();
    }

    @Test
    void shouldStepAsideWhenTheOperatorNamesALogbackFile()
    {
        final LoggerContext context = new LoggerContext();
        System.setProperty("logback.configurationFile", "/etc/mecmesh/logback.xml");
        try
        {
            assertThat(configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
            assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
        }
        finally
        {
            System.clearProperty("logback.configurationFile");
        }
    }

    @Test
    void shouldReadTheRootLevelFromTheVariableCaseInsensitivelyAndDefaultToInfo()
    {
        assertThat(LogConfigurator.rootLevel("debug")).isEqualTo(Level.DEBUG);
        assertThat(LogConfigurator.rootLevel(" WARN ")).isEqualTo(Level.WARN);
        assertThat(LogConfigurator.rootLevel(null)).isEqualTo(Level.INFO);
        assertThat(LogConfigurator.rootLevel("")).isEqualTo(Level.INFO);
        assertThat(LogConfigurator.rootLevel("loud")).isEqualTo(Level.INFO);
    }

    private static Configurator.ExecutionStatus configure(final LoggerContext context)
    {
        final LogConfigurator configurator = new LogConfigurator();
        configurator.setContext(context);
        return configurator.configure(context);
    }
}
