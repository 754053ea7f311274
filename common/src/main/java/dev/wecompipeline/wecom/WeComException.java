package dev.wecompipeline.wecom;

/**
 * A WeCom API call that did not succeed. Two branches, as Kafka's client exceptions:
 * {@link RetriableWeComException} (busy, rate or concurrency limits, token trouble, HTTP 5xx,
 * I/O errors and timeouts: the same call may succeed later) and {@link PermanentWeComException}
 * (this message can never be sent as it is: bad agent, no permission, IP not trusted, unknown
 * codes). Each carries WeCom's {@code errcode}, or {@link #NO_ERRCODE} when the failure happened
 * below WeCom's protocol ({@link #code()} then names it: {@code http_502}, {@code io}, {@code timeout}).
 *
 * <p>Stack traces are not filled in: these are protocol answers at send rate, not bugs.
 */
public abstract sealed class WeComException extends RuntimeException
        permits RetriableWeComException, PermanentWeComException {

    /** {@link #errcode()} of failures that carry no WeCom answer. */
    public static final int NO_ERRCODE = Integer.MIN_VALUE;

    private final int errcode;
    private final String errmsg;
    private final String code;

    WeComException(int errcode, String errmsg, String code, Throwable cause) {
        super(code + ": " + errmsg, cause, false, false);
        this.errcode = errcode;
        this.errmsg = errmsg;
        this.code = code;
    }

    /** WeCom's {@code errcode}, or {@link #NO_ERRCODE}. */
    public int errcode() {
        return errcode;
    }

    /** WeCom's {@code errmsg}, or a description of the transport failure; never a token or secret. */
    public String errmsg() {
        return errmsg;
    }

    /** The errcode as text, or the transport failure's name: what metrics and dead-letter headers show. */
    public String code() {
        return code;
    }

    /** True when WeCom may have delivered the message anyway (no answer was read): it counts against limits. */
    public boolean outcomeUnknown() {
        return errcode == NO_ERRCODE;
    }
}
