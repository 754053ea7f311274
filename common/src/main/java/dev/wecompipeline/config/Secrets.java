package dev.wecompipeline.config;

/**
 * The one place secrets are turned into something safe to print.
 *
 * <p>Masked values keep the length (a truncated EncodingAESKey is the most common setup mistake,
 * so "42 chars" is a useful hint) and, for long values only, the first and last two characters so
 * an operator can tell two keys apart: {@code ab****yz (43 chars)}. Short values show nothing but
 * their length: {@code ****(8 chars)}.
 */
public final class Secrets {

    /** Below this length revealing four characters would give away too much of the value. */
    static final int MIN_LENGTH_TO_SHOW_EDGES = 16;

    private Secrets() {
    }

    /**
     * A printable stand-in for {@code secret}.
     *
     * @param secret the value to hide; may be {@code null}
     * @return {@code (unset)}, {@code (empty)}, {@code ****(N chars)} or {@code ab****yz (N chars)}
     */
    public static String mask(String secret) {
        if (secret == null) {
            return "(unset)";
        }
        if (secret.isEmpty()) {
            return "(empty)";
        }
        int length = secret.length();
        if (length < MIN_LENGTH_TO_SHOW_EDGES) {
            return "****(" + length + " chars)";
        }
        return secret.substring(0, 2) + "****" + secret.substring(length - 2) + " (" + length + " chars)";
    }
}
