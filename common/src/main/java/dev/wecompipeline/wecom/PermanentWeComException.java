package dev.wecompipeline.wecom;

/** A failure that repeating the call cannot fix: the message goes to the dead-letter topic at once. */
public final class PermanentWeComException extends WeComException {

    public PermanentWeComException(int errcode, String errmsg) {
        super(errcode, errmsg, Integer.toString(errcode), null);
    }

    /** A refusal decided before calling WeCom (e.g. {@code unknown_app}). */
    public PermanentWeComException(String code, String errmsg) {
        super(NO_ERRCODE, errmsg, code, null);
    }
}
