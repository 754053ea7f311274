package dev.wecompipeline.worker.agent;

/**
 * An agent could not answer: its endpoint refused or sent something unreadable, its program
 * failed, or it took too long. The worker answers the user with the configured apology instead.
 *
 * <p>Messages are safe to log: they never contain an API key. Subtypes say what kind of failure
 * it was: {@link AgentTimeoutException} (the same request may work later) and
 * {@link CommandFailedException} (the program's exit code and the end of its stderr).
 */
public class AgentException extends Exception {

    private static final long serialVersionUID = 1L;

    /** {@link #status()} when the failure did not come with an HTTP response. */
    public static final int NO_STATUS = 0;

    private final int status;

    public AgentException(String message) {
        this(message, NO_STATUS, null);
    }

    public AgentException(String message, Throwable cause) {
        this(message, NO_STATUS, cause);
    }

    /**
     * @param status the endpoint's HTTP status, or {@link #NO_STATUS}
     */
    public AgentException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status the endpoint answered with, or {@link #NO_STATUS} if there was no response. */
    public int status() {
        return status;
    }
}
