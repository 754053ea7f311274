package dev.wecompipeline.ingress;

/**
 * What happened to one callback request; the {@code outcome} tag of
 * {@code wecom_ingress_requests_total} and the reason in the rejection log line.
 */
enum CallbackOutcome {
    /** Published to Kafka and acknowledged. */
    ACCEPTED(200),
    /** A WeCom retry of a message already published: acknowledged, not published again. */
    DUPLICATE(200),
    /** Sender not in the allowed users: acknowledged so WeCom stops retrying, not published. */
    DENIED(200),
    /** An event the configuration drops ({@code enter_agent}, {@code subscribe}): acknowledged only. */
    DROPPED(200),
    /** A valid URL-verification GET. */
    VERIFIED(200),
    TOO_LARGE(413),
    /** The body arrived below the minimum data rate ({@code WECOM_CALLBACK_MIN_DATA_RATE}): a slow sender. */
    TOO_SLOW(408),
    BAD_SOURCE(403),
    BAD_SIGNATURE(403),
    BAD_REQUEST(400),
    /** No app matches the callback's corp id and agent id (or the app named on the path): it cannot be authenticated. */
    UNKNOWN_APP(403),
    /** Kafka did not acknowledge in time: 503 so WeCom retries. */
    UNAVAILABLE(503);

    private final int status;

    CallbackOutcome(int status) {
        this.status = status;
    }

    int status() {
        return status;
    }

    String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
