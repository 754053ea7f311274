package dev.wecompipeline.testkit;

import java.util.List;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/**
 * What the root logger receives while a test runs. A running service logs from threads of its own
 * (Kafka's clients, Jetty's pool) at any moment, so {@link #messages()} copies the list under the
 * appender's lock (logback appends holding it) instead of iterating it while it grows.
 */
public final class CapturedLogs implements AutoCloseable {

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private CapturedLogs() {
        appender.start();
        root.addAppender(appender);
    }

    /** Starts capturing everything logged from now on. */
    public static CapturedLogs start() {
        return new CapturedLogs();
    }

    /** The formatted messages logged so far, in order. */
    public List<String> messages() {
        synchronized (appender) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
