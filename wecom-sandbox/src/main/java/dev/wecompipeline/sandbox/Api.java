package dev.wecompipeline.sandbox;

/** The WeCom server API endpoints the sandbox serves. */
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
