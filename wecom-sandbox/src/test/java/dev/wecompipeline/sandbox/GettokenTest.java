package dev.wecompipeline.sandbox;

import static dev.wecompipeline.sandbox.SandboxFixture.AGENT;
import static dev.wecompipeline.sandbox.SandboxFixture.CORP;
import static dev.wecompipeline.sandbox.SandboxFixture.SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** {@code GET /cgi-bin/gettoken}. */
class GettokenTest {

    @Test
    void a_registered_app_gets_a_token_that_expires_in_7200_seconds() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            JsonNode answer = fx.gettoken(CORP, SECRET);
            assertEquals(0, answer.path("errcode").asInt());
            assertEquals("ok", answer.path("errmsg").asText());
            assertTrue(answer.path("access_token").asText().length() >= 64, answer.toString());
            assertEquals(7200, answer.path("expires_in").asLong());

            CallRecord call = fx.sandbox.gettokenCalls().get(0);
            assertEquals(ApiCallOutcome.TOKEN_ISSUED, call.outcome());
            assertEquals(CORP, call.corpId());
            assertEquals(AGENT, call.agentId());
        }
    }

    @Test
    void a_wrong_secret_answers_40001_invalid_credential() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            JsonNode answer = fx.gettoken(CORP, "not-the-secret");
            assertEquals(40001, answer.path("errcode").asInt());
            assertTrue(answer.path("errmsg").asText().startsWith("invalid credential"), answer.toString());
            assertFalse(answer.has("access_token"));
            assertEquals(1, fx.sandbox.countByErrcode(40001));
        }
    }

    @Test
    void an_unknown_corp_answers_40013_and_missing_parameters_41002_and_41004() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            assertEquals(40013, fx.gettoken("wwunknown", SECRET).path("errcode").asInt());
            assertEquals(41002, SandboxFixture.json(fx.get("/cgi-bin/gettoken?corpsecret=x")).path("errcode").asInt());
            assertEquals(41004, SandboxFixture.json(fx.get("/cgi-bin/gettoken?corpid=" + CORP)).path("errcode").asInt());
        }
    }

    @Test
    void asking_again_while_valid_returns_the_same_token_with_the_time_left() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String first = fx.token();
            fx.clock.advance(Duration.ofSeconds(1000));
            JsonNode again = fx.gettoken(CORP, SECRET);
            assertEquals(first, again.path("access_token").asText());
            assertEquals(6200, again.path("expires_in").asLong());

            fx.clock.advance(Duration.ofSeconds(6200));
            assertNotEquals(first, fx.token(), "an expired token is replaced");
        }
    }

    @Test
    void each_app_has_its_own_token_and_expires_in_is_configurable() {
        SandboxConfig config = SandboxConfig.builder().tokenTtl(Duration.ofSeconds(60)).build();
        try (SandboxFixture fx = SandboxFixture.start(config)) {
            fx.sandbox.registerApp(CORP, "other-secret", 1000003);
            JsonNode one = fx.gettoken(CORP, SECRET);
            JsonNode two = fx.gettoken(CORP, "other-secret");
            assertNotEquals(one.path("access_token").asText(), two.path("access_token").asText());
            assertEquals(60, one.path("expires_in").asLong());
            assertEquals(List.of(AGENT, 1000003), fx.sandbox.gettokenCalls().stream().map(CallRecord::agentId).toList());
        }
    }

    @Test
    void secrets_and_tokens_are_never_recorded() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            fx.send(token, SandboxFixture.text("alice", "hi"));
            String everything = fx.sandbox.calls().toString() + fx.sandbox.delivered();
            assertFalse(everything.contains(SECRET));
            assertFalse(everything.contains(token));
            assertNull(fx.sandbox.gettokenCalls().get(0).content());
        }
    }
}
