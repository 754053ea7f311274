package dev.wecompipeline.sandbox;

import static dev.wecompipeline.sandbox.SandboxFixture.SECRET;
import static dev.wecompipeline.sandbox.SandboxFixture.text;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** One line per lifecycle step; secrets and tokens never reach a log. */
class LoggingTest {

    @Test
    void lifecycle_steps_are_logged_once_each_and_no_secret_or_token_is() {
        Logger logger = (Logger) LoggerFactory.getLogger("dev.wecompipeline.sandbox");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        String token;
        String baseUrl;
        try (SandboxFixture fx = SandboxFixture.start()) {
            baseUrl = fx.sandbox.baseUrl();
            token = fx.token();
            fx.send(token, text("alice", "hi"));
            fx.sandbox.faults().busyFraction(1.0);
            fx.send(token, text("alice", "busy"));
            fx.sandbox.goDown();
            fx.sandbox.comeBack();
            fx.sandbox.invalidateAllTokens(WeComErrors.INVALID_ACCESS_TOKEN);
        } finally {
            logger.detachAppender(appender);
        }
        List<String> lines = appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertTrue(lines.contains("wecom-sandbox: started on " + baseUrl), lines.toString());
        assertTrue(lines.contains("wecom-sandbox: back on " + baseUrl), lines.toString());
        assertTrue(lines.contains("wecom-sandbox: stopped"), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("wecom-sandbox: down")), lines.toString());
        assertFalse(lines.stream().anyMatch(l -> l.contains(SECRET) || l.contains(token)), lines.toString());
    }
}
