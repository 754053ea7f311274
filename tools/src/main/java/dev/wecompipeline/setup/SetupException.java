package dev.wecompipeline.setup;

/** Setup cannot go on as asked (conflicting files or options); the message says what to do instead. */
public final class SetupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SetupException(String message) {
        super(message);
    }
}
