package dev.wecompipeline.crypto;

import java.time.Duration;

/**
 * The signature is valid but the callback's timestamp is further from our clock than the
 * configured window: a replayed request, or a badly skewed clock on our side.
 *
 * <p>A subclass of {@link SignatureMismatchException} because Tencent reports both as
 * {@link WeComCryptoException#VALIDATE_SIGNATURE_ERROR}; callers that only care "is this request
 * authentic and fresh" catch the parent.
 */
public final class StaleTimestampException extends SignatureMismatchException {

    private static final long serialVersionUID = 1L;

    private final long skewSeconds;
    private final Duration window;

    /**
     * @param skewSeconds request timestamp minus our clock, in seconds (positive: from the future)
     * @param window the accepted window on either side of our clock
     */
    public StaleTimestampException(long skewSeconds, Duration window) {
        super(describe(skewSeconds, window));
        this.skewSeconds = skewSeconds;
        this.window = window;
    }

    /** Request timestamp minus our clock in seconds; positive when the request is from the future. */
    public long skewSeconds() {
        return skewSeconds;
    }

    /** The window that was exceeded. */
    public Duration window() {
        return window;
    }

    private static String describe(long skewSeconds, Duration window) {
        String direction = skewSeconds > 0 ? "ahead of" : "behind";
        // Timestamps are at most 18 digits, so skew never reaches Long.MIN_VALUE, where abs() fails.
        return "timestamp is " + Math.abs(skewSeconds) + " s " + direction
                + " our clock; accepted window is +/-" + window.toSeconds() + " s";
    }
}
