package dev.wecompipeline.crypto;

/**
 * AES decryption failed. Raised for a ciphertext that is empty or not a whole number of 16-byte AES blocks (as Tencent's SDK does, where the cipher itself refuses such input).
 *
 * <p>Error code {@link WeComCryptoException#DECRYPT_AES_ERROR}.
 */
public class DecryptionException extends WeComCryptoException {

    private static final long serialVersionUID = 1L;

    /** @param message what failed, free of secrets and plaintext */
    public DecryptionException(String message) {
        super(DECRYPT_AES_ERROR, message, null);
    }

    /**
     * @param message what failed, free of secrets and plaintext
     * @param cause the underlying failure, or {@code null}
     */
    public DecryptionException(String message, Throwable cause) {
        super(DECRYPT_AES_ERROR, message, cause);
    }
}
