package dev.wecompipeline.worker.agent;

import dev.wecompipeline.config.Secrets;

/**
 * An agent server's error response as quoted in an exception: enough for the server's reason, and
 * never the API key (servers sometimes echo the request's credentials in an error).
 */
final class ErrorBody {

    /** How much of an error response is quoted. */
    static final int MAX_QUOTED = 300;

    private ErrorBody() {
    }

    /** {@code body}, stripped, with {@code apiKey} (if any) masked, cut to {@link #MAX_QUOTED} characters. */
    static String quote(String body, String apiKey) {
        // Redacted before cutting, so a key straddling the cut cannot leak in part.
        String text = redact(body == null ? "" : body.strip(), apiKey);
        return text.length() <= MAX_QUOTED ? text : text.substring(0, MAX_QUOTED) + "...";
    }

    /** {@code text} with {@code apiKey} (if any) masked. */
    static String redact(String text, String apiKey) {
        return apiKey == null || apiKey.isEmpty() ? text : text.replace(apiKey, Secrets.mask(apiKey));
    }
}
