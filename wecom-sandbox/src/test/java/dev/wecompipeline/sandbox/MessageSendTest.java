package dev.wecompipeline.sandbox;

import static dev.wecompipeline.sandbox.SandboxFixture.AGENT;
import static dev.wecompipeline.sandbox.SandboxFixture.CORP;
import static dev.wecompipeline.sandbox.SandboxFixture.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** {@code POST /cgi-bin/message/send}: validation, truncation, duplicate check, limits. */
class MessageSendTest {

    @Test
    void a_valid_text_is_answered_ok_and_recorded_as_delivered() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            JsonNode answer = fx.send(fx.token(), text("alice", "你好, world"));
            assertEquals(0, answer.path("errcode").asInt());
            assertEquals("ok", answer.path("errmsg").asText());
            assertEquals("", answer.path("invaliduser").asText());
            assertFalse(answer.path("msgid").asText().isEmpty());

            ReceivedMessage delivery = fx.sandbox.deliveredTo(CORP, "alice").get(0);
            assertEquals(new ReceivedMessage(fx.clock.instant(), CORP, AGENT, "alice", "text", "你好, world", false,
                    answer.path("msgid").asText()), delivery);
            assertEquals(ApiCallOutcome.DELIVERED, fx.sandbox.sendCalls().get(0).outcome());
        }
    }

    @Test
    void markdown_is_delivered_and_a_send_to_two_members_gives_one_delivery_each() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            Map<String, Object> body = Map.of("touser", "alice|bob", "msgtype", "markdown", "agentid", AGENT,
                    "markdown", Map.of("content", "**bold**"));
            assertEquals(0, fx.send(fx.token(), body).path("errcode").asInt());
            assertEquals(List.of("alice", "bob"), fx.sandbox.delivered().stream().map(ReceivedMessage::touser).toList());
            assertEquals("markdown", fx.sandbox.deliveredTo(CORP, "bob").get(0).msgtype());
        }
    }

    @Test
    void a_token_past_expires_in_answers_42001_without_any_sleep() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            fx.clock.advance(Duration.ofSeconds(7199));
            assertEquals(0, fx.send(token, text("alice", "still valid")).path("errcode").asInt());
            fx.clock.advance(Duration.ofSeconds(1));
            JsonNode answer = fx.send(token, text("alice", "too late"));
            assertEquals(42001, answer.path("errcode").asInt());
            assertTrue(answer.path("errmsg").asText().startsWith("access_token expired"));
            assertEquals(1, fx.sandbox.deliveredTo(CORP, "alice").size());
        }
    }

    @Test
    void an_unknown_token_answers_40014_and_a_missing_one_41001() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            assertEquals(40014, fx.send("made-up-token", text("alice", "hi")).path("errcode").asInt());
            JsonNode missing = SandboxFixture.json(fx.post("/cgi-bin/message/send", SandboxFixture.write(text("alice", "hi"))));
            assertEquals(41001, missing.path("errcode").asInt());
            assertTrue(fx.sandbox.delivered().isEmpty());
            assertEquals(2, fx.sandbox.countByOutcome(ApiCallOutcome.REJECTED));
        }
    }

    @Test
    void wrong_agentid_msgtype_or_empty_content_and_bad_json_are_rejected_like_wecom() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            Map<String, Object> otherAgent = text("alice", "hi");
            otherAgent.put("agentid", 1000099);
            assertEquals(40056, fx.send(token, otherAgent).path("errcode").asInt());
            Map<String, Object> sticker = text("alice", "hi");
            sticker.put("msgtype", "sticker");
            assertEquals(40008, fx.send(token, sticker).path("errcode").asInt());
            assertEquals(44004, fx.send(token, text("alice", "")).path("errcode").asInt());
            assertEquals(47001, SandboxFixture.json(fx.post("/cgi-bin/message/send?access_token=" + token, "{not json"))
                    .path("errcode").asInt());
            Map<String, Object> agentAsString = text("alice", "WeCom accepts the agentid as a string too");
            agentAsString.put("agentid", String.valueOf(AGENT));
            assertEquals(0, fx.send(token, agentAsString).path("errcode").asInt());
            assertEquals(Map.of(0, 2L, 40056, 1L, 40008, 1L, 44004, 1L, 47001, 1L), fx.sandbox.countsByErrcode());
        }
    }

    @Test
    void content_over_2048_bytes_is_cut_at_the_last_whole_character_and_marked_truncated() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            // "a" then 3-byte characters: byte 2048 falls inside a character (1 + 3 * 682 = 2047).
            String text = "a" + "汉".repeat(700);
            JsonNode answer = fx.send(fx.token(), text("alice", text));
            assertEquals(0, answer.path("errcode").asInt(), "WeCom answers ok and cuts the rest off");

            ReceivedMessage delivery = fx.sandbox.deliveredTo(CORP, "alice").get(0);
            assertTrue(delivery.truncated());
            assertEquals("a" + "汉".repeat(682), delivery.content());
            assertEquals(2047, delivery.content().getBytes(StandardCharsets.UTF_8).length);
            assertTrue(fx.sandbox.sendCalls().get(0).truncated());
        }
    }

    @Test
    void content_of_exactly_2048_bytes_is_kept_whole() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String text = "ab" + "汉".repeat(682);   // 2 + 2046 = 2048 bytes
            fx.send(fx.token(), text("alice", text));
            ReceivedMessage delivery = fx.sandbox.deliveredTo(CORP, "alice").get(0);
            assertFalse(delivery.truncated());
            assertEquals(text, delivery.content());
        }
    }

    @Test
    void with_duplicate_check_an_identical_message_is_answered_ok_but_not_delivered_again() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            Map<String, Object> body = text("alice", "the same answer");
            body.put("enable_duplicate_check", 1);
            body.put("duplicate_check_interval", 600);
            assertEquals(0, fx.send(token, body).path("errcode").asInt());
            fx.clock.advance(Duration.ofSeconds(599));
            assertEquals(0, fx.send(token, body).path("errcode").asInt());
            assertEquals(1, fx.sandbox.deliveredTo(CORP, "alice").size());
            assertEquals(1, fx.sandbox.countByOutcome(ApiCallOutcome.DUPLICATE_SUPPRESSED));

            fx.clock.advance(Duration.ofSeconds(1));
            fx.send(token, body);
            assertEquals(2, fx.sandbox.deliveredTo(CORP, "alice").size(), "the interval has passed");
            Map<String, Object> unchecked = text("alice", "the same answer");
            fx.send(token, unchecked);
            assertEquals(3, fx.sandbox.deliveredTo(CORP, "alice").size(), "without the flag nothing is suppressed");
        }
    }

    @Test
    void over_30_a_minute_a_member_silently_loses_messages_and_the_drop_is_recorded() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            for (int i = 0; i < 32; i++) {
                assertEquals(0, fx.send(token, text("alice", "message " + i)).path("errcode").asInt());
            }
            assertEquals(0, fx.send(token, text("bob", "bob has his own limit")).path("errcode").asInt());
            assertEquals(30, fx.sandbox.deliveredTo(CORP, "alice").size());
            assertEquals(2, fx.sandbox.countByOutcome(ApiCallOutcome.DROPPED_OVER_LIMIT));
            assertEquals(List.of("message 30", "message 31"), fx.sandbox.sendCalls().stream()
                    .filter(c -> c.outcome() == ApiCallOutcome.DROPPED_OVER_LIMIT).map(CallRecord::content).toList());

            fx.clock.advance(Duration.ofSeconds(60));
            fx.send(token, text("alice", "a minute later"));
            assertEquals(31, fx.sandbox.deliveredTo(CORP, "alice").size());
        }
    }

    @Test
    void the_hourly_limit_and_the_windows_are_configurable() {
        SandboxConfig config = SandboxConfig.builder().perUserPerMinute(2).minuteWindow(Duration.ofSeconds(10))
                .perUserPerHour(3).hourWindow(Duration.ofSeconds(100)).build();
        try (SandboxFixture fx = SandboxFixture.start(config)) {
            String token = fx.token();
            fx.send(token, text("alice", "1"));
            fx.send(token, text("alice", "2"));
            fx.send(token, text("alice", "dropped: 2 in 10 s"));
            fx.clock.advance(Duration.ofSeconds(10));
            fx.send(token, text("alice", "3"));
            fx.send(token, text("alice", "dropped: 3 in 100 s"));
            fx.clock.advance(Duration.ofSeconds(90));
            fx.send(token, text("alice", "4"));
            assertEquals(List.of("1", "2", "3", "4"),
                    fx.sandbox.deliveredTo(CORP, "alice").stream().map(ReceivedMessage::content).toList());
            assertEquals(2, fx.sandbox.countByOutcome(ApiCallOutcome.DROPPED_OVER_LIMIT));
        }
    }

    @Test
    void invalid_members_are_listed_in_invaliduser_and_if_nobody_is_left_the_answer_is_81013() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            fx.sandbox.invalidUser(CORP, "ghost").invalidUser(CORP, "left-the-company");
            String token = fx.token();
            JsonNode partial = fx.send(token, text("alice|ghost", "hi"));
            assertEquals(0, partial.path("errcode").asInt());
            assertEquals("ghost", partial.path("invaliduser").asText());
            assertEquals(List.of("alice"), fx.sandbox.delivered().stream().map(ReceivedMessage::touser).toList());

            JsonNode none = fx.send(token, text("ghost|left-the-company", "hi"));
            assertEquals(81013, none.path("errcode").asInt());
            assertEquals("ghost|left-the-company", none.path("invaliduser").asText());
            assertEquals(1, fx.sandbox.delivered().size());
        }
    }

    @Test
    void concurrent_identical_sends_with_duplicate_check_are_delivered_exactly_once() throws Exception {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            Map<String, Object> body = text("alice", "raced");
            body.put("enable_duplicate_check", 1);
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<Future<JsonNode>> answers = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    answers.add(pool.submit(() -> fx.send(token, body)));
                }
                for (Future<JsonNode> answer : answers) {
                    assertEquals(0, answer.get(10, TimeUnit.SECONDS).path("errcode").asInt());
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(1, fx.sandbox.deliveredTo(CORP, "alice").size());
            assertEquals(15, fx.sandbox.countByOutcome(ApiCallOutcome.DUPLICATE_SUPPRESSED));
        }
    }
}
