package dev.wecompipeline.config;

import static dev.wecompipeline.config.Fixtures.AES_KEY_A;
import static dev.wecompipeline.config.Fixtures.singleAppEnv;
import static dev.wecompipeline.config.Fixtures.twoAppsYaml;
import static dev.wecompipeline.config.Fixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each mistake gives one line naming the variable or key; several mistakes are reported together. */
class ConfigValidationTest {

    @TempDir
    Path dir;

    private static List<String> problemsOf(Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(env, Optional.empty())).problems();
    }

    private List<String> problemsOf(Map<String, String> env, String yaml) {
        return assertThrows(ConfigException.class,
                () -> ConfigLoader.load(env, Optional.of(write(dir, yaml)))).problems();
    }

    private static Map<String, String> envWith(String name, String value) {
        Map<String, String> env = new HashMap<>(singleAppEnv());
        env.put(name, value);
        return env;
    }

    @Test
    void missing_app_field_names_the_variable_and_the_yaml_key() {
        Map<String, String> env = singleAppEnv();
        env.remove("WECOM_CALLBACK_TOKEN");

        assertEquals(List.of("WECOM_CALLBACK_TOKEN (or platforms.wecom_callback.extra.token): is required"),
                problemsOf(env));
    }

    @Test
    void aes_key_of_42_characters_names_the_variable_and_both_lengths() {
        assertEquals(List.of("WECOM_CALLBACK_ENCODING_AES_KEY: must be 43 characters, got 42"),
                problemsOf(envWith("WECOM_CALLBACK_ENCODING_AES_KEY", AES_KEY_A.substring(1))));
    }

    @Test
    void aes_key_of_42_characters_in_an_apps_entry_names_the_entry_and_the_app() {
        String yaml = twoAppsYaml().replace(Fixtures.AES_KEY_B, Fixtures.AES_KEY_B.substring(1));

        assertEquals(List.of("platforms.wecom_callback.extra.apps[1].encoding_aes_key (dept-b): "
                + "must be 43 characters, got 42"), problemsOf(Map.of(), yaml));
    }

    @Test
    void aes_key_with_characters_outside_base64_is_rejected_without_echoing_it() {
        String bad = AES_KEY_A.substring(0, 42) + "!";

        List<String> problems = problemsOf(envWith("WECOM_CALLBACK_ENCODING_AES_KEY", bad));

        assertEquals(1, problems.size());
        assertTrue(problems.get(0).startsWith("WECOM_CALLBACK_ENCODING_AES_KEY: must be base64"), problems.get(0));
        assertFalse(problems.get(0).contains(bad));
    }

    @Test
    void non_numeric_agent_id_is_rejected() {
        assertEquals(List.of("WECOM_CALLBACK_AGENT_ID: must be a number like 1000002, got 'abc'"),
                problemsOf(envWith("WECOM_CALLBACK_AGENT_ID", "abc")));
    }

    @Test
    void duplicate_app_names_are_rejected_naming_both_entries() {
        String yaml = twoAppsYaml().replace("\"dept-b\"", "\"dept-a\"");

        assertEquals(List.of("platforms.wecom_callback.extra.apps[1].name: duplicate app name 'dept-a', "
                + "already used by platforms.wecom_callback.extra.apps[0]"), problemsOf(Map.of(), yaml));
    }

    @Test
    void the_same_corp_and_agent_twice_is_rejected() {
        String yaml = twoAppsYaml().replace("ww_corp_b", "ww_corp_a").replace("1000003", "1000002");

        List<String> problems = problemsOf(Map.of(), yaml);

        assertEquals(1, problems.size());
        assertTrue(problems.get(0).startsWith("platforms.wecom_callback.extra.apps[1].agent_id (dept-b): "
                + "corp_id ww_corp_a with agent_id 1000002 is already configured"), problems.get(0));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            WECOM_CALLBACK_PORT            | abc   | WECOM_CALLBACK_PORT: must be a whole number, got 'abc'
            WECOM_CALLBACK_PORT            | 70000 | WECOM_CALLBACK_PORT: must be between 0 and 65535, got 70000
            WORKER_PORT                    | -1    | WORKER_PORT: must be between 0 and 65535, got -1
            WECOM_PIPELINE_KAFKA_PORT      | 65536 | WECOM_PIPELINE_KAFKA_PORT: must be between 0 and 65535, got 65536
            WECOM_CALLBACK_ALLOW_ALL_USERS | maybe | WECOM_CALLBACK_ALLOW_ALL_USERS: must be true/false, 1/0 or yes/no, got 'maybe'
            AGENT                          | gpt   | AGENT: must be one of echo, openai, command, hermes, got 'gpt'
            AGENT_TIMEOUT                  | soon  | AGENT_TIMEOUT: must be a duration like 30s, 500ms, 30m or PT30M (a bare number is in seconds), got 'soon'
            WECOM_CALLBACK_ACK_TIMEOUT_MS  | 5000  | WECOM_CALLBACK_ACK_TIMEOUT_MS: must be less than 5s (WeCom stops waiting after 5s and retries), got 5s
            KAFKA_TOPIC_PARTITIONS         | 0     | KAFKA_TOPIC_PARTITIONS: must be at least 1, got 0
            REPLY_FORMAT                   | html  | REPLY_FORMAT: must be one of text, markdown, got 'html'
            AGENT_HISTORY_TURNS            | -1    | AGENT_HISTORY_TURNS: must be at least 0, got -1
            OPENAI_BASE_URL                | localhost:11434 | OPENAI_BASE_URL: must be an http(s) URL like https://api.openai.com or http://localhost:11434/v1, got 'localhost:11434'
            OPENAI_TEMPERATURE             | warm  | OPENAI_TEMPERATURE: must be a number like 0.7, got 'warm'
            OPENAI_TEMPERATURE             | NaN   | OPENAI_TEMPERATURE: must be a number like 0.7, got 'NaN'
            OPENAI_TEMPERATURE             | 2.5   | OPENAI_TEMPERATURE: must be between 0 and 2.0, got 2.5
            OPENAI_TEMPERATURE             | -0.1  | OPENAI_TEMPERATURE: must be between 0 and 2.0, got -0.1
            OPENAI_MAX_TOKENS              | 0     | OPENAI_MAX_TOKENS: must be at least 1, got 0
            OPENAI_TIMEOUT                 | 0     | OPENAI_TIMEOUT: must be greater than 0
            """)
    void a_bad_value_gives_one_line_naming_the_variable(String variable, String value, String expected) {
        List<String> problems = problemsOf(envWith(variable, value));

        assertEquals(List.of(expected), problems);
    }

    @Test
    void a_bad_value_in_the_file_names_its_yaml_key() {
        String yaml = """
                platforms:
                  wecom_callback:
                    extra:
                      port: 70000
                      allowed_source_cidrs: [10.0.0.0/33, example.com]
                kafka:
                  inbound_topic: wecom.replies
                """;

        assertEquals(List.of(
                "platforms.wecom_callback.extra.port: must be between 0 and 65535, got 70000",
                "platforms.wecom_callback.extra.allowed_source_cidrs: '10.0.0.0/33' is not an IP address or "
                        + "CIDR block like 10.0.0.0/8",
                "platforms.wecom_callback.extra.allowed_source_cidrs: 'example.com' is not an IP address or "
                        + "CIDR block like 10.0.0.0/8",
                "kafka.replies_topic: 'wecom.replies' is already used by kafka.inbound_topic"),
                problemsOf(Map.of(), yaml));
    }

    @Test
    void several_mistakes_are_all_reported_at_once_one_per_line() {
        Map<String, String> env = singleAppEnv();
        env.remove("WECOM_CALLBACK_CORP_ID");
        env.put("WECOM_CALLBACK_ENCODING_AES_KEY", AES_KEY_A.substring(1));
        env.put("WECOM_CALLBACK_PORT", "abc");
        env.put("REPLY_PORT", "70000");
        env.put("WECOM_CALLBACK_ALLOW_ALL_USERS", "sure");
        env.put("KAFKA_TOPIC_PARTITIONS", "many");

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(env, Optional.empty()));

        assertEquals(List.of(
                "WECOM_CALLBACK_CORP_ID (or platforms.wecom_callback.extra.corp_id): is required",
                "WECOM_CALLBACK_ENCODING_AES_KEY: must be 43 characters, got 42",
                "WECOM_CALLBACK_PORT: must be a whole number, got 'abc'",
                "WECOM_CALLBACK_ALLOW_ALL_USERS: must be true/false, 1/0 or yes/no, got 'sure'",
                "KAFKA_TOPIC_PARTITIONS: must be a whole number, got 'many'",
                "REPLY_PORT: must be between 0 and 65535, got 70000"), e.problems());
        assertEquals("Invalid configuration (6 problems):\n  " + String.join("\n  ", e.problems()), e.getMessage());
    }

    @Test
    void single_app_variables_next_to_an_apps_list_is_an_error_naming_both() {
        Map<String, String> env = Map.of("WECOM_CALLBACK_CORP_ID", "ww_x", "WECOM_CALLBACK_TOKEN", "t");

        List<String> problems = problemsOf(env, twoAppsYaml());

        assertEquals(1, problems.size());
        assertTrue(problems.get(0).startsWith("WECOM_CALLBACK_CORP_ID, WECOM_CALLBACK_TOKEN: set together with "
                + "platforms.wecom_callback.extra.apps"), problems.get(0));
    }

    @Test
    void flat_app_keys_next_to_an_apps_list_is_an_error() {
        String yaml = twoAppsYaml().replace("      port: 8645\n", "      port: 8645\n      corp_id: ww_flat\n");

        assertEquals(List.of("platforms.wecom_callback.extra.corp_id: set together with "
                + "platforms.wecom_callback.extra.apps; move them into an entry of the list"), problemsOf(Map.of(), yaml));
    }

    @Test
    void malformed_yaml_reports_the_position_but_not_the_line_which_may_hold_a_secret() {
        String yaml = "platforms:\n  wecom_callback:\n    extra:\n      token: \"unterminated-secret-token\n";

        List<String> problems = problemsOf(Map.of(), yaml);

        assertEquals(1, problems.size());
        assertTrue(problems.get(0).matches(".*config\\.yaml: is not valid YAML at line \\d+, column \\d+"),
                problems.get(0));
        assertFalse(problems.get(0).contains("unterminated-secret-token"));
    }

    @Test
    void duplicate_yaml_keys_are_reported() {
        List<String> problems = problemsOf(Map.of(), "kafka:\n  partitions: 3\n  partitions: 4\n");

        assertEquals(1, problems.size());
        assertTrue(problems.get(0).contains("duplicate key 'partitions' at line 3"), problems.get(0));
    }

    @Test
    void a_bad_value_in_the_openai_section_names_its_nested_yaml_key() {
        String yaml = """
                worker:
                  openai:
                    base_url: ftp://models.internal
                    temperature: 3
                    max_tokens: -5
                """;

        assertEquals(List.of(
                "worker.openai.base_url: must be an http(s) URL like https://api.openai.com or "
                        + "http://localhost:11434/v1, got 'ftp://models.internal'",
                "worker.openai.temperature: must be between 0 and 2.0, got 3.0",
                "worker.openai.max_tokens: must be at least 1, got -5"), problemsOf(Map.of(), yaml));
    }

    @Test
    void an_openai_section_that_is_not_a_mapping_is_reported() {
        assertEquals(List.of("worker.openai: must be a mapping of keys to values"),
                problemsOf(Map.of(), "worker:\n  openai: http://localhost:11434\n"));
    }

    @Test
    void a_bad_api_key_problem_never_quotes_the_key() {
        // Only the base URL is quoted back; a key pasted into the wrong variable must not be.
        String key = "sk-proj-0123456789abcdefghijklmnopqrstuvwxyz";
        Map<String, String> env = envWith("OPENAI_API_KEY", key);
        env.put("OPENAI_MAX_TOKENS", "0");

        List<String> problems = problemsOf(env);

        assertEquals(List.of("OPENAI_MAX_TOKENS: must be at least 1, got 0"), problems);
        assertFalse(String.join("\n", problems).contains(key));
    }

    @Test
    void a_list_where_a_single_value_belongs_is_reported() {
        assertEquals(List.of("worker.port: must be a single value, not a list"),
                problemsOf(Map.of(), "worker:\n  port: [1, 2]\n"));
    }
}
