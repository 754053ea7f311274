package dev.wecompipeline.crypto;

/**
 * The message decrypted, but the receive_id at its end is not the configured one: the message was meant for another corp or app, or the AES key is shared across corps.
 *
 * <p>Error code {@link WeComCryptoException#VALIDATE_CORPID_ERROR}.
 */
public class ReceiveIdMismatchException extends WeComCryptoException {

    private static final long serialVersionUID = 1L;

    /** @param message what failed, free of secrets and plaintext */
    public ReceiveIdMismatchException(String message) {
        super(VALIDATE_CORPID_ERROR, message, null);
    }

    /**
     * @param message what failed, free of secrets and plaintext
     * @param cause the underlying failure, or {@code null}
     */
    public ReceiveIdMismatchException(String message, Throwable cause) {
        super(VALIDATE_CORPID_ERROR, message, cause);
    }
}
