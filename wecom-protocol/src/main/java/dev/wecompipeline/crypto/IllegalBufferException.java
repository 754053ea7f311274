package dev.wecompipeline.crypto;

/**
 * The ciphertext decrypted, but the plaintext is not a well-formed WXBizMsgCrypt frame: bad PKCS#7 padding, a length field that is negative or points past the buffer, or a message that is not valid UTF-8. Usually a wrong AES key or a tampered ciphertext.
 *
 * <p>Error code {@link WeComCryptoException#ILLEGAL_BUFFER}.
 */
public class IllegalBufferException extends WeComCryptoException {

    private static final long serialVersionUID = 1L;

    /** @param message what failed, free of secrets and plaintext */
    public IllegalBufferException(String message) {
        super(ILLEGAL_BUFFER, message, null);
    }

    /**
     * @param message what failed, free of secrets and plaintext
     * @param cause the underlying failure, or {@code null}
     */
    public IllegalBufferException(String message, Throwable cause) {
        super(ILLEGAL_BUFFER, message, cause);
    }
}
