package dev.wecompipeline.config;

import static dev.wecompipeline.config.Fixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agents' settings: the openai section, the command, history and apology; env over YAML. */
class AgentSettingsTest {

    private static final String API_KEY = "sk-test-0123456789abcdefghijklmnopqrstuv";

    @TempDir
    Path dir;

    @Test
    void openai_settings_come_from_environment_variables() {
        Map<String, String> env = Map.of(
                "AGENT", "openai",
                "OPENAI_BASE_URL", "http://localhost:11434/v1/",
                "OPENAI_MODEL", "qwen2.5:7b",
                "OPENAI_API_KEY", API_KEY,
                "OPENAI_SYSTEM_PROMPT", "You answer in Chinese.",
                "OPENAI_TEMPERATURE", "0.2",
                "OPENAI_MAX_TOKENS", "256",
                "OPENAI_TIMEOUT", "90");

        OpenAiConfig openai = ConfigLoader.load(env, Optional.empty()).openai();

        // The trailing slash goes, so appending "/chat/completions" gives one slash.
        assertEquals(new OpenAiConfig("http://localhost:11434/v1", "qwen2.5:7b", API_KEY, "You answer in Chinese.",
                0.2, 256, Duration.ofSeconds(90)), openai);
        assertTrue(openai.hasApiKey());
    }

    @Test
    void openai_settings_come_from_the_nested_yaml_section_without_unknown_key_warnings() {
        String yaml = """
                worker:
                  agent: openai
                  history_turns: 4
                  openai:
                    base_url: https://api.openai.com
                    model: gpt-4o
                    api_key: %s
                    system_prompt: Be brief.
                    temperature: 1.5
                    max_tokens: 2048
                    timeout: 2m
                """.formatted(API_KEY);

        PipelineConfig config = ConfigLoader.load(Map.of(), Optional.of(write(dir, yaml)));

        assertEquals(new OpenAiConfig("https://api.openai.com", "gpt-4o", API_KEY, "Be brief.", 1.5, 2048,
                Duration.ofMinutes(2)), config.openai());
        assertEquals(4, config.worker().historyTurns());
        assertEquals(List.of(), config.warnings());
    }

    @Test
    void environment_variables_override_the_openai_section() {
        String yaml = """
                worker:
                  openai:
                    base_url: https://file.example
                    model: file-model
                    temperature: 0.1
                """;
        Map<String, String> env = Map.of("OPENAI_BASE_URL", "http://env.example:8000", "OPENAI_TEMPERATURE", "1");

        OpenAiConfig openai = ConfigLoader.load(env, Optional.of(write(dir, yaml))).openai();

        assertEquals("http://env.example:8000", openai.baseUrl());
        assertEquals(1.0, openai.temperature());
        assertEquals("file-model", openai.model(), "unset variables leave the file's value");
    }

    @Test
    void a_misspelt_key_inside_the_openai_section_is_warned_about() {
        String yaml = """
                worker:
                  openai:
                    base_url: http://localhost:8000
                    max_token: 10
                """;

        PipelineConfig config = ConfigLoader.load(Map.of(), Optional.of(write(dir, yaml)));

        assertEquals(List.of("worker.openai.max_token: unknown key; ignored"), config.warnings());
    }

    @Test
    void agent_command_variable_is_split_on_whitespace() {
        Map<String, String> env = Map.of("AGENT", "command", "AGENT_COMMAND", "  python3   my_agent.py\t--fast ");

        WorkerConfig worker = ConfigLoader.load(env, Optional.empty()).worker();

        assertEquals(List.of("python3", "my_agent.py", "--fast"), worker.command());
        assertEquals(new CommandAgentConfig(List.of("python3", "my_agent.py", "--fast"), worker.agentTimeout()),
                CommandAgentConfig.of(worker));
    }

    @Test
    void a_yaml_command_list_keeps_arguments_with_spaces_whole() {
        String yaml = """
                worker:
                  agent: command
                  command: [python3, "/opt/my agents/agent.py", --name, "Help Desk"]
                """;

        WorkerConfig worker = ConfigLoader.load(Map.of(), Optional.of(write(dir, yaml))).worker();

        assertEquals(List.of("python3", "/opt/my agents/agent.py", "--name", "Help Desk"), worker.command());
    }

    @Test
    void a_yaml_command_string_is_split_like_the_variable_and_the_variable_wins() {
        String yaml = "worker:\n  command: node agent.js\n";

        assertEquals(List.of("node", "agent.js"),
                ConfigLoader.load(Map.of(), Optional.of(write(dir, yaml))).worker().command());
        assertEquals(List.of("./agent"), ConfigLoader.load(Map.of("AGENT_COMMAND", "./agent"),
                Optional.of(write(dir, yaml))).worker().command());
    }

    @Test
    void history_turns_and_apology_come_from_their_variables() {
        Map<String, String> env = Map.of("AGENT_HISTORY_TURNS", "0", "AGENT_APOLOGY", "抱歉，请稍后再试。");

        WorkerConfig worker = ConfigLoader.load(env, Optional.empty()).worker();

        assertEquals(0, worker.historyTurns(), "0 turns switches history off");
        assertEquals("抱歉，请稍后再试。", worker.apology());
    }

    @Test
    void the_command_agent_without_a_command_is_refused_naming_the_variable_and_the_key() {
        WorkerConfig worker = WorkerConfig.from(SettingValues.DEFAULTS.with(WorkerConfig.AGENT, WorkerConfig.Agent.COMMAND)
                .with(WorkerConfig.AGENT_TIMEOUT, Duration.ofSeconds(5)));

        ConfigException e = assertThrows(ConfigException.class, () -> CommandAgentConfig.of(worker));

        assertEquals(List.of("AGENT_COMMAND (or worker.command): is required when AGENT is command"), e.problems());
    }

