package dev.wecompipeline.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class Utf8Test {

    @Test
    void text_within_the_limit_is_returned_unchanged() {
        assertEquals("汉字", Utf8.truncate("汉字", 6));
    }

    @Test
    void a_cut_inside_a_character_backs_up_to_its_start() {
        assertEquals("汉", Utf8.truncate("汉字", 5));
        assertEquals("汉", Utf8.truncate("汉字", 4));
        assertEquals("汉", Utf8.truncate("汉字", 3));
        assertEquals("", Utf8.truncate("汉字", 2));
    }

    @Test
    void four_byte_characters_are_never_split() {
        String emoji = "a😀b";   // 1 + 4 + 1 bytes
        for (int limit = 1; limit <= 4; limit++) {
            assertEquals("a", Utf8.truncate(emoji, limit));
        }
        assertEquals("a😀", Utf8.truncate(emoji, 5));
    }

    @Test
    void the_result_always_round_trips_through_utf8() {
        String mixed = "é汉😀x".repeat(100);
        for (int limit = 0; limit < 60; limit++) {
            String cut = Utf8.truncate(mixed, limit);
            byte[] bytes = cut.getBytes(StandardCharsets.UTF_8);
            assertEquals(cut, new String(bytes, StandardCharsets.UTF_8));
            assertEquals(true, bytes.length <= limit && bytes.length > limit - 4);
        }
    }
}
