package dev.wecompipeline.worker.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ch.qos.logback.classic.Level;
import dev.wecompipeline.config.ConfigLoader;
import dev.wecompipeline.config.HermesConfig;
import dev.wecompipeline.config.MediaConfig;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.config.WorkerConfig;
import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.testkit.CapturedLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hermes agent against a local stand-in of Hermes' runs API. */
class HermesAgentTest {

    private static final String API_KEY = "hermes-key-0123456789abcdefghijklmnopqrstuvwxyz";
    private static final HttpClient HTTP = Agents.httpClient();
    /** Milliseconds instead of Hermes' seconds, so the retry tests are quick. */
    private static final HermesAgent.Backoff FAST = new HermesAgent.Backoff(Duration.ofMillis(20), Duration.ofMillis(200));

    private final HermesApiStandIn hermes = HermesApiStandIn.start(API_KEY);

    @AfterEach
    void stop() {
        hermes.close();
    }

    private HermesConfig config() {
        return HermesConfig.defaults().withBaseUrl(hermes.baseUrl()).withApiKey(API_KEY)
                .withPollInterval(Duration.ofMillis(20));
    }

    private HermesAgent agent(Duration timeout) {
        return new HermesAgent(config(), timeout, HTTP, FAST);
    }

    private static InboundMessage text(String corp, String user, String id, String content) {
        return new InboundMessage(InboundMessage.SCHEMA_VERSION, id, "default", corp, "1000002", user, "text",
                1_700_000_000L, content, Map.of(), 1_700_000_000_123L, "trace-" + id);
    }

    @Test
    void the_session_header_is_stable_per_user_and_differs_across_corps() throws Exception {
        HermesAgent agent = agent(Duration.ofSeconds(30));
        agent.reply(new AgentRequest(text("wwcorpA", "alice", "m1", "first"), List.of(), "k1", 0));
        agent.reply(new AgentRequest(text("wwcorpA", "alice", "m2", "second"), List.of(), "k2", 0));
        agent.reply(new AgentRequest(text("wwcorpB", "alice", "m3", "other corp"), List.of(), "k3", 0));
        agent.reply(new AgentRequest(text("wwcorpA", "alice", "m4", "after reset"), List.of(), "k4", 1));

        List<HermesApiStandIn.Request> starts = hermes.starts();
        assertEquals(List.of("wecom:wwcorpA:1000002:alice", "wecom:wwcorpA:1000002:alice",
                "wecom:wwcorpB:1000002:alice", "wecom:wwcorpA:1000002:alice:1"),
                starts.stream().map(HermesApiStandIn.Request::sessionId).toList());
        // The body names the same session (what /v1/runs loads the transcript from), and carries
        // only the new message: Hermes keeps the history.
        starts.forEach(s -> assertEquals(s.sessionId(), s.body().path("session_id").asText()));
        assertEquals("second", starts.get(1).body().path("input").asText());
        assertEquals(List.of("k1", "k2", "k3", "k4"), starts.stream().map(HermesApiStandIn.Request::idempotencyKey).toList());
        assertFalse(agent.usesHistory());
        assertTrue(agent.keepsSessions());
    }

    @Test
    void the_answer_is_the_completed_runs_output_after_polling() throws Exception {
        hermes.runDuration(Duration.ofMillis(300));
        String answer = agent(Duration.ofSeconds(30)).reply(new AgentRequest(text("c", "bob", "m1", "long task"),
                List.of(), "k1", 0));
        assertEquals("Hermes says: long task", answer);
        assertTrue(hermes.polls() >= 2, "polled while the run was running: " + hermes.polls());
    }

    @Test
    void images_in_the_runs_output_become_attachments() throws Exception {
        byte[] plot = ImageHostStandIn.png(0x228833);
        byte[] logo = ImageHostStandIn.jpeg(0x882233);
        try (ImageHostStandIn images = ImageHostStandIn.start()) {
            images.serve("/plots/plot.png", "image/png", plot);
            hermes.answerWith(run -> "Done. ![the plot](" + images.url("127.0.0.1", "/plots/plot.png") + ")\n\n"
                    + "![](data:image/jpeg;base64," + Base64.getEncoder().encodeToString(logo) + ")");
            HermesAgent agent = new HermesAgent(config(), Duration.ofSeconds(30), HTTP, FAST,
                    MediaConfig.defaults().withAgentMediaHosts(List.of("127.0.0.1:" + images.port())));

            AgentAnswer answer = agent.answer(new AgentRequest(text("c", "ida", "m1", "plot it"), List.of(), "k1", 0));

            assertEquals("Done. the plot", answer.text());
            assertEquals(List.of("plot.png", "image-2.jpg"), answer.media().stream().map(OutgoingMedia::filename).toList());
            assertArrayEquals(plot, answer.media().get(0).bytes());
            assertArrayEquals(logo, answer.media().get(1).bytes());
        }
    }

    @Test
    void a_429_is_retried_with_backoff_and_gives_the_real_answer() throws Exception {
        hermes.failNextStarts(2);
        String answer = new HermesAgent(config(), Duration.ofSeconds(30), HTTP,
                new HermesAgent.Backoff(Duration.ofMillis(20), Duration.ofSeconds(2)))
                .reply(new AgentRequest(text("c", "carol", "m1", "busy?"), List.of(), "k-busy", 0));
        assertEquals("Hermes says: busy?", answer);
        assertEquals(3, hermes.starts().size(), "two 429s, then the start");
        assertEquals(1, hermes.runsFor("k-busy"));
    }

