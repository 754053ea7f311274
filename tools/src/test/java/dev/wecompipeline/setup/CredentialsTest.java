package dev.wecompipeline.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;

import dev.wecompipeline.config.AppConfig;
import org.junit.jupiter.api.Test;

/** Generated credentials are what WeCom's console makes and accepts; pasted ones are checked by its rules. */
class CredentialsTest {

    @Test
    void a_thousand_generated_keys_are_43_letters_and_digits_that_decode_to_32_bytes() {
        Credentials credentials = new Credentials(new SecureRandom());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            String key = credentials.newEncodingAesKey();
            assertTrue(key.matches("[A-Za-z0-9]{43}"), key);
            assertEquals(32, new AppConfig("a", "wwcorp", "s", "1000002", "tok", key).aesKey().length, key);
            assertTrue(Credentials.encodingAesKeyProblem(key).isEmpty(), key);
            assertTrue(Credentials.encodingAesKeyWarning(key).isEmpty(), key);
            seen.add(key);
        }
        assertEquals(1_000, seen.size(), "keys repeat: the random source is not used");
    }

    @Test
    void a_key_with_plus_or_slash_works_but_is_warned_about_and_the_warning_never_quotes_it() {
        String base64Style = "1KEQxMI8velbOEvE6+OTOuRZfz2GkpCz8zqyt3ZadJg";
        assertTrue(Credentials.encodingAesKeyProblem(base64Style).isEmpty(), "it decodes, so it is not an error");
        String warning = Credentials.encodingAesKeyWarning(base64Style).orElseThrow();
        assertTrue(warning.contains("letters and digits"), warning);
        assertFalse(warning.contains(base64Style), warning);
    }

    @Test
    void a_console_key_ending_in_a_non_canonical_character_is_neither_an_error_nor_a_warning() {
        String consoleKey = "Q3vT8pLm2XkR9wYb7NcJ4hFd6GsA1eUz0oKiPqWtVyZ";
        assertTrue(Credentials.encodingAesKeyProblem(consoleKey).isEmpty());
        assertTrue(Credentials.encodingAesKeyWarning(consoleKey).isEmpty());
        assertTrue(Credentials.encodingAesKeyProblem(consoleKey.substring(1)).isPresent(), "42 characters");
    }

    @Test
    void generated_tokens_stay_32_letters_and_digits() {
        Credentials credentials = new Credentials(new SecureRandom());
        for (int i = 0; i < 100; i++) {
            String token = credentials.newToken();
            assertTrue(token.matches("[A-Za-z0-9]{32}"), token);
            assertTrue(Credentials.tokenProblem(token).isEmpty());
        }
    }
}
