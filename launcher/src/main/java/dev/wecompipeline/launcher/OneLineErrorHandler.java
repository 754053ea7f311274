package dev.wecompipeline.launcher;

import picocli.CommandLine;

/**
 * Turns an exception escaping a command into one line on stderr and exit code 2, as the operator
 * interface promises ("non-zero with a one-line reason on bad configuration"). The stack trace is
 * only printed with {@code WECOM_DEBUG=1}, where a developer wants it.
 */
final class OneLineErrorHandler implements CommandLine.IExecutionExceptionHandler {

    /** Exit code for configuration and start-up errors. */
    static final int EXIT_CONFIG_ERROR = 2;

    @Override
    public int handleExecutionException(Exception ex, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        commandLine.getErr().println("wecom-pipeline " + commandLine.getCommandName() + ": " + message.replace('\n', ' ').strip());
        if ("1".equals(System.getenv("WECOM_DEBUG"))) {
            ex.printStackTrace(commandLine.getErr());
        }
        return EXIT_CONFIG_ERROR;
    }
}
