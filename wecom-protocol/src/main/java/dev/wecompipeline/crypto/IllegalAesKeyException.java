package dev.wecompipeline.crypto;

/**
 * The configured EncodingAESKey is not 43 characters of base64 that decode (after appending {@code =}) to 32 bytes. A configuration error, raised when {@link WxBizMsgCrypt} is built.
 *
 * <p>Error code {@link WeComCryptoException#ILLEGAL_AES_KEY}.
 */
public class IllegalAesKeyException extends WeComCryptoException {

    private static final long serialVersionUID = 1L;

    /** @param message what failed, free of secrets and plaintext */
    public IllegalAesKeyException(String message) {
        super(ILLEGAL_AES_KEY, message, null);
    }

    /**
     * @param message what failed, free of secrets and plaintext
     * @param cause the underlying failure, or {@code null}
     */
    public IllegalAesKeyException(String message, Throwable cause) {
        super(ILLEGAL_AES_KEY, message, cause);
    }
}
