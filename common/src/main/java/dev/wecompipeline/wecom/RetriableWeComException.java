package dev.wecompipeline.wecom;

/** A failure the same call may overcome later: retried with backoff until attempts or time run out. */
public final class RetriableWeComException extends WeComException {

    public RetriableWeComException(int errcode, String errmsg) {
        super(errcode, errmsg, Integer.toString(errcode), null);
    }

    /** A failure without a WeCom answer, named by {@code code} ({@code http_503}, {@code io}, {@code timeout}). */
    public RetriableWeComException(String code, String errmsg, Throwable cause) {
        super(NO_ERRCODE, errmsg, code, cause);
    }
}
