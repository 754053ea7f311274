package dev.wecompipeline.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogSafeTest {

    @Test
    void line_breaks_and_other_controls_are_escaped() {
        assertEquals("ww\\r\\nFAKE LINE", LogSafe.of("ww\r\nFAKE LINE"));
        assertEquals("a\\tb\\u0000c\\u001Bd\\u007F", LogSafe.of("a\tb\u0000c\u001Bd\u007F"));
        assertEquals("nel\\u0085c1\\u009B", LogSafe.of("nel\u0085c1\u009B"), "C1 controls, NEL included");
        assertEquals("ls\\u2028ps\\u2029", LogSafe.of("ls\u2028ps\u2029"), "Unicode line and paragraph separators");
    }

    @Test
    void ordinary_text_is_unchanged_and_escaping_twice_changes_nothing() {
        assertEquals("zhangsan 张三 /wecom/callback", LogSafe.of("zhangsan 张三 /wecom/callback"));
        String once = LogSafe.of("x\r\ny\u2028z");
        assertEquals(once, LogSafe.of(once));
        assertEquals("null", LogSafe.of(null));
    }

    @Test
    void long_values_are_cut_with_a_visible_marker() {
        String cut = LogSafe.of("a".repeat(10_000));
        assertTrue(cut.startsWith("a".repeat(LogSafe.DEFAULT_MAX_CHARS) + LogSafe.ELLIPSIS), cut);
        assertTrue(cut.endsWith("(10000 chars)"), cut);
        assertEquals("abc", LogSafe.of("abc", 3));
        assertEquals("ab" + LogSafe.ELLIPSIS + "(3 chars)", LogSafe.of("abc", 2));
    }

    @Test
    void no_output_contains_a_character_a_log_viewer_breaks_lines_on() {
        StringBuilder every = new StringBuilder();
        for (char c = 0; c < 0x3000; c++) {
            every.append(c);
        }
        String safe = LogSafe.of(every, Integer.MAX_VALUE);
        safe.chars().forEach(c -> assertFalse(Character.isISOControl(c) || c == 0x2028 || c == 0x2029,
                "unescaped U+" + Integer.toHexString(c)));
    }

    @Test
    void a_surrogate_pair_is_not_cut_in_half() {
        String emoji = "\uD83D\uDE00";
        assertEquals("a" + LogSafe.ELLIPSIS + "(3 chars)", LogSafe.of("a" + emoji, 2));
    }
}
