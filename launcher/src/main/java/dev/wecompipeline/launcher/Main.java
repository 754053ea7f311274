package dev.wecompipeline.launcher;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/** Entry point of the runnable jar behind {@code bin/wecom-pipeline}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        int exitCode = WecomPipelineCommand.commandLine().execute(args);
        // The console appender is asynchronous (request threads never wait on it): drain its queue,
        // which holds the last lifecycle lines ("ingress: stopped"), before the JVM ends.
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logging) {
            logging.stop();
        }
        System.exit(exitCode);
    }
}