    @Test
    void backoff_doubles_up_to_its_cap_and_honours_retry_after() {
        HermesAgent.Backoff b = new HermesAgent.Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
        assertEquals(Duration.ofMillis(100), b.delay(1, Optional.empty()));
        assertEquals(Duration.ofMillis(400), b.delay(3, Optional.empty()));
        assertEquals(Duration.ofSeconds(1), b.delay(10, Optional.empty()));
        assertEquals(Duration.ofSeconds(1), b.delay(1, Optional.of(Duration.ofSeconds(1))));
        assertThrows(IllegalArgumentException.class, () -> new HermesAgent.Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }

    @Test
    void the_same_key_and_payload_get_the_same_run_and_another_payload_a_409() throws Exception {
        HermesAgent agent = agent(Duration.ofSeconds(30));
        InboundMessage m = text("c", "dave", "m1", "once");
        assertEquals("Hermes says: once", agent.reply(new AgentRequest(m, List.of(), "k-same", 0)));
        assertEquals("Hermes says: once", agent.reply(new AgentRequest(m, List.of(), "k-same", 0)));
        assertEquals(1, hermes.runsFor("k-same"), "the second start was a replay");

        // A raw look at the stand-in's replay marker.
        HttpResponse<String> replay = HTTP.send(HttpRequest.newBuilder(URI.create(hermes.baseUrl() + "/v1/runs"))
                .header("Authorization", "Bearer " + API_KEY).header(HermesAgent.SESSION_HEADER, "wecom:c:1000002:dave")
                .header(HermesAgent.IDEMPOTENCY_KEY_HEADER, "k-same")
                .POST(HttpRequest.BodyPublishers.ofString("{\"input\":\"once\",\"session_id\":\"wecom:c:1000002:dave\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, replay.statusCode());
        assertEquals(Optional.of("true"), replay.headers().firstValue(HermesAgent.REPLAYED_HEADER));

        AgentException conflict = assertThrows(AgentException.class,
                () -> agent.reply(new AgentRequest(text("c", "dave", "m1", "changed"), List.of(), "k-same", 0)));
        assertEquals(409, conflict.status());
        assertTrue(conflict.getMessage().contains("different request payload"), conflict.getMessage());
    }

    @Test
    void a_run_past_the_agent_timeout_is_stopped_and_times_out() {
        hermes.hold();
        AgentTimeoutException e = assertThrows(AgentTimeoutException.class, () -> agent(Duration.ofMillis(600))
                .reply(new AgentRequest(text("c", "erin", "m1", "forever"), List.of(), "k-slow", 0)));
        assertTrue(e.getMessage().startsWith("Hermes run run_"), e.getMessage());
        assertEquals(1, hermes.stopped().size(), "the run was stopped at Hermes");
    }

    @Test
    void a_failed_run_is_an_agent_exception() {
        hermes.hold();
        HermesAgent agent = agent(Duration.ofSeconds(30));
        Thread stopper = new Thread(() -> {
            // Another client stops the run while the agent polls it.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !hermes.runs().isEmpty());
            try {
                HTTP.send(HttpRequest.newBuilder(URI.create(hermes.baseUrl() + "/v1/runs/" + hermes.runs().get(0).id()
                        + "/stop")).header("Authorization", "Bearer " + API_KEY)
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        stopper.start();
        AgentException e = assertThrows(AgentException.class,
                () -> agent.reply(new AgentRequest(text("c", "fay", "m1", "doomed"), List.of(), "k-doomed", 0)));
        assertTrue(e.getMessage().contains("ended cancelled"), e.getMessage());
    }

    @Test
    void the_api_key_goes_only_into_the_authorization_header() throws Exception {
        // Our code's logs, all levels (the stand-in's Jetty logs request headers at DEBUG: that is the server's).
        List<String> lines;
        try (CapturedLogs logs = CapturedLogs.start("dev.wecompipeline", Level.DEBUG)) {
            hermes.failNextStarts(1);
            agent(Duration.ofSeconds(30)).reply(new AgentRequest(text("c", "gus", "m1", "hi"), List.of(), "k1", 0));
            assertEquals("Bearer " + API_KEY, hermes.starts().get(1).authorization());

            // A wrong key: the error names the status, never the key we sent.
            HermesAgent wrong = new HermesAgent(config().withApiKey(API_KEY + "-wrong"), Duration.ofSeconds(30), HTTP, FAST);
            AgentException refused = assertThrows(AgentException.class,
                    () -> wrong.reply(new AgentRequest(text("c", "gus", "m2", "hi"), List.of(), "k2", 0)));
            assertEquals(401, refused.status());
            assertFalse(refused.getMessage().contains(API_KEY), refused.getMessage());

            // Loaded from the environment as an operator would: describe() and toString() mask it.
            PipelineConfig loaded = ConfigLoader.load(Map.of(WorkerConfig.AGENT.env(), "hermes",
                    HermesConfig.API_KEY.env(), API_KEY, HermesConfig.BASE_URL.env(), hermes.baseUrl()), Optional.empty());
            assertEquals(API_KEY, loaded.hermes().apiKey());
            assertTrue(loaded.describe().contains("hermes: " + hermes.baseUrl()), loaded.describe());
            assertFalse(loaded.describe().contains(API_KEY), loaded.describe());
            assertFalse(loaded.hermes().toString().contains(API_KEY));
            assertTrue(WorkerConfig.isPipelineSecret(HermesConfig.API_KEY.env()), "never passed to a command agent");
            try (Agent created = Agents.create(loaded)) {
                assertInstanceOf(HermesAgent.class, created);
            }
            lines = logs.messages();
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("answered 429")), "the retry was logged");
        lines.forEach(l -> assertFalse(l.contains(API_KEY), l));
    }
}
