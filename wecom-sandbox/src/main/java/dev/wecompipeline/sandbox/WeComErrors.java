package dev.wecompipeline.sandbox;

import java.util.Map;

/**
 * The WeCom {@code errcode} values the sandbox answers, with the {@code errmsg} text WeCom puts
 * before its hint. Clients must branch on the number only; the text is here so logs and
 * dashboards look like the real thing.
 *
 * <pre>{@code
 * sandbox.faults().failNext(WeComErrors.API_FREQ_OUT_OF_LIMIT, 3);
 * }</pre>
 */
public final class WeComErrors {

    public static final int OK = 0;
    /** Transient: retry with backoff. */
    public static final int SYSTEM_BUSY = -1;
    public static final int INVALID_CREDENTIAL = 40001;
    public static final int INVALID_USERID = 40003;
    public static final int INVALID_MESSAGE_TYPE = 40008;
    public static final int INVALID_FILE_TYPE = 40005;
    public static final int INVALID_FILE_SIZE = 40006;
    public static final int INVALID_MEDIA_ID = 40007;
    public static final int INVALID_IMAGE_SIZE = 40009;
    public static final int INVALID_VOICE_SIZE = 40010;
    public static final int INVALID_VIDEO_SIZE = 40011;
    public static final int INVALID_CORPID = 40013;
    public static final int INVALID_ACCESS_TOKEN = 40014;
    public static final int INVALID_AGENTID = 40056;
    public static final int ACCESS_TOKEN_MISSING = 41001;
    public static final int CORPID_MISSING = 41002;
    public static final int CORPSECRET_MISSING = 41004;
    public static final int MEDIA_DATA_MISSING = 41005;
    public static final int MEDIA_ID_MISSING = 41006;
    public static final int ACCESS_TOKEN_EXPIRED = 42001;
    public static final int ACCESS_TOKEN_INVALIDATED = 42007;
    public static final int ACCESS_TOKEN_REVOKED = 42009;
    public static final int EMPTY_CONTENT = 44004;
    public static final int CONTENT_TOO_LARGE = 45002;
    public static final int API_FREQ_OUT_OF_LIMIT = 45009;
    public static final int API_CONCURRENT_OUT_OF_LIMIT = 45033;
    public static final int DATA_FORMAT_ERROR = 47001;
    public static final int INVALID_MEDIA_TYPE = 40004;
    public static final int NO_API_PERMISSION = 48002;
    public static final int NO_USER_PERMISSION = 60011;
    public static final int IP_NOT_ALLOWED = 60020;
    public static final int ALL_RECIPIENTS_INVALID = 81013;
    public static final int USER_PARTY_TAG_ALL_INVALID = 82001;
    public static final int NO_APP_PERMISSION = 301002;

    private static final Map<Integer, String> MESSAGES = Map.ofEntries(
            Map.entry(OK, "ok"),
            Map.entry(SYSTEM_BUSY, "system busy"),
            Map.entry(INVALID_CREDENTIAL, "invalid credential"),
            Map.entry(INVALID_USERID, "invalid userid"),
            Map.entry(INVALID_MESSAGE_TYPE, "invalid message type"),
            Map.entry(INVALID_MEDIA_TYPE, "invalid media type"),
            Map.entry(INVALID_FILE_TYPE, "invalid file type"),
            Map.entry(INVALID_FILE_SIZE, "invalid file size"),
            Map.entry(INVALID_MEDIA_ID, "invalid media_id"),
            Map.entry(INVALID_IMAGE_SIZE, "invalid image size"),
            Map.entry(INVALID_VOICE_SIZE, "invalid voice size"),
            Map.entry(INVALID_VIDEO_SIZE, "invalid video size"),
            Map.entry(MEDIA_DATA_MISSING, "media data missing"),
            Map.entry(MEDIA_ID_MISSING, "media_id missing"),
            Map.entry(INVALID_CORPID, "invalid corpid"),
            Map.entry(INVALID_ACCESS_TOKEN, "invalid access_token"),
            Map.entry(INVALID_AGENTID, "invalid agentid"),
            Map.entry(ACCESS_TOKEN_MISSING, "access_token missing"),
            Map.entry(CORPID_MISSING, "corpid missing"),
            Map.entry(CORPSECRET_MISSING, "corpsecret missing"),
            Map.entry(ACCESS_TOKEN_EXPIRED, "access_token expired"),
            Map.entry(ACCESS_TOKEN_INVALIDATED, "access_token invalidated"),
            Map.entry(ACCESS_TOKEN_REVOKED, "access_token invalidated, get a new one"),
            Map.entry(EMPTY_CONTENT, "empty content"),
            Map.entry(CONTENT_TOO_LARGE, "message content size exceed limit"),
            Map.entry(API_FREQ_OUT_OF_LIMIT, "api freq out of limit"),
            Map.entry(API_CONCURRENT_OUT_OF_LIMIT, "api concurrent out of limit"),
            Map.entry(DATA_FORMAT_ERROR, "data format error"),
            Map.entry(NO_API_PERMISSION, "api forbidden"),
            Map.entry(NO_USER_PERMISSION, "no privilege to access/modify contact/party/agent"),
            Map.entry(IP_NOT_ALLOWED, "not allow to access from your ip"),
            Map.entry(ALL_RECIPIENTS_INVALID, "user & party & tag all invalid"),
            Map.entry(USER_PARTY_TAG_ALL_INVALID, "user & party & tag all invalid"),
            Map.entry(NO_APP_PERMISSION, "no permission of this app"));

    private WeComErrors() {
    }

    /** WeCom's text for an error code; {@code "unknown error"} for codes the sandbox doesn't know. */
    public static String message(int errcode) {
        return MESSAGES.getOrDefault(errcode, "unknown error");
    }

    /**
     * The full {@code errmsg} as WeCom writes it for a failure: the text, a hint WeCom's support
     * uses to find the request, the caller's IP and a link. Successes ({@code 0}) get a bare "ok".
     */
    static String messageWithHint(int errcode, String text, String hint, String callerIp) {
        if (errcode == OK) {
            return text;
        }
        return text + ", hint: [" + hint + "], from ip: " + callerIp
                + ", more info at https://open.work.weixin.qq.com/devtool/query?e=" + errcode;
    }
}