    @Test
    void describe_and_to_string_mask_the_api_key() {
        Map<String, String> env = Map.of("AGENT", "openai", "OPENAI_BASE_URL", "https://api.openai.com",
                "OPENAI_API_KEY", API_KEY);
        PipelineConfig config = ConfigLoader.load(env, Optional.empty());

        for (String text : List.of(config.describe(), config.toString(), config.openai().toString())) {
            assertFalse(text.contains(API_KEY), text);
            assertTrue(text.contains(Secrets.mask(API_KEY)), text);
        }
        assertTrue(config.describe().contains("openai: https://api.openai.com, model gpt-4o-mini"), config.describe());
    }

    @Test
    void describe_shows_the_openai_line_only_when_that_agent_runs() {
        String echo = ConfigLoader.load(Map.of(), Optional.empty()).describe();
        String command = ConfigLoader.load(Map.of("AGENT", "command", "AGENT_COMMAND", "python3 a.py"),
                Optional.empty()).describe();

        assertFalse(echo.contains("openai:"), echo);
        assertTrue(command.contains("agent command (python3 a.py)"), command);
    }

    @Test
    void an_openai_config_built_in_code_without_a_base_url_is_valid_until_the_agent_needs_it() {
        // Every process loads the whole config; only a worker running the openai agent needs the URL.
        OpenAiConfig openai = OpenAiConfig.defaults();

        assertNull(openai.baseUrl());
        assertEquals("http://127.0.0.1:9", openai.withBaseUrl("http://127.0.0.1:9/").baseUrl());
    }

    @Test
    void the_command_agents_extra_variables_and_output_limit_are_read_and_secrets_refused() {
        WorkerConfig worker = ConfigLoader.load(Map.of("AGENT", "command", "AGENT_COMMAND", "bin/agent",
                "AGENT_COMMAND_ENV", "MY_AGENT_KEY, TZ", "AGENT_COMMAND_MAX_OUTPUT_BYTES", "4096"), Optional.empty()).worker();
        assertEquals(List.of("MY_AGENT_KEY", "TZ"), worker.commandEnv());
        assertEquals(4096, worker.commandMaxOutputBytes());
        assertEquals(new CommandAgentConfig(List.of("bin/agent"), WorkerConfig.AGENT_TIMEOUT.defaultValue(),
                List.of("MY_AGENT_KEY", "TZ"), 4096), CommandAgentConfig.of(worker));
        assertEquals(1024 * 1024, WorkerConfig.defaults().commandMaxOutputBytes());
        assertEquals(List.of(), WorkerConfig.defaults().commandEnv());

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of(
                "AGENT_COMMAND_ENV", "OPENAI_API_KEY,WECOM_CALLBACK_CORP_SECRET,KAFKA_PROPERTIES_SASL_JAAS_CONFIG,bad-name",
                "AGENT_COMMAND_MAX_OUTPUT_BYTES", "10"), Optional.empty()));
        String message = e.getMessage();
        for (String expected : List.of("OPENAI_API_KEY is a secret of the pipeline",
                "WECOM_CALLBACK_CORP_SECRET is a secret of the pipeline", "KAFKA_PROPERTIES_SASL_JAAS_CONFIG is a secret",
                "'bad-name' is not a variable name", "AGENT_COMMAND_MAX_OUTPUT_BYTES")) {
            assertTrue(message.contains(expected), () -> expected + " in " + message);
        }
    }

    @Test
    void the_progress_notice_is_off_by_default_and_in_chinese() {
        WorkerConfig worker = WorkerConfig.defaults();

        assertEquals(Duration.ZERO, worker.progressNoticeAfter());
        assertFalse(worker.sendsProgressNotice());
        assertEquals("收到，正在处理，请稍候…", worker.progressNotice());
        assertEquals(worker, ConfigLoader.load(Map.of(), Optional.empty()).worker());
        assertFalse(ConfigLoader.load(Map.of(), Optional.empty()).describe().contains("progress notice"));
    }

    @Test
    void the_progress_notice_comes_from_its_variables_or_yaml_and_a_bare_number_is_seconds() {
        WorkerConfig worker = ConfigLoader.load(Map.of("AGENT_PROGRESS_NOTICE_AFTER", "20s",
                "AGENT_PROGRESS_NOTICE", "Working on it…"), Optional.empty()).worker();
        assertEquals(Duration.ofSeconds(20), worker.progressNoticeAfter());
        assertEquals("Working on it…", worker.progressNotice());
        assertTrue(worker.describe().contains("progress notice after 20s"), worker.describe());

        String yaml = "worker:\n  progress_notice_after: 45\n  progress_notice: 请稍等\n";
        WorkerConfig fromYaml = ConfigLoader.load(Map.of(), Optional.of(write(dir, yaml))).worker();
        assertEquals(Duration.ofSeconds(45), fromYaml.progressNoticeAfter());
        assertEquals("请稍等", fromYaml.progressNotice());
    }

    @Test
    void a_progress_notice_due_after_the_agent_timeout_or_unparsable_is_refused_naming_the_variable() {
        ConfigException late = assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of(
                "AGENT_TIMEOUT", "30", "AGENT_PROGRESS_NOTICE_AFTER", "30s"), Optional.empty()));
        assertTrue(late.getMessage().contains("AGENT_PROGRESS_NOTICE_AFTER"), late.getMessage());
        assertTrue(late.getMessage().contains("AGENT_TIMEOUT"), late.getMessage());

        ConfigException bad = assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of(
                "AGENT_PROGRESS_NOTICE_AFTER", "soon"), Optional.empty()));
        assertTrue(bad.getMessage().contains("AGENT_PROGRESS_NOTICE_AFTER"), bad.getMessage());
    }
}
