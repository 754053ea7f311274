package dev.wecompipeline.worker.agent;

import java.time.Duration;

import dev.wecompipeline.config.Durations;

/** The agent's own time limit passed: the request was abandoned (and its program killed). */
public class AgentTimeoutException extends AgentException {

    private static final long serialVersionUID = 1L;

    private final Duration timeout;

    public AgentTimeoutException(String what, Duration timeout, Throwable cause) {
        super(what + " took longer than " + Durations.format(timeout), NO_STATUS, cause);
        this.timeout = timeout;
    }

    /** The limit that passed. */
    public Duration timeout() {
        return timeout;
    }
}
