package dev.wecompipeline.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.random.RandomGenerator;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * WeCom callback crypto, wire-compatible with Tencent's {@code WXBizMsgCrypt} SDK.
 *
 * <p>Verifies {@code msg_signature} (SHA-1 over the sorted token, timestamp, nonce and ciphertext,
 * compared in constant time), checks the timestamp is fresh, decrypts AES-256-CBC with the
 * EncodingAESKey, strictly checks the PKCS#7 padding (to 32 bytes), the length field and the
 * receive_id (the corp id); encrypts the other way for {@link CallbackEncoder}, which builds
 * callbacks as WeCom sends them (the simulator, the bench, {@code doctor}).
 *
 * <p>Instances are immutable and thread-safe: a {@link Cipher} is created per call because ciphers
 * are stateful. The injected {@link RandomGenerator} must itself be thread-safe when the instance is
 * shared (the default {@link SecureRandom} is).
 *
 * <pre>{@code
 * WxBizMsgCrypt crypt = new WxBizMsgCrypt(token, encodingAesKey, corpId);
 * // GET  callback: authenticate echostr, then echo its plaintext back as the response body
 * crypt.verifySignature(msgSignature, timestamp, nonce, echostr);
 * String echo = crypt.decrypt(echostr);
 * // POST callback: the same over the envelope's Encrypt; parse the inner XML with WeComXml.parseMessage
 * String encrypt = WeComXml.parseEnvelope(body).encrypt();
 * crypt.verifySignature(msgSignature, timestamp, nonce, encrypt);
 * String inner = crypt.decrypt(encrypt);
 * }</pre>
 *
 * <p>Ciphertexts that are empty or not a whole number of 16-byte AES blocks raise
 * {@link DecryptionException} (-40007), like Tencent's SDK, where the cipher refuses them; every
 * problem found after decryption (padding, length field, UTF-8) raises
 * {@link IllegalBufferException} (-40008).
 */
public final class WxBizMsgCrypt {

    /** Default freshness window for callback timestamps, on either side of our clock. */
    public static final Duration DEFAULT_TIMESTAMP_WINDOW = Duration.ofSeconds(300);

    /** Length of the EncodingAESKey text, as WeCom's admin console generates it. */
    public static final int ENCODING_AES_KEY_LENGTH = 43;

    private static final int AES_KEY_BYTES = 32;
    private static final int AES_BLOCK = 16;
    // 18 digits cannot overflow a long, and epoch seconds need 10 for the next few centuries.
    private static final int MAX_TIMESTAMP_DIGITS = 18;
    private static final String TRANSFORMATION = "AES/CBC/NoPadding";

    private final String token;
    private final String receiveId;
    private final byte[] receiveIdBytes;
    private final SecretKeySpec key;
    private final IvParameterSpec iv;
    private final Duration timestampWindow;
    private final Clock clock;
    private final RandomGenerator random;

    /**
     * Builds an instance with the default timestamp window, the system clock and a
     * {@link SecureRandom}.
     *
     * @param token the callback Token configured in the WeCom admin console
     * @param encodingAesKey the 43-character EncodingAESKey
     * @param receiveId the corp id (or suite id) every message must be addressed to
     * @throws IllegalAesKeyException if the key is malformed
     */
    public WxBizMsgCrypt(String token, String encodingAesKey, String receiveId) {
        this(token, encodingAesKey, receiveId, DEFAULT_TIMESTAMP_WINDOW, Clock.systemUTC(), new SecureRandom());
    }

