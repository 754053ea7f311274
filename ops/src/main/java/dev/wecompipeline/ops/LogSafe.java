package dev.wecompipeline.ops;

/**
 * Makes a value from unauthenticated input safe to copy into a log line: control characters are
 * escaped and the length is capped, so a caller cannot forge log lines (a CR/LF followed by text
 * that looks like another entry) or flood the log with one huge value.
 *
 * <p>Escaped: C0 controls and DEL ({@code \r}, {@code \n}, {@code \t} by name, the rest as a
 * backslash, {@code u} and four hex digits), C1 controls ({@code U+0080}..{@code U+009F}, including NEL) and the Unicode line
 * and paragraph separators ({@code U+2028}, {@code U+2029}), which some log viewers also break on.
 * Backslashes are left alone: the output never contains a line break, which is what matters, and
 * escaping twice then changes nothing.
 *
 * <pre>{@code
 * LOG.info("rejected callback for corp {}", LogSafe.of(envelope.toUserName()));
 * }</pre>
 */
public final class LogSafe {

    /** Longer values are cut: a corp id, user id or path of a real callback is far shorter. */
    public static final int DEFAULT_MAX_CHARS = 128;
    /** Appended when a value was cut, with the original length, so the cut is visible in the log. */
    static final String ELLIPSIS = "…";

    private LogSafe() {
    }

    /** {@code value} escaped and capped at {@value #DEFAULT_MAX_CHARS} characters; {@code "null"} for null. */
    public static String of(Object value) {
        return of(value, DEFAULT_MAX_CHARS);
    }

    /** {@code value} escaped and capped at {@code maxChars} characters of the input. */
    public static String of(Object value, int maxChars) {
        if (value == null) {
            return "null";
        }
        String s = value.toString();
        int end = Math.min(s.length(), Math.max(maxChars, 0));
        if (end < s.length() && end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--; // never cut a surrogate pair in half
        }
        StringBuilder out = new StringBuilder(end + 16);
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04X", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (end < s.length()) {
            out.append(ELLIPSIS).append('(').append(s.length()).append(" chars)");
        }
        return out.toString();
    }
}
