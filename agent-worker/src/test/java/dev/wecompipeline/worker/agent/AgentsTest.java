package dev.wecompipeline.worker.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.wecompipeline.config.ConfigException;
import dev.wecompipeline.config.ConfigLoader;
import org.junit.jupiter.api.Test;

/** The factory picks the agent AGENT names and refuses to build one whose settings are missing. */
class AgentsTest {

    private static Agent create(Map<String, String> env) {
        return Agents.create(ConfigLoader.load(env, Optional.empty()));
    }

    @Test
    void by_default_the_echo_agent_answers_with_the_configured_delay() {
        try (Agent agent = create(Map.of("AGENT_ECHO_DELAY_MS", "250"))) {
            EchoAgent echo = assertInstanceOf(EchoAgent.class, agent);
            assertEquals(Duration.ofMillis(250), echo.delay());
        }
    }

    @Test
    void agent_openai_with_a_base_url_builds_the_openai_agent() {
        try (Agent agent = create(Map.of("AGENT", "openai", "OPENAI_BASE_URL", "http://localhost:11434"))) {
            assertInstanceOf(OpenAiAgent.class, agent);
            assertEquals("openai", agent.name());
        }
    }

    @Test
    void agent_openai_without_a_base_url_is_refused_naming_the_variable_and_the_key() {
        ConfigException e = assertThrows(ConfigException.class, () -> create(Map.of("AGENT", "openai")));

        assertEquals(List.of("OPENAI_BASE_URL (or worker.openai.base_url): is required when AGENT is openai"),
                e.problems());
    }

    @Test
    void agent_command_builds_the_command_agent_from_the_variable_split_into_arguments() throws Exception {
        // printf gets three arguments, so "a" and "b" fill the two %s of its format.
        try (Agent agent = create(Map.of("AGENT", "command", "AGENT_COMMAND", "printf  %s-%s a b"))) {
            assertInstanceOf(CommandAgent.class, agent);
            assertEquals("a-b", agent.reply(Messages.request(Messages.text("hi"))));
        }
    }

    @Test
    void agent_command_without_a_command_is_refused_naming_the_variable_and_the_key() {
        ConfigException e = assertThrows(ConfigException.class, () -> create(Map.of("AGENT", "command")));

        assertEquals(List.of("AGENT_COMMAND (or worker.command): is required when AGENT is command"), e.problems());
    }
}
