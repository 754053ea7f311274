package dev.wecompipeline.wecom;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;

/**
 * WeCom's {@code errcode}s as the reply-service treats them (see the protocol notes): which are
 * worth retrying, which mean "get a new token", which are final for the message.
 */
public final class ErrorCodes {

    public static final int OK = 0;
    public static final int SYSTEM_BUSY = -1;
    public static final int INVALID_CREDENTIAL = 40001;
    public static final int INVALID_MEDIA_ID = 40007;
    public static final int INVALID_MESSAGE_TYPE = 40008;
    public static final int INVALID_ACCESS_TOKEN = 40014;
    public static final int INVALID_AGENTID = 40056;
    public static final int ACCESS_TOKEN_EXPIRED = 42001;
    public static final int ACCESS_TOKEN_INVALIDATED = 42007;
    public static final int ACCESS_TOKEN_REVOKED = 42009;
    public static final int EMPTY_CONTENT = 44004;
    public static final int CONTENT_TOO_LARGE = 45002;
    public static final int API_FREQ_OUT_OF_LIMIT = 45009;
    public static final int API_CONCURRENT_OUT_OF_LIMIT = 45033;
    public static final int NO_API_PERMISSION = 48002;
    public static final int NO_USER_PERMISSION = 60011;
    public static final int IP_NOT_ALLOWED = 60020;
    public static final int ALL_RECIPIENTS_INVALID = 81013;
    public static final int USER_PARTY_TAG_ALL_INVALID = 82001;
    public static final int NO_APP_PERMISSION = 301002;

    /** The token is no good any more: fetch a new one and send again. */
    private static final Set<Integer> TOKEN_ERRORS = Set.of(INVALID_ACCESS_TOKEN, ACCESS_TOKEN_EXPIRED,
            ACCESS_TOKEN_INVALIDATED, ACCESS_TOKEN_REVOKED);
    /** WeCom is busy or limiting: the same call later should pass. Token errors are retriable too. */
    private static final Set<Integer> RETRIABLE = Set.of(SYSTEM_BUSY, API_FREQ_OUT_OF_LIMIT, API_CONCURRENT_OUT_OF_LIMIT);
    /** Tokens and secrets travel in query strings; nothing that might quote a URL reaches a log unredacted. */
    private static final Pattern SECRET_PARAMS = Pattern.compile("(access_token|corpsecret)=[^&\\s]*");

    private ErrorCodes() {
    }

    public static boolean isTokenError(int errcode) {
        return TOKEN_ERRORS.contains(errcode);
    }

    /**
     * The exception for a non-zero errcode. Known transient codes (and token errors, once refreshing
     * did not help) are retriable; everything else, including codes this version does not know, is
     * permanent: retrying an unknown refusal would only hide it for the length of the retry budget.
     */
    public static WeComException forAnswer(int errcode, String errmsg) {
        String msg = errmsg == null ? "" : redact(errmsg);
        if (RETRIABLE.contains(errcode) || TOKEN_ERRORS.contains(errcode)) {
            return new RetriableWeComException(errcode, msg);
        }
        return new PermanentWeComException(errcode, msg);
    }

    /** The exception for a call that failed without a WeCom answer, or the WeCom exception itself. */
    public static WeComException forFailure(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof WeComException w) {
            return w;
        }
        if (t instanceof HttpTimeoutException) {
            return new RetriableWeComException("timeout", "no answer within the request timeout", null);
        }
        if (t instanceof IOException) {
            return new RetriableWeComException("io", t.getClass().getSimpleName() + ": " + redact(String.valueOf(t.getMessage())), null);
        }
        // A bug of ours must not be retried for minutes and then blamed on WeCom: it is permanent.
        return new PermanentWeComException("client_error", t.getClass().getSimpleName() + ": "
                + redact(String.valueOf(t.getMessage())));
    }

    /** {@code text} with the values of {@code access_token=} and {@code corpsecret=} masked. */
    public static String redact(String text) {
        return SECRET_PARAMS.matcher(text).replaceAll("$1=***");
    }
}
