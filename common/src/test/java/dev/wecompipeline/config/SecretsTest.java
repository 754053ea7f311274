package dev.wecompipeline.config;

import static dev.wecompipeline.config.Fixtures.AES_KEY_A;
import static dev.wecompipeline.config.Fixtures.CORP_SECRET;
import static dev.wecompipeline.config.Fixtures.SAMPLE_AES_KEY;
import static dev.wecompipeline.config.Fixtures.TOKEN;
import static dev.wecompipeline.config.Fixtures.singleAppEnv;
import static dev.wecompipeline.config.Fixtures.twoAppsYaml;
import static dev.wecompipeline.config.Fixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets never reach logs or error messages, and stray whitespace around them is fixed loudly. */
class SecretsTest {

    @TempDir
    Path dir;

    @Test
    void mask_shows_only_the_edges_of_long_values_and_only_the_length_of_short_ones() {
        assertEquals("jW****2C (43 chars)", Secrets.mask(SAMPLE_AES_KEY));
        assertEquals("****(6 chars)", Secrets.mask("QDG6eK"));
        assertEquals("(unset)", Secrets.mask(null));
        assertEquals("(empty)", Secrets.mask(""));
    }

    @Test
    void app_to_string_masks_the_corp_secret_token_and_aes_key() {
        AppConfig app = ConfigLoader.load(singleAppEnv(), Optional.empty()).apps().get(0);

        String text = app.toString();

        assertFalse(text.contains(CORP_SECRET), text);
        assertFalse(text.contains(TOKEN), text);
        assertFalse(text.contains(SAMPLE_AES_KEY), text);
        assertTrue(text.contains("wx5823bf96d3bd56c7"), "the corp id is not a secret: " + text);
    }

    @Test
    void describe_and_to_string_of_the_whole_config_contain_no_secret() {
        PipelineConfig config = ConfigLoader.load(Map.of(), Optional.of(write(dir, twoAppsYaml())));

        for (String text : List.of(config.describe(), config.toString())) {
            for (String secret : List.of("secret-a", "secret-b", "token-a", "token-b", AES_KEY_A,
                    Fixtures.AES_KEY_B)) {
                assertFalse(text.contains(secret), () -> secret + " leaked into:\n" + text);
            }
        }
        assertTrue(config.describe().contains("dept-b: corp_id=ww_corp_b agent_id=1000003"), config.describe());
    }

    @Test
    void a_validation_error_about_a_secret_does_not_contain_it() {
        Map<String, String> env = singleAppEnv();
        String wrong = SAMPLE_AES_KEY + "XYZ";
        env.put("WECOM_CALLBACK_ENCODING_AES_KEY", wrong);

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(env, Optional.empty()));

        assertFalse(e.getMessage().contains(wrong), e.getMessage());
        assertTrue(e.getMessage().contains("got 46"), e.getMessage());
    }

    @Test
    void whitespace_around_a_secret_variable_is_trimmed_with_a_warning_that_omits_the_value() {
        Map<String, String> env = singleAppEnv();
        env.put("WECOM_CALLBACK_TOKEN", " " + TOKEN + "\t\n");

        PipelineConfig config = ConfigLoader.load(env, Optional.empty());

        assertEquals(TOKEN, config.apps().get(0).token());
        assertEquals(List.of("WECOM_CALLBACK_TOKEN had surrounding whitespace; trimmed"), config.warnings());
        assertTrue(config.describe().contains("warning: WECOM_CALLBACK_TOKEN had surrounding whitespace"));
    }

    @Test
    void whitespace_around_a_secret_in_an_apps_entry_is_trimmed_with_a_warning_naming_the_entry() {
        String yaml = twoAppsYaml().replace("\"secret-b\"", "\"secret-b  \"");

        PipelineConfig config = ConfigLoader.load(Map.of(), Optional.of(write(dir, yaml)));

        assertEquals("secret-b", config.app("dept-b").orElseThrow().corpSecret());
        assertEquals(List.of("platforms.wecom_callback.extra.apps[1].corp_secret had surrounding whitespace; trimmed"),
                config.warnings());
    }

    @Test
    void an_app_built_in_code_with_whitespace_around_a_secret_is_rejected() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new AppConfig("a", "ww", CORP_SECRET, "1", TOKEN + " ", AES_KEY_A));

        assertEquals(List.of("token (a): has surrounding whitespace"), e.problems());
    }
}
