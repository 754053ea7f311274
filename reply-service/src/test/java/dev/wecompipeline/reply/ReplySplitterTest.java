package dev.wecompipeline.reply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class ReplySplitterTest {

    private static final ReplySplitter TEXT = new ReplySplitter(2048, false);
    private static final ReplySplitter MARKDOWN = new ReplySplitter(2048, true);

    @Test
    void a_short_reply_is_one_chunk_unchanged() {
        assertEquals(List.of("你好, world"), TEXT.split("你好, world"));
    }

    @Test
    void an_empty_reply_has_no_chunks() {
        assertEquals(List.of(), TEXT.split(""));
    }

    @Test
    void a_reply_of_exactly_the_limit_is_one_chunk() {
        String text = "a".repeat(2046) + "é";   // 2046 + 2 bytes
        assertEquals(2048, bytes(text));
        assertEquals(List.of(text), TEXT.split(text));
    }

    @Test
    void seven_thousand_bytes_of_chinese_become_chunks_within_the_limit_that_concatenate_to_the_original() {
        StringBuilder b = new StringBuilder();
        int n = 0;
        while (bytes(b) < 7000) {
            b.append("第").append(n++).append("句话讲的是企业微信的消息长度限制");
            b.append(n % 7 == 0 ? "。\n" : n % 3 == 0 ? "！" : "，");
        }
        String text = b.toString();
        assertTrue(bytes(text) >= 7000);

        List<String> chunks = TEXT.split(text);

        assertTrue(chunks.size() >= 4, "7000 bytes need at least 4 chunks of 2048, got " + chunks.size());
        chunks.forEach(c -> assertTrue(bytes(c) <= 2048, "chunk of " + bytes(c) + " bytes"));
        assertEquals(text, String.join("", chunks));
        // Each chunk but the last ends at a line break: the text has one every seven sentences.
        chunks.subList(0, chunks.size() - 1).forEach(c -> assertTrue(c.endsWith("\n"), "ends at a line: " + tail(c)));
    }

    @Test
    void chinese_without_line_breaks_is_cut_after_a_full_width_sentence_end() {
        String text = "这是一个很长的句子，没有换行。".repeat(200);

        List<String> chunks = TEXT.split(text);

        assertTrue(chunks.size() > 1);
        chunks.subList(0, chunks.size() - 1).forEach(c -> assertTrue(c.endsWith("。"), tail(c)));
        assertEquals(text, String.join("", chunks));
    }

    @Test
    void emoji_surrogate_pairs_are_never_split() {
        String text = "😀🎉👍🏽".repeat(600);   // 4-byte code points, one of them with a 4-byte modifier

        List<String> chunks = TEXT.split(text);

        assertTrue(chunks.size() > 1);
        for (String c : chunks) {
            assertTrue(bytes(c) <= 2048);
            assertFalse(Character.isLowSurrogate(c.charAt(0)), "starts inside a pair");
            assertFalse(Character.isHighSurrogate(c.charAt(c.length() - 1)), "ends inside a pair");
            assertEquals(c, new String(c.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8), "valid UTF-16");
        }
        assertEquals(text, String.join("", chunks));
    }

    @Test
    void a_paragraph_break_is_preferred_to_a_later_line_break() {
        String para = "x".repeat(60) + "\n\n";
        String lines = ("y".repeat(10) + "\n").repeat(3);
        String text = para + lines + "z".repeat(100);
        ReplySplitter splitter = new ReplySplitter(100, false);

        List<String> chunks = splitter.split(text);

        assertEquals(para, chunks.get(0));
        assertEquals(text, String.join("", chunks));
    }

    @Test
    void a_line_break_is_preferred_to_a_later_sentence_end() {
        String text = "a".repeat(60) + "\n" + "Done. More. " + "b".repeat(100);

        List<String> chunks = new ReplySplitter(100, false).split(text);

        assertEquals("a".repeat(60) + "\n", chunks.get(0));
    }

    @Test
    void a_sentence_end_is_preferred_to_a_later_word_break() {
        String text = "word ".repeat(12) + "Stop. " + "more words here " + "c".repeat(100);

        List<String> chunks = new ReplySplitter(100, false).split(text);

        assertTrue(chunks.get(0).endsWith("Stop. "), chunks.get(0));
        assertEquals(text, String.join("", chunks));
    }

    @Test
    void a_dot_inside_a_word_is_not_a_sentence_end() {
        String text = "see example.com/" + "d".repeat(50) + " and version 1.2.3" + "e".repeat(100);

        List<String> chunks = new ReplySplitter(100, false).split(text);

        // Neither "example." nor "1.2." ends a sentence: the last word break before the limit wins.
        assertEquals("see example.com/" + "d".repeat(50) + " and version ", chunks.get(0));
    }

    @Test
    void a_word_break_is_preferred_to_cutting_a_word() {
        String text = "alpha beta gamma delta ".repeat(10);

        List<String> chunks = new ReplySplitter(50, false).split(text);

        chunks.subList(0, chunks.size() - 1).forEach(c -> assertTrue(c.endsWith(" "), c));
        assertEquals(text, String.join("", chunks));
    }

    @Test
    void a_boundary_in_the_first_half_is_ignored_to_avoid_tiny_chunks() {
        String text = "ab\n" + "c".repeat(200);

        List<String> chunks = new ReplySplitter(100, false).split(text);

        assertEquals(100, bytes(chunks.get(0)), "cut hard at the limit rather than after 3 bytes");
    }

    @Test
    void random_texts_always_fit_and_concatenate_for_any_limit() {
        Random random = new Random(7);
        int[] pool = {'a', ' ', '\n', '.', 'é', '中', '。', 0x1F600, 0x1F3FD, '!', '?'};
        for (int round = 0; round < 500; round++) {
            StringBuilder b = new StringBuilder();
            int len = random.nextInt(400);
            for (int i = 0; i < len; i++) {
                b.appendCodePoint(pool[random.nextInt(pool.length)]);
            }
            String text = b.toString();
            int max = 4 + random.nextInt(120);

            List<String> chunks = new ReplySplitter(max, false).split(text);

            for (String c : chunks) {
                assertTrue(bytes(c) <= max, "round " + round + ": " + bytes(c) + " > " + max);
                assertFalse(c.isEmpty());
                assertFalse(Character.isLowSurrogate(c.charAt(0)), "round " + round);
            }
            assertEquals(text, String.join("", chunks), "round " + round);
        }
    }

    @Test
    void markdown_code_fences_are_closed_and_reopened_with_their_info_string() {
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            code.append("    print(\"line ").append(i).append(" of the example\")\n");
        }
        String text = "Here is the script:\n\n```python\n" + code + "```\n\nThat is all.";
        assertTrue(bytes(text) > 2 * 2048);

        List<String> chunks = MARKDOWN.split(text);

        assertTrue(chunks.size() >= 3);
        for (int i = 0; i < chunks.size(); i++) {
            String c = chunks.get(i);
            assertTrue(bytes(c) <= 2048, "chunk " + i + " has " + bytes(c) + " bytes");
            assertEquals(0, fenceLines(c).size() % 2, "fences balanced in chunk " + i + ":\n" + c);
            if (i > 0 && i < chunks.size() - 1) {
                assertTrue(c.startsWith("```python\n"), "reopened with its info string: " + c.substring(0, 20));
                assertTrue(c.endsWith("\n```"), "closed at the end: " + tail(c));
            }
        }
        assertEquals(text, withoutAddedFences(chunks));
    }

    @Test
    void markdown_without_fences_splits_like_text() {
        String text = ("**bold** paragraph with some words.\n\n").repeat(120);

        assertEquals(TEXT.split(text), MARKDOWN.split(text));
    }

    @Test
    void markdown_never_ends_a_chunk_right_after_an_opening_fence() {
        String text = "x".repeat(80) + "\n```java\n" + "int a = 1;\n".repeat(30) + "```\n";

        List<String> chunks = new ReplySplitter(100, true).split(text);

        chunks.forEach(c -> assertFalse(c.endsWith("```java\n```") || c.endsWith("```java\n"), c));
        chunks.forEach(c -> assertTrue(bytes(c) <= 100, c));
        assertEquals(text, withoutAddedFences(chunks));
    }

    @Test
    void a_limit_below_one_code_point_is_refused() {
        assertThrows(IllegalArgumentException.class, () -> new ReplySplitter(3, false));
    }

    @Test
    void utf8_length_matches_the_jdk_encoder() {
        String s = "aé中😀\n";
        assertEquals(s.getBytes(StandardCharsets.UTF_8).length, ReplySplitter.utf8Length(s));
    }

    private static int bytes(CharSequence s) {
        return s.toString().getBytes(StandardCharsets.UTF_8).length;
    }

    private static String tail(String s) {
        return s.substring(Math.max(0, s.length() - 12));
    }

    private static List<String> fenceLines(String chunk) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^ {0,3}```.*$").matcher(chunk);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** Undoes what markdown mode added: a leading reopened fence and a trailing closing fence. */
    private static String withoutAddedFences(List<String> chunks) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < chunks.size(); i++) {
            String c = chunks.get(i);
            if (i > 0 && chunks.get(i - 1).endsWith("```") && c.startsWith("```")) {
                c = c.substring(c.indexOf('\n') + 1);
            }
            if (i < chunks.size() - 1 && c.endsWith("```") && chunks.get(i + 1).startsWith("```")) {
                // Cuts in these texts fall on line ends, where the closing fence needs no newline of its own.
                c = c.substring(0, c.length() - 3);
            }
            out.append(c);
        }
        return out.toString();
    }
}
