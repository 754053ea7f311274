package dev.wecompipeline.reply;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a reply into pieces WeCom shows whole: each at most {@code maxBytes} UTF-8 bytes (WeCom
 * silently cuts text and markdown content after 2048 bytes, about 680 Chinese characters).
 *
 * <p>A cut never falls inside a code point or a surrogate pair. Within the second half of the
 * allowed length it prefers, in this order: a paragraph break ({@code \n\n}), a line break, the end
 * of a sentence (full-width {@code 。！？} anywhere, {@code . ! ?} before white space), white space
 * between words; only without any of these is a line cut mid-word. Boundaries in the first half are
 * ignored because they would turn one long answer into many short messages, and every message
 * counts against WeCom's 30-a-minute limit per user.
 *
 * <p>In text mode the chunks concatenate to the original. In markdown mode a {@code ```} code fence
 * that is open at a cut is closed at the end of that chunk and reopened, with the same info string,
 * at the start of the next, so every chunk renders on its own; those added bytes count against the
 * limit. Chunking is deterministic: the same text always gives the same chunks, which is what lets
 * WeCom's duplicate check recognise a chunk sent again after a crash.
 *
 * <pre>{@code
 * List<String> chunks = new ReplySplitter(2048, false).split(longAnswer);
 * }</pre>
 */
public final class ReplySplitter {

    /** The longest UTF-8 code point: a smaller limit could not hold every character. */
    public static final int MIN_BYTES = 4;
    private static final String FENCE = "```";
    /** "\n```": the most a fence closing adds to a chunk. */
    private static final int CLOSE_BYTES = 4;

    /** A fence line of the whole text: [start, end) including its newline, and the fence open after it. */
    private record FenceLine(int start, int end, boolean opens, String openAfter) {
    }

    private final int maxBytes;
    private final boolean markdown;

    /**
     * @param maxBytes most UTF-8 bytes per chunk, at least {@value #MIN_BYTES}
     * @param markdown keep {@code ```} code fences balanced in every chunk
     */
    public ReplySplitter(int maxBytes, boolean markdown) {
        if (maxBytes < MIN_BYTES) {
            throw new IllegalArgumentException("maxBytes must be at least " + MIN_BYTES + ", got " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.markdown = markdown;
    }

    /** The chunks of {@code text}, in order; none for an empty text. */
    public List<String> split(String text) {
        List<String> out = new ArrayList<>();
        List<FenceLine> fences = markdown ? fenceLines(text) : List.of();
        int pos = 0;
        while (pos < text.length()) {
            String openInfo = fenceOpenAt(fences, pos);
            String prefix = openInfo == null ? "" : FENCE + openInfo + "\n";
            // A fence whose reopening would eat most of a chunk is left as it is: better an unbalanced
            // fence than a reply cut into slivers.
            boolean balance = openInfo != null && utf8Length(prefix) + CLOSE_BYTES <= maxBytes / 2;
            if (!balance) {
                prefix = "";
            }
            int budget = maxBytes - utf8Length(prefix);
            int end = cut(text, pos, budget, fences);
            boolean close = markdown && end < text.length() && fenceOpenAt(fences, end) != null
                    && utf8Length(FENCE + fenceOpenAt(fences, end) + "\n") + CLOSE_BYTES <= maxBytes / 2;
            if (close) {
                end = cut(text, pos, budget - CLOSE_BYTES, fences);
                close = end < text.length() && fenceOpenAt(fences, end) != null;
            }
            String body = text.substring(pos, end);
            String suffix = close ? (body.endsWith("\n") ? FENCE : "\n" + FENCE) : "";
            out.add(prefix + body + suffix);
            pos = end;
        }
        return out;
    }

    /** UTF-8 length of {@code s}, counting a lone surrogate as 3 bytes (conservatively). */
    public static int utf8Length(CharSequence s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** Where the chunk starting at {@code pos} with {@code budget} bytes ends (exclusive). */
    private int cut(String text, int pos, int budget, List<FenceLine> fences) {
        int limit = maxEnd(text, pos, Math.max(budget, MIN_BYTES));
        if (limit == text.length()) {
            return limit;
        }
        int floor = pos + (limit - pos) / 2;
        int cut = bestBoundary(text, pos, floor, limit);
        return markdown ? avoidFenceLine(fences, pos, cut) : cut;
    }

    private static int bestBoundary(String text, int pos, int floor, int limit) {
        int paragraph = text.lastIndexOf("\n\n", limit - 2);
        if (paragraph >= 0 && paragraph + 2 > Math.max(floor, pos)) {
            return paragraph + 2;
        }
        int line = text.lastIndexOf('\n', limit - 1);
        if (line >= 0 && line + 1 > Math.max(floor, pos)) {
            return line + 1;
        }
        for (int i = limit - 1; i >= floor && i > pos - 1; i--) {
            char c = text.charAt(i);
            if (c == '。' || c == '！' || c == '？') {
                return i + 1;
            }
            if ((c == '.' || c == '!' || c == '?') && i + 1 < text.length() && Character.isWhitespace(text.charAt(i + 1))) {
                // Keep the space with the sentence it ends when it fits, so the next chunk starts with a word.
                return i + 2 <= limit ? i + 2 : i + 1;
            }
        }
        for (int i = limit - 1; i >= floor && i >= pos; i--) {
            if (Character.isWhitespace(text.charAt(i)) && i + 1 > pos) {
                return i + 1;
            }
        }
        return limit;
    }

    /** The largest end index whose slice from {@code pos} fits {@code budget} bytes, on a code point boundary. */
    private static int maxEnd(String text, int pos, int budget) {
        int bytes = 0;
        int i = pos;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int n = Character.charCount(cp);
            int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + size > budget) {
                break;
            }
            bytes += size;
            i += n;
        }
        if (i == pos) {
            // Cannot happen with budget >= 4; never loop forever if it did.
            i += Character.charCount(text.codePointAt(pos));
        }
        return i;
    }

    /** Moves a cut that falls inside a fence line, or right after an opening one, to that line's start. */
    private static int avoidFenceLine(List<FenceLine> fences, int pos, int cut) {
        for (FenceLine f : fences) {
            if (f.start() >= cut) {
                break;
            }
            boolean inside = f.start() < cut && cut < f.end();
            boolean justOpened = f.opens() && cut == f.end();
            if ((inside || justOpened) && f.start() > pos) {
                return f.start();
            }
        }
        return cut;
    }

    /** The info string of the fence open at index {@code at} (after every fence line ending at or before it), or null. */
    private static String fenceOpenAt(List<FenceLine> fences, int at) {
        String open = null;
        for (FenceLine f : fences) {
            if (f.end() > at) {
                break;
            }
            open = f.openAfter();
        }
        return open;
    }

    /** Every line that opens or closes a {@code ```} fence, in order, with the state after it. */
    private static List<FenceLine> fenceLines(String text) {
        List<FenceLine> out = new ArrayList<>();
        String open = null;
        int start = 0;
        while (start < text.length()) {
            int newline = text.indexOf('\n', start);
            int end = newline < 0 ? text.length() : newline + 1;
            String line = text.substring(start, newline < 0 ? end : newline);
            String stripped = stripIndent(line);
            if (stripped != null && stripped.startsWith(FENCE)) {
                String rest = stripped.substring(FENCE.length()).strip();
                if (open == null) {
                    open = rest;
                    out.add(new FenceLine(start, end, true, open));
                } else if (rest.isEmpty() || rest.chars().allMatch(ch -> ch == '`')) {
                    open = null;
                    out.add(new FenceLine(start, end, false, null));
                }
            }
            start = end;
        }
        return out;
    }

    /** The line without up to three leading spaces (CommonMark's fence indent), or null if indented more. */
    private static String stripIndent(String line) {
        int i = 0;
        while (i < line.length() && i < 4 && line.charAt(i) == ' ') {
            i++;
        }
        return i > 3 ? null : line.substring(i);
    }
}
