package dev.wecompipeline.config;

import static dev.wecompipeline.config.Fixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hermes agent's settings: defaults, env over the nested YAML section, validation, masking. */
class HermesSettingsTest {

    private static final String API_KEY = "hermes-test-0123456789abcdefghijklmn";

    @TempDir
    Path dir;

    @Test
    void hermes_defaults_to_the_local_api_server_without_a_key() {
        PipelineConfig config = ConfigLoader.load(Map.of("AGENT", "hermes"), Optional.empty());
        assertEquals(WorkerConfig.Agent.HERMES, config.worker().agent());
        assertEquals(new HermesConfig("http://127.0.0.1:8642", null, Duration.ofSeconds(1)), config.hermes());
        assertFalse(config.hermes().hasApiKey());
    }

    @Test
    void hermes_settings_come_from_the_nested_yaml_section_and_variables_win() {
        String yaml = """
                worker:
                  agent: hermes
                  hermes:
                    base_url: http://hermes.internal:8642/
                    api_key: from-the-file-0123456789abcdef
                    poll_interval: 2s
                """;
        PipelineConfig config = ConfigLoader.load(Map.of("HERMES_API_KEY", API_KEY, "HERMES_POLL_INTERVAL", "250"),
                Optional.of(write(dir, yaml)));
        assertEquals(new HermesConfig("http://hermes.internal:8642", API_KEY, Duration.ofMillis(250)), config.hermes());
        assertEquals(List.of(), config.warnings());
    }

    @Test
    void a_bad_url_or_a_too_short_poll_interval_is_refused_naming_the_variable() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(
                Map.of("HERMES_BASE_URL", "hermes:8642", "HERMES_POLL_INTERVAL", "1"), Optional.empty()));
        assertTrue(e.getMessage().contains("HERMES_BASE_URL"), e.getMessage());
        assertTrue(e.getMessage().contains("HERMES_POLL_INTERVAL"), e.getMessage());
    }

    @Test
    void the_api_key_is_masked_and_is_a_pipeline_secret() {
        PipelineConfig config = ConfigLoader.load(Map.of("AGENT", "hermes", "HERMES_API_KEY", API_KEY), Optional.empty());
        assertTrue(config.describe().contains("hermes: http://127.0.0.1:8642, api key he****mn"), config.describe());
        assertFalse(config.describe().contains(API_KEY));
        assertFalse(config.toString().contains(API_KEY));
        assertTrue(WorkerConfig.isPipelineSecret("HERMES_API_KEY"));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(
                Map.of("AGENT", "command", "AGENT_COMMAND", "cat", "AGENT_COMMAND_ENV", "HERMES_API_KEY"), Optional.empty()));
    }
}
