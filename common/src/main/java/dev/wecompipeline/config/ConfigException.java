package dev.wecompipeline.config;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The configuration is invalid: carries every problem found, not just the first, so an operator
 * fixes them all in one round trip.
 *
 * <p>Each problem names the environment variable or YAML key it is about (for example
 * {@code WECOM_CALLBACK_PORT: must be between 0 and 65535, got 70000} or
 * {@code platforms.wecom_callback.extra.apps[1].encoding_aes_key (dept-b): must be 43 characters,
 * got 42}). Messages never contain secret values (corp secret, token, EncodingAESKey), only
 * their lengths.
 *
 * <p>Not retriable: the process should exit with the message as its one-line reason (multi-line
 * when there are several problems).
 */
public class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * One mistake in the configuration.
     *
     * @param key     the environment variable or YAML key at fault
     * @param subject what the key belongs to, e.g. the app name; {@code null} if not applicable
     * @param message what is wrong, never containing a secret value
     */
    public record Problem(String key, String subject, String message) {
        public Problem {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(message, "message");
        }

        /** A problem about a key that belongs to nothing more specific. */
        public Problem(String key, String message) {
            this(key, null, message);
        }

        /** The same problem, named after the key the operator actually used. */
        Problem withKey(String newKey) {
            return new Problem(newKey, subject, message);
        }

        Problem withSubject(String newSubject) {
            return new Problem(key, newSubject, message);
        }

        @Override
        public String toString() {
            return key + (subject == null ? "" : " (" + subject + ")") + ": " + message;
        }
    }

    private final transient List<Problem> details;

    /** @param problems at least one problem */
    public ConfigException(List<Problem> problems) {
        super(render(problems));
        this.details = List.copyOf(problems);
    }

    /** A single problem about {@code key}. */
    public ConfigException(String key, String message) {
        this(List.of(new Problem(key, message)));
    }

    /** Every problem, one line each, in the order found. */
    public List<String> problems() {
        return details.stream().map(Problem::toString).toList();
    }

    /** Every problem with its key separated out, e.g. for {@code doctor} to attach a fix. */
    public List<Problem> details() {
        return details;
    }

    private static String render(List<Problem> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        // The launcher prints this as its exit reason: one line when it can be.
        if (problems.size() == 1) {
            return "Invalid configuration: " + problems.get(0);
        }
        return problems.stream()
                .map(p -> "  " + p)
                .collect(Collectors.joining("\n",
                        "Invalid configuration (" + problems.size() + " problems):\n", ""));
    }
}
