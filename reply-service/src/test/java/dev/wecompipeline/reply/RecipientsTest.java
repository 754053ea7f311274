package dev.wecompipeline.reply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class RecipientsTest {

    @Test
    void single_user_ids_as_wecom_issues_them_pass() {
        for (String ok : List.of("zhangsan", "Alice", "user-17", "li.si", "wang_wu", "a@b.c", "1", "x".repeat(64))) {
            assertTrue(Recipients.isSingleUser(ok), ok);
        }
    }

    @Test
    void everyone_lists_blanks_control_characters_and_absurd_lengths_are_refused() {
        for (String bad : List.of("@all", "@ALL", "a|b", "|", "", " ", "alice ", " alice", "al ice", "alice\n",
                "al\u0000ice", "al\tice", "\u200balice", "张三", "-alice", ".alice", "x".repeat(65), "x".repeat(100_000))) {
            assertFalse(Recipients.isSingleUser(bad), bad);
        }
        assertFalse(Recipients.isSingleUser(null));
    }

    @Test
    void the_reason_names_the_recipient_printably_and_briefly() {
        assertEquals("touser 'a\\u000ab' is not a WeCom user id (1-64 letters, digits, '_', '-', '@' or '.', "
                + "starting with a letter or digit); not sent", Recipients.refusal("a\nb"));
        assertEquals("touser '' is empty; not sent", Recipients.refusal(""));
        String longOne = Recipients.refusal("y".repeat(1000));
        assertTrue(longOne.startsWith("touser '" + "y".repeat(80) + "'... is 1000 characters long"), longOne);
    }
}
