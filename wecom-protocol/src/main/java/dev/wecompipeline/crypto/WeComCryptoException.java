package dev.wecompipeline.crypto;

/**
 * Root of every error raised while verifying, decrypting, encrypting or parsing a WeCom callback.
 *
 * <p>{@link #errorCode()} carries the code Tencent's WXBizMsgCrypt SDK uses for the same failure,
 * so logs and metrics line up with WeCom's documentation. All of these errors are permanent for the
 * request that caused them: retrying the same bytes fails the same way. A callback rejected with one
 * of them should be answered with an HTTP 4xx, never retried by us.
 *
 * <p>These are high-rate protocol errors (anyone on the internet can post garbage to a callback
 * URL), so no stack trace is captured. Messages never contain the token, the AES key or any
 * decrypted text.
 *
 * <p>The specific subclasses exist per concept; codes without a dedicated subclass
 * ({@link #COMPUTE_SIGNATURE_ERROR}, {@link #ENCODE_BASE64_ERROR}, {@link #GEN_RETURN_XML_ERROR})
 * are raised as this class.
 */
public class WeComCryptoException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The signature does not match, or the timestamp is outside the freshness window. */
    public static final int VALIDATE_SIGNATURE_ERROR = -40001;
    /** The callback body or the decrypted message is not acceptable XML. */
    public static final int PARSE_XML_ERROR = -40002;
    /** The signature could not be computed (missing input). */
    public static final int COMPUTE_SIGNATURE_ERROR = -40003;
    /** The EncodingAESKey is not 43 characters of base64 encoding 32 bytes. */
    public static final int ILLEGAL_AES_KEY = -40004;
    /** The receive_id inside the decrypted message is not the configured one (corp id). */
    public static final int VALIDATE_CORPID_ERROR = -40005;
    /** AES encryption failed. */
    public static final int ENCRYPT_AES_ERROR = -40006;
    /** AES decryption failed (including a ciphertext that is not whole AES blocks). */
    public static final int DECRYPT_AES_ERROR = -40007;
    /** The decrypted buffer is malformed: bad padding, bad length field, bad UTF-8. */
    public static final int ILLEGAL_BUFFER = -40008;
    /** Base64 encoding failed. */
    public static final int ENCODE_BASE64_ERROR = -40009;
    /** The ciphertext is not valid base64. */
    public static final int DECODE_BASE64_ERROR = -40010;
    /** Tencent's SDK: the passive-reply XML could not be generated (this code builds no passive replies). */
    public static final int GEN_RETURN_XML_ERROR = -40011;

    private final int errorCode;

    /**
     * @param errorCode one of the Tencent codes declared on this class
     * @param message what failed, free of secrets and plaintext
     */
    public WeComCryptoException(int errorCode, String message) {
        this(errorCode, message, null);
    }

    /**
     * @param errorCode one of the Tencent codes declared on this class
     * @param message what failed, free of secrets and plaintext
     * @param cause the underlying failure, or {@code null}; must not carry plaintext in its message
     */
    public WeComCryptoException(int errorCode, String message, Throwable cause) {
        super(message, cause, true, false);
        this.errorCode = errorCode;
    }

    /** Tencent's error code for this failure, e.g. {@code -40001}. */
    public int errorCode() {
        return errorCode;
    }

    @Override
    public String toString() {
        return getClass().getName() + " (" + errorCode + "): " + getMessage();
    }
}