    /**
     * One Cipher per thread: Cipher is not thread-safe, and re-initialising the same instance with
     * the same key skips the provider lookup and the AES key expansion that a new one pays on every
     * callback (measurable at thousands of callbacks a second).
     */
    private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance(TRANSFORMATION);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(TRANSFORMATION + " unavailable", e);
        }
    });

    /** One SHA-1 per thread, for the same reason: {@code MessageDigest.getInstance} is a provider lookup per call. */
    private static final ThreadLocal<MessageDigest> SHA1_PER_THREAD = ThreadLocal.withInitial(WxBizMsgCrypt::sha1);

    /**
     * @param token the callback Token configured in the WeCom admin console
     * @param encodingAesKey the 43-character EncodingAESKey
     * @param receiveId the corp id (or suite id) every message must be addressed to
     * @param timestampWindow how far a callback timestamp may be from {@code clock}, either way;
     *     {@link Duration#ZERO} disables the check (for replaying recorded vectors)
     * @param clock the time source for the freshness check
     * @param random source of the 16 random bytes prefixed to each encrypted reply
     * @throws IllegalAesKeyException if the key is malformed
     * @throws IllegalArgumentException if the token or receive id is blank or the window negative
     */
    public WxBizMsgCrypt(String token, String encodingAesKey, String receiveId,
                         Duration timestampWindow, Clock clock, RandomGenerator random) {
        this.token = requireNonBlank(token, "token");
        this.receiveId = requireNonBlank(receiveId, "receiveId");
        this.receiveIdBytes = receiveId.getBytes(StandardCharsets.UTF_8);
        this.timestampWindow = Objects.requireNonNull(timestampWindow, "timestampWindow");
        if (timestampWindow.isNegative()) {
            throw new IllegalArgumentException("timestampWindow must not be negative: " + timestampWindow);
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        byte[] aesKey = decodeAesKey(encodingAesKey);
        this.key = new SecretKeySpec(aesKey, "AES");
        this.iv = new IvParameterSpec(aesKey, 0, AES_BLOCK);
        Arrays.fill(aesKey, (byte) 0);
        requireCipherAvailable();
    }

    /**
     * Computes {@code msg_signature}: lowercase hex SHA-1 of token, timestamp, nonce and
     * {@code encrypt}, sorted lexicographically and concatenated.
     *
     * @throws WeComCryptoException with {@link WeComCryptoException#COMPUTE_SIGNATURE_ERROR} if an
     *     argument is null
     */
    public String signature(String timestamp, String nonce, String encrypt) {
        if (timestamp == null || nonce == null || encrypt == null) {
            throw new WeComCryptoException(WeComCryptoException.COMPUTE_SIGNATURE_ERROR,
                    "timestamp, nonce and encrypt are all required to compute a signature");
        }
        String[] parts = {token, timestamp, nonce, encrypt};
        Arrays.sort(parts);
        MessageDigest sha1 = SHA1_PER_THREAD.get();
        for (String part : parts) {
            sha1.update(part.getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(sha1.digest());
    }

    /**
     * Checks {@code msgSignature} in constant time, then the timestamp window (so a
     * {@link StaleTimestampException} always means an authentic but old or future request).
     *
     * @throws SignatureMismatchException if an argument is missing, the signature differs or the
     *     timestamp is not a number of seconds
     * @throws StaleTimestampException if the timestamp is outside the window
     */
    public void verifySignature(String msgSignature, String timestamp, String nonce, String encrypt) {
        if (msgSignature == null || timestamp == null || nonce == null || encrypt == null) {
            throw new SignatureMismatchException(
                    "msg_signature, timestamp, nonce and the ciphertext are all required");
        }
        byte[] expected = signature(timestamp, nonce, encrypt).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, msgSignature.getBytes(StandardCharsets.UTF_8))) {
            throw new SignatureMismatchException("msg_signature does not match");
        }
        checkFreshness(timestamp);
    }

    /**
     * Decrypts a base64 ciphertext and checks its receive_id. This does <em>not</em> authenticate
     * the ciphertext: CBC without a MAC is malleable, and only the signature proves origin. Call
     * {@link #verifySignature} over the same ciphertext first, as the ingress does.
     *
     * @throws Base64DecodeException if the input is missing or not base64
     * @throws DecryptionException if it is not a whole number of AES blocks
     * @throws IllegalBufferException if the plaintext frame is malformed
     * @throws ReceiveIdMismatchException if the frame is addressed to another receive id
     */
    public String decrypt(String encryptBase64) {
        byte[] ciphertext = decodeBase64(encryptBase64);
        if (ciphertext.length == 0 || ciphertext.length % AES_BLOCK != 0) {
            throw new DecryptionException("ciphertext length " + ciphertext.length
                    + " is not a positive multiple of " + AES_BLOCK);
        }
        // Decrypted in place (NoPadding: the plaintext is exactly as long): no second buffer per callback.
        byte[] plain = ciphertext;
        try {
            Cipher cipher = ciphers.get();
            cipher.init(Cipher.DECRYPT_MODE, key, iv);
            cipher.doFinal(ciphertext, 0, ciphertext.length, plain, 0);
        } catch (GeneralSecurityException e) {
            throw new DecryptionException("AES decryption failed: " + e.getClass().getSimpleName(), e);
        }
        try {
            return PlaintextFrame.open(plain, receiveIdBytes);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /**
     * Encrypts {@code plaintext} for this receive id, returning base64. The 16-byte random prefix
     * comes from the injected generator.
     *
     * @throws EncryptionException if the plaintext is null or contains unpaired surrogates
     */
    public String encrypt(String plaintext) {
        if (plaintext == null) {
            throw new EncryptionException("plaintext is required");
        }
        byte[] prefix = new byte[PlaintextFrame.RANDOM_BYTES];
        random.nextBytes(prefix);
        byte[] frame = PlaintextFrame.seal(prefix, plaintext, receiveIdBytes);
        try {
            Cipher cipher = ciphers.get();
            cipher.init(Cipher.ENCRYPT_MODE, key, iv);
            return Base64.getEncoder().encodeToString(cipher.doFinal(frame));
        } catch (GeneralSecurityException e) {
            throw new EncryptionException("AES encryption failed: " + e.getClass().getSimpleName(), e);
        } finally {
            Arrays.fill(frame, (byte) 0);
        }
    }

    /** Reveals the receive id and window only; the token and key stay out of logs. */
    @Override
    public String toString() {
        return "WxBizMsgCrypt[receiveId=" + receiveId + ", timestampWindow=" + timestampWindow + "]";
    }

    private void checkFreshness(String timestamp) {
        if (timestampWindow.isZero()) {
            return;
        }
        if (!isDecimal(timestamp)) {
            throw new SignatureMismatchException("timestamp is not a decimal number of seconds");
        }
        long skew = Long.parseLong(timestamp) - clock.instant().getEpochSecond();
        if (Math.abs(skew) > timestampWindow.toSeconds()) {
            throw new StaleTimestampException(skew, timestampWindow);
        }
    }

    private static boolean isDecimal(String s) {
        if (s.isEmpty() || s.length() > MAX_TIMESTAMP_DIGITS) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static byte[] decodeBase64(String text) {
        if (text == null) {
            throw new Base64DecodeException("ciphertext is missing");
        }
        // Java's decoder tolerates missing '=' padding; WeCom always pads, so anything else is not
        // a WeCom ciphertext.
        if (text.length() % 4 != 0) {
            throw new Base64DecodeException("ciphertext is not padded base64 (length " + text.length() + ")");
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new Base64DecodeException("ciphertext is not valid base64");
        }
    }

    private static byte[] decodeAesKey(String encodingAesKey) {
        if (encodingAesKey == null) {
            throw new IllegalAesKeyException("EncodingAESKey is missing");
        }
        if (encodingAesKey.length() != ENCODING_AES_KEY_LENGTH) {
            throw new IllegalAesKeyException("EncodingAESKey must be " + ENCODING_AES_KEY_LENGTH
                    + " characters, got " + encodingAesKey.length());
        }
        byte[] aesKey;
        try {
            aesKey = Base64.getDecoder().decode(encodingAesKey + "=");
        } catch (IllegalArgumentException e) {
            throw new IllegalAesKeyException("EncodingAESKey is not base64");
        }
        if (aesKey.length != AES_KEY_BYTES) {
            throw new IllegalAesKeyException("EncodingAESKey must decode to " + AES_KEY_BYTES
                    + " bytes, got " + aesKey.length);
        }
        return aesKey;
    }

    private void requireCipherAvailable() {
        // Fail at startup, not on the first callback, if the JRE lacks AES-256 (old policy files).
        try {
            Cipher.getInstance(TRANSFORMATION).init(Cipher.ENCRYPT_MODE, key, iv);
        } catch (GeneralSecurityException e) {
            throw new IllegalAesKeyException("this JRE cannot use the AES-256 key: " + e.getClass().getSimpleName(), e);
        }
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-1, so this is a broken runtime, not bad input.
            throw new WeComCryptoException(WeComCryptoException.COMPUTE_SIGNATURE_ERROR, "SHA-1 unavailable", e);
        }
    }

    private static String requireNonBlank(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }
}
