package dev.wecompipeline.sandbox;

import static dev.wecompipeline.sandbox.SandboxFixture.AGENT;
import static dev.wecompipeline.sandbox.SandboxFixture.CORP;
import static dev.wecompipeline.sandbox.SandboxFixture.json;
import static dev.wecompipeline.sandbox.SandboxFixture.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** The {@code /sandbox} endpoints an out-of-process test drives. */
class AdminEndpointsTest {

    @Test
    void apps_and_invalid_users_can_be_registered_over_http() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            assertEquals(201, fx.post("/sandbox/apps",
                    "{\"corpId\":\"wwsecond\",\"secret\":\"s2\",\"agentId\":1000005}").statusCode());
            assertEquals(0, fx.gettoken("wwsecond", "s2").path("errcode").asInt());
            assertEquals(201, fx.post("/sandbox/invalid-users", "{\"corpId\":\"" + CORP + "\",\"user\":\"ghost\"}")
                    .statusCode());
            assertEquals("ghost", fx.send(fx.token(), text("alice|ghost", "hi")).path("invaliduser").asText());
        }
    }

    @Test
    void faults_posted_as_json_take_effect_show_in_get_and_are_cleared_by_delete() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            JsonNode settings = json(fx.post("/sandbox/faults", """
                    {"failNext": {"errcode": 45009, "calls": 2},
                     "force": {"errcode": 60020, "user": "bob"},
                     "delayMillis": 0}"""));
            assertEquals(45009, settings.path("bursts").get(0).path("errcode").asInt());
            assertEquals(60020, settings.path("forcedForUser").path("bob").path("errcode").asInt());

            assertEquals(60020, fx.send(token, text("bob", "x")).path("errcode").asInt());
            assertEquals(45009, fx.send(token, text("alice", "x")).path("errcode").asInt());
            assertEquals(45009, fx.send(token, text("alice", "x")).path("errcode").asInt());
            assertEquals(0, fx.send(token, text("alice", "x")).path("errcode").asInt());

            assertTrue(json(fx.get("/sandbox/faults")).path("bursts").isEmpty(), "the burst is used up");
            JsonNode cleared = json(fx.delete("/sandbox/faults"));
            assertTrue(cleared.path("forcedForUser").isEmpty());
            assertEquals(0, fx.send(token, text("bob", "y")).path("errcode").asInt());
        }
    }

    @Test
    void the_60020_ip_text_busy_fraction_with_seed_and_http_errors_can_be_set_over_http() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            json(fx.post("/sandbox/faults", "{\"force\": {\"errcode\": 60020, \"fromIp\": \"1.2.3.4\"}}"));
            assertTrue(fx.send(token, text("alice", "x")).path("errmsg").asText().contains("from ip: 1.2.3.4"));
            json(fx.post("/sandbox/faults", "{\"clear\": true, \"seed\": 1, \"busyFraction\": 1.0}"));
            assertEquals(-1, fx.send(token, text("alice", "x")).path("errcode").asInt());
            json(fx.post("/sandbox/faults", "{\"clear\": true, \"httpError\": {\"status\": 502, \"seconds\": 5}}"));
            assertEquals(502, fx.sendRaw(token, text("alice", "x")).statusCode());
            fx.clock.advance(Duration.ofSeconds(5));
            assertEquals(200, fx.sendRaw(token, text("alice", "x")).statusCode());
        }
    }

    @Test
    void messages_calls_and_stats_report_what_was_delivered_as_json() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            fx.send(token, text("alice", "for alice"));
            fx.send(token, text("bob", "for bob"));
            fx.send("bad-token", text("bob", "rejected"));

            JsonNode all = json(fx.get("/sandbox/messages"));
            assertEquals(2, all.path("count").asInt());
            JsonNode bob = json(fx.get("/sandbox/messages?corpid=" + CORP + "&touser=bob"));
            assertEquals(1, bob.path("count").asInt());
            JsonNode message = bob.path("messages").get(0);
            assertEquals("for bob", message.path("content").asText());
            assertEquals(AGENT, message.path("agentId").asInt());
            assertEquals("text", message.path("msgtype").asText());
            assertEquals(fx.clock.instant().toString(), message.path("time").asText());
            assertFalse(message.path("truncated").asBoolean());

            JsonNode calls = json(fx.get("/sandbox/calls?api=message_send"));
            assertEquals(3, calls.path("count").asInt());
            assertEquals("REJECTED", calls.path("calls").get(2).path("outcome").asText());
            assertEquals(40014, calls.path("calls").get(2).path("errcode").asInt());

            JsonNode stats = json(fx.get("/sandbox/stats"));
            assertEquals(1, stats.path("gettokenCalls").asInt());
            assertEquals(3, stats.path("sendCalls").asInt());
            assertEquals(2, stats.path("delivered").asInt());
            assertEquals(1, stats.path("byErrcode").path("40014").asInt());
            assertEquals(2, stats.path("byOutcome").path("DELIVERED").asInt());
        }
    }

    @Test
    void token_invalidation_and_reset_work_over_http() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            json(fx.post("/sandbox/tokens/invalidate", "{\"errcode\": 42009}"));
            assertEquals(42009, fx.send(token, text("alice", "x")).path("errcode").asInt());
            json(fx.post("/sandbox/reset", ""));
            assertEquals(0, json(fx.get("/sandbox/stats")).path("sendCalls").asInt());
        }
    }

    @Test
    void bad_admin_input_answers_400_naming_the_problem() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            var typo = fx.post("/sandbox/faults", "{\"busyFractoin\": 0.5}");
            assertEquals(400, typo.statusCode());
            assertTrue(typo.body().contains("busyFractoin"), typo.body());
            var range = fx.post("/sandbox/faults", "{\"busyFraction\": 1.5}");
            assertEquals(400, range.statusCode());
            assertTrue(range.body().contains("busyFraction"), range.body());
            var missing = fx.post("/sandbox/faults", "{\"failNext\": {\"errcode\": 45009}}");
            assertEquals(400, missing.statusCode());
            assertTrue(missing.body().contains("failNext.calls"), missing.body());
        }
    }
}
