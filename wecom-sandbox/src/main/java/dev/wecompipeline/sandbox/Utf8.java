package dev.wecompipeline.sandbox;

import java.nio.charset.StandardCharsets;

/** UTF-8 byte-limit helpers. */
final class Utf8 {

    private Utf8() {
    }

    /**
     * The longest prefix of {@code text} whose UTF-8 encoding fits in {@code maxBytes}. WeCom cuts
     * at the byte limit; cutting back to the last whole code point keeps the stand-in from
     * producing invalid UTF-8 that no Java string (or client) could hold.
     */
    static String truncate(String text, int maxBytes) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return text;
        }
        int end = maxBytes;
        // bytes[end] is the first byte left out; while it is a continuation byte (10xxxxxx) the
        // code point it belongs to started inside the kept part, so leave that one out as well.
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    static int length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
