package dev.wecompipeline.sandbox;

/**
 * The WeCom server API endpoints the sandbox serves.
 *
 * <pre>{@code
 * sandbox.faults().failNext(Api.GETTOKEN, WeComErrors.API_FREQ_OUT_OF_LIMIT, 1);
 * }</pre>
 */
public enum Api {
    /** {@code GET /cgi-bin/gettoken}. */
    GETTOKEN("/cgi-bin/gettoken"),
    /** {@code POST /cgi-bin/message/send}. */
    MESSAGE_SEND("/cgi-bin/message/send");

    private final String path;

    Api(String path) {
        this.path = path;
    }

    public String path() {
        return path;
    }
}
