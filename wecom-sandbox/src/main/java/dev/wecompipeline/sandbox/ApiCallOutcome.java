package dev.wecompipeline.sandbox;

/**
 * What the sandbox did with one API call; every call is recorded with exactly one.
 *
 * <pre>{@code
 * assertEquals(0, sandbox.countByOutcome(ApiCallOutcome.DROPPED_OVER_LIMIT), "the client kept to WeCom's limits");
 * }</pre>
 */
public enum ApiCallOutcome {
    /** {@code gettoken} answered a token. */
    TOKEN_ISSUED,
    /** {@code message/send} delivered the message to at least one recipient and dropped it for none. */
    DELIVERED,
    /**
     * {@code enable_duplicate_check=1} and an identical message went out within the interval:
     * answered ok, not delivered again.
     */
    DUPLICATE_SUPPRESSED,
    /**
     * A recipient was over WeCom's per-member limit: answered ok, silently not delivered to them,
     * exactly as WeCom does. A correct client never causes this; tests assert it stays at zero.
     */
    DROPPED_OVER_LIMIT,
    /** {@code media/get} served the media's bytes. */
    MEDIA_SERVED,
    /** {@code media/upload} stored the upload and answered its {@code media_id}. */
    MEDIA_STORED,
    /** Answered a non-zero {@code errcode} (validation or an injected fault); nothing delivered. */
    REJECTED,
    /** Answered an HTTP error status without a WeCom body (injected 5xx or 503). */
    HTTP_FAILURE
}
