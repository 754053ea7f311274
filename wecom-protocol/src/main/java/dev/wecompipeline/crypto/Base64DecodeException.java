package dev.wecompipeline.crypto;

/**
 * The ciphertext is missing or is not valid (standard, padded) base64.
 *
 * <p>Error code {@link WeComCryptoException#DECODE_BASE64_ERROR}.
 */
public class Base64DecodeException extends WeComCryptoException {

    private static final long serialVersionUID = 1L;

    /** @param message what failed, free of secrets and plaintext */
    public Base64DecodeException(String message) {
        super(DECODE_BASE64_ERROR, message, null);
    }

    /**
     * @param message what failed, free of secrets and plaintext
     * @param cause the underlying failure, or {@code null}
     */
    public Base64DecodeException(String message, Throwable cause) {
        super(DECODE_BASE64_ERROR, message, cause);
    }
}
