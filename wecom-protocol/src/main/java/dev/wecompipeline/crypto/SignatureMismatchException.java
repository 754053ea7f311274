package dev.wecompipeline.crypto;

/**
 * The {@code msg_signature} does not match the token, timestamp, nonce and ciphertext, or one of them is missing. The request did not come from WeCom (or the token is misconfigured).
 *
 * <p>Error code {@link WeComCryptoException#VALIDATE_SIGNATURE_ERROR}.
 */
public class SignatureMismatchException extends WeComCryptoException {

    private static final long serialVersionUID = 1L;

    /** @param message what failed, free of secrets and plaintext */
    public SignatureMismatchException(String message) {
        super(VALIDATE_SIGNATURE_ERROR, message, null);
    }

    /**
     * @param message what failed, free of secrets and plaintext
     * @param cause the underlying failure, or {@code null}
     */
    public SignatureMismatchException(String message, Throwable cause) {
        super(VALIDATE_SIGNATURE_ERROR, message, cause);
    }
}
