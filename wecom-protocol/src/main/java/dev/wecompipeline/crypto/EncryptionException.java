package dev.wecompipeline.crypto;

/**
 * A reply could not be encrypted: the plaintext is missing or is not valid Unicode, or the platform's AES cipher failed.
 *
 * <p>Error code {@link WeComCryptoException#ENCRYPT_AES_ERROR}.
 */
public class EncryptionException extends WeComCryptoException {

    private static final long serialVersionUID = 1L;

    /** @param message what failed, free of secrets and plaintext */
    public EncryptionException(String message) {
        super(ENCRYPT_AES_ERROR, message, null);
    }

    /**
     * @param message what failed, free of secrets and plaintext
     * @param cause the underlying failure, or {@code null}
     */
    public EncryptionException(String message, Throwable cause) {
        super(ENCRYPT_AES_ERROR, message, cause);
    }
}
