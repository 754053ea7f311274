package dev.wecompipeline.testkit;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/**
 * What a logger receives while a test runs. A running service logs from threads of its own
 * (Kafka's clients, Jetty's pool, an HTTP client) at any moment, so {@link #messages()} copies the
 * list under the appender's lock (logback appends holding it) instead of iterating it while it grows.
 * Closing detaches the appender and gives the logger back its level; the messages stay readable.
 */
public final class CapturedLogs implements AutoCloseable {

    private final Logger logger;
    private final Level levelBefore;
    private final boolean levelChanged;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private CapturedLogs(String loggerName, Level level) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
        this.levelBefore = logger.getLevel();
        this.levelChanged = level != null;
        if (levelChanged) {
            logger.setLevel(level);
        }
        appender.start();
        logger.addAppender(appender);
    }

    /** Starts capturing everything the root logger receives, at the levels already configured. */
    public static CapturedLogs start() {
        return new CapturedLogs(org.slf4j.Logger.ROOT_LOGGER_NAME, null);
    }

    /** Starts capturing what {@code loggerName} and the loggers below it log, at {@code level} until closed. */
    public static CapturedLogs start(String loggerName, Level level) {
        return new CapturedLogs(loggerName, level);
    }

    /** The formatted messages logged so far, in order. */
    public List<String> messages() {
        synchronized (appender) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
        if (levelChanged) {
            logger.setLevel(levelBefore);
        }
    }
}
