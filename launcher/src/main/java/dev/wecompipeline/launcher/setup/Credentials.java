package dev.wecompipeline.launcher.setup;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Pattern;

import dev.wecompipeline.config.AppConfig;
import dev.wecompipeline.crypto.WxBizMsgCrypt;
import dev.wecompipeline.crypto.WeComCryptoException;

/**
 * The callback Token and EncodingAESKey: generated as WeCom's admin console generates them, or
 * checked when pasted from it.
 *
 * <pre>{@code
 * Credentials c = new Credentials(new SecureRandom());
 * String token = c.newToken();            // 32 letters and digits
 * String key = c.newEncodingAesKey();     // 43 characters: base64 of 32 random bytes without '='
 * }</pre>
 */
public final class Credentials {

    /** WeCom's console generates tokens of up to 32 letters and digits; 32 gives ~190 bits. */
    public static final int TOKEN_LENGTH = 32;
    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    /** The console accepts letters and digits only, up to 32 characters. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9]{1,32}");
    private static final int AES_KEY_BYTES = 32;

    private final Random random;

    /** @param random a {@link SecureRandom} in production; tests may pass a seeded one */
    public Credentials(Random random) {
        this.random = random;
    }

    public String newToken() {
        StringBuilder token = new StringBuilder(TOKEN_LENGTH);
        for (int i = 0; i < TOKEN_LENGTH; i++) {
            token.append(ALPHANUMERIC.charAt(random.nextInt(ALPHANUMERIC.length())));
        }
        return token.toString();
    }

    public String newEncodingAesKey() {
        byte[] key = new byte[AES_KEY_BYTES];
        random.nextBytes(key);
        // 32 bytes are 44 base64 characters ending in one '='; WeCom's form drops it.
        String encoded = Base64.getEncoder().withoutPadding().encodeToString(key);
        if (encoded.length() != AppConfig.ENCODING_AES_KEY_LENGTH) {
            throw new IllegalStateException("generated key has " + encoded.length() + " characters");
        }
        return encoded;
    }

    /** Why {@code token} would not work in WeCom's console, or empty if it is fine. Never quotes the value. */
    public static Optional<String> tokenProblem(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.of("the Token is empty");
        }
        if (!TOKEN.matcher(token).matches()) {
            return Optional.of("the Token must be 1-32 letters and digits (WeCom's rule), got " + token.length()
                    + " characters" + (token.chars().anyMatch(Character::isWhitespace) ? " including whitespace" : ""));
        }
        return Optional.empty();
    }

    /**
     * Why {@code key} is not a usable EncodingAESKey, or empty if it is fine: the same rules as
     * {@link AppConfig} and {@link WxBizMsgCrypt} (43 characters, base64 of 32 bytes). Never quotes the value.
     */
    public static Optional<String> encodingAesKeyProblem(String key) {
        if (key == null || key.isEmpty()) {
            return Optional.of("the EncodingAESKey is empty");
        }
        if (key.length() != AppConfig.ENCODING_AES_KEY_LENGTH) {
            return Optional.of("the EncodingAESKey must be " + AppConfig.ENCODING_AES_KEY_LENGTH + " characters, got "
                    + key.length() + " (copied only part of it?)");
        }
        try {
            new WxBizMsgCrypt("t", key, "c");
        } catch (WeComCryptoException | IllegalArgumentException e) {
            return Optional.of("the EncodingAESKey is not base64 of 32 bytes; copy it again from the admin console");
        }
        return Optional.empty();
    }
}
