package dev.wecompipeline.sandbox;

/**
 * The WeCom server API endpoints the sandbox serves.
 *
 * <pre>{@code
 * sandbox.faults().failNext(ApiEndpoint.GETTOKEN, WeComErrors.API_FREQ_OUT_OF_LIMIT, 1);
 * }</pre>
 */
public enum ApiEndpoint {
    /** {@code GET /cgi-bin/gettoken}. */
    GETTOKEN("/cgi-bin/gettoken"),
    /** {@code POST /cgi-bin/message/send}. */
    MESSAGE_SEND("/cgi-bin/message/send"),
    /** {@code GET /cgi-bin/media/get}. */
    MEDIA_GET("/cgi-bin/media/get"),
    /** {@code POST /cgi-bin/media/upload}. */
    MEDIA_UPLOAD("/cgi-bin/media/upload");

    private final String path;

    ApiEndpoint(String path) {
        this.path = path;
    }

    public String path() {
        return path;
    }
}
