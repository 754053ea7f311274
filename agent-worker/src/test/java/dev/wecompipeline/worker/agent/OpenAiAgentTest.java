package dev.wecompipeline.worker.agent;

import static dev.wecompipeline.worker.agent.Messages.request;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wecompipeline.config.ConfigException;
import dev.wecompipeline.config.OpenAiConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpenAiAgentTest {

    private static final String API_KEY = "sk-test-0123456789abcdefghijklmnopqrstuvwxyz";
    private static final HttpClient HTTP = Agents.httpClient();

    private final ChatCompletionsStandIn api = ChatCompletionsStandIn.start();

    @AfterEach
    void stopStandIn() {
        // Releases the latch of held requests before stopping, so no server thread stays blocked.
        api.close();
    }

    private OpenAiConfig config(String apiKey, Duration timeout) {
        return new OpenAiConfig(api.baseUrl(), "test-model", apiKey, "You are a test.", 0.3, 123, timeout);
    }

    private OpenAiAgent agent() {
        return new OpenAiAgent(config(null, Duration.ofSeconds(30)), HTTP);
    }

    @Test
    void the_answer_is_the_first_choice_content_without_surrounding_whitespace() throws Exception {
        api.answerWith("\n\n你好！有什么可以帮你？ \n");

        assertEquals("你好！有什么可以帮你？", agent().reply(request(Messages.text("你好"))));
    }

    @Test
    void model_temperature_and_max_tokens_come_from_the_config() throws Exception {
        agent().reply(request(Messages.text("hi")));

        JsonNode body = api.onlyRequest().body();
        assertEquals("test-model", body.path("model").asText());
        assertEquals(0.3, body.path("temperature").asDouble());
        assertEquals(123, body.path("max_tokens").asInt());
        assertTrue(body.path("max_tokens").isInt(), "max_tokens must be sent under OpenAI's name: " + body);
    }

    @Test
    void the_system_prompt_comes_first_then_the_history_in_order_then_the_new_message() throws Exception {
        agent().reply(request(Messages.text("and the third?"),
                new Turn("first question", "first answer"),
                new Turn("second question", "second answer")));

        assertEquals(List.of(
                List.of("system", "You are a test."),
                List.of("user", "first question"),
                List.of("assistant", "first answer"),
                List.of("user", "second question"),
                List.of("assistant", "second answer"),
                List.of("user", "and the third?")), api.onlyRequest().messages());
    }

    @Test
    void a_turn_missing_one_side_sends_only_the_side_it_has() throws Exception {
        // A turn whose answer failed has no assistant text; sending null content breaks some servers.
        agent().reply(request(Messages.text("again"), new Turn("lost question", null)));

        assertEquals(List.of(List.of("system", "You are a test."), List.of("user", "lost question"),
                List.of("user", "again")), api.onlyRequest().messages());
    }

    @Test
    void without_a_system_prompt_the_conversation_starts_with_the_user() throws Exception {
        OpenAiConfig noPrompt = new OpenAiConfig(api.baseUrl(), "m", null, " ", 0.7, 10, Duration.ofSeconds(30));

        new OpenAiAgent(noPrompt, HTTP).reply(request(Messages.text("hi")));

        assertEquals(List.of(List.of("user", "hi")), api.onlyRequest().messages());
    }

    @Test
    void a_non_text_message_is_sent_as_its_description() throws Exception {
        agent().reply(request(Messages.of("image", Map.of("MediaId", "media-1"))));

        List<List<String>> messages = api.onlyRequest().messages();
        assertEquals(List.of("user", "Received an image (MediaId media-1)"), messages.get(messages.size() - 1));
    }

    @Test
    void the_api_key_is_sent_as_a_bearer_token() throws Exception {
        new OpenAiAgent(config(API_KEY, Duration.ofSeconds(30)), HTTP).reply(request(Messages.text("hi")));

        assertEquals("Bearer " + API_KEY, api.onlyRequest().authorization());
    }

    @Test
    void without_an_api_key_no_authorization_header_is_sent() throws Exception {
        // Local servers need none, and some reject an empty "Bearer ".
        agent().reply(request(Messages.text("hi")));

        assertNull(api.onlyRequest().authorization());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "/v1", "/v1/"})
    void the_base_url_may_end_with_or_without_v1_and_v1_is_never_doubled(String suffix) throws Exception {
        // The stand-in serves only /v1/chat/completions: a doubled /v1 would get 404.
        OpenAiConfig config = config(null, Duration.ofSeconds(30)).withBaseUrl(api.baseUrl() + suffix);

        assertEquals("Hello from the stand-in.", new OpenAiAgent(config, HTTP).reply(request(Messages.text("hi"))));
        assertEquals(1, api.requests().size());
    }

    @Test
    void a_server_error_becomes_an_agent_exception_carrying_the_status_and_the_reason() {
        api.respondWith(500, "{\"error\":{\"message\":\"model overloaded\"}}");

        AgentException e = assertThrows(AgentException.class, () -> agent().reply(request(Messages.text("hi"))));

        assertEquals(500, e.status());
        assertTrue(e.getMessage().contains("500") && e.getMessage().contains("model overloaded"), e.getMessage());
    }

    @Test
    void an_error_body_echoing_the_api_key_does_not_leak_it_into_the_exception() {
        api.respondWith(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + API_KEY + "\"}}");
        OpenAiAgent agent = new OpenAiAgent(config(API_KEY, Duration.ofSeconds(30)), HTTP);

        AgentException e = assertThrows(AgentException.class, () -> agent.reply(request(Messages.text("hi"))));

        assertEquals(401, e.status());
        assertFalse(e.getMessage().contains(API_KEY), e.getMessage());
        assertTrue(e.getMessage().contains("Incorrect API key provided"), e.getMessage());
    }

    @Test
    void a_long_error_body_is_cut_in_the_message() {
        api.respondWith(502, "x".repeat(10_000));

        AgentException e = assertThrows(AgentException.class, () -> agent().reply(request(Messages.text("hi"))));

        assertTrue(e.getMessage().length() < 1_000, () -> e.getMessage().length() + " characters");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "{\"choices\":[]}", "{\"choices\":[{\"message\":{\"role\":\"assistant\"}}]}",
            "{\"choices\":\"nope\"}", "[]"})
    void a_success_status_without_a_completion_becomes_an_agent_exception(String body) {
        api.respondWith(200, body);

        AgentException e = assertThrows(AgentException.class, () -> agent().reply(request(Messages.text("hi"))));

        assertEquals(200, e.status());
    }

    @Test
    void no_answer_within_the_timeout_fails_with_a_timeout_not_before_it() {
        // The stand-in holds the response until @AfterEach releases it, far beyond the timeout.
        api.hold();
        Duration timeout = Duration.ofMillis(500);
        OpenAiAgent agent = new OpenAiAgent(config(null, timeout), HTTP);

        long start = System.nanoTime();
        AgentException e = assertThrows(AgentException.class, () -> agent.reply(request(Messages.text("hi"))));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertInstanceOf(AgentTimeoutException.class, e, e::toString);
        assertEquals(timeout, ((AgentTimeoutException) e).timeout());
        assertTrue(elapsed.compareTo(timeout) >= 0, () -> "gave up early, after " + elapsed);
        // The stand-in never answers on its own: that the call returned at all is the timeout at work.
        assertEquals(1, api.requests().size(), "the request did reach the server");
    }

    @Test
    void interrupting_the_caller_while_it_waits_for_the_model_throws_interrupted_exception() throws Exception {
        api.hold();
        OpenAiAgent agent = agent();
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                agent.reply(request(Messages.text("hi")));
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        }, "interrupted-caller");
        caller.start();
        // Interrupt once the request is at the server, so the wait for the response is what gets interrupted.
        await().atMost(Duration.ofSeconds(10)).until(() -> api.requests().size() == 1);

        caller.interrupt();

        assertInstanceOf(InterruptedException.class, outcome.get(10, TimeUnit.SECONDS));
    }

    @Test
    void an_unreachable_server_becomes_an_agent_exception_without_a_status() {
        ChatCompletionsStandIn gone = ChatCompletionsStandIn.start();
        String url = gone.baseUrl();
        gone.close();
        OpenAiAgent agent = new OpenAiAgent(config(null, Duration.ofSeconds(30)).withBaseUrl(url), HTTP);

        AgentException e = assertThrows(AgentException.class, () -> agent.reply(request(Messages.text("hi"))));

        assertEquals(AgentException.NO_STATUS, e.status());
    }

    @Test
    void a_config_without_a_base_url_is_refused_naming_the_variable() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new OpenAiAgent(OpenAiConfig.defaults(), HTTP));

        assertTrue(e.getMessage().contains("OPENAI_BASE_URL"), e.getMessage());
    }

    @Test
    void it_is_called_openai_and_uses_history() {
        assertEquals("openai", agent().name());
        assertTrue(agent().usesHistory());
    }
}
