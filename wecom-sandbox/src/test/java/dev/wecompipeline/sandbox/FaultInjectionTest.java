package dev.wecompipeline.sandbox;

import static dev.wecompipeline.sandbox.SandboxFixture.CORP;
import static dev.wecompipeline.sandbox.SandboxFixture.SECRET;
import static dev.wecompipeline.sandbox.SandboxFixture.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** Faults set through the Java API, observed through real HTTP calls. */
class FaultInjectionTest {

    /** Enough room that the per-member limits never interfere with counting faults. */
    private static final SandboxConfig ROOMY = SandboxConfig.builder().perUserPerMinute(10_000).perUserPerHour(10_000).build();

    @Test
    void a_busy_fraction_answers_minus_1_to_about_that_share_and_a_seed_repeats_the_sequence() {
        List<Integer> first = busyRun(42);
        long busy = first.stream().filter(code -> code == -1).count();
        // 400 draws at p = 0.25: mean 100, sd ~8.7; +-35 is four standard deviations.
        assertTrue(busy > 65 && busy < 135, "busy answers: " + busy);
        assertEquals(first, busyRun(42), "the same seed gives the same answers");
        assertNotEquals(first, busyRun(7));
    }

    private static List<Integer> busyRun(long seed) {
        try (SandboxFixture fx = SandboxFixture.start(ROOMY)) {
            fx.sandbox.faults().random(new Random(seed)).busyFraction(0.25);
            String token = fx.token();
            List<Integer> codes = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                JsonNode answer = fx.send(token, text("alice", "message " + i));
                codes.add(answer.path("errcode").asInt());
                if (answer.path("errcode").asInt() == -1) {
                    assertTrue(answer.path("errmsg").asText().startsWith("system busy"));
                }
            }
            assertEquals(codes.stream().filter(c -> c == 0).count(), fx.sandbox.deliveredTo(CORP, "alice").size());
            return codes;
        }
    }

    @Test
    void a_45009_burst_answers_the_next_n_sends_and_then_stops() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            fx.sandbox.faults().failNext(WeComErrors.API_FREQ_OUT_OF_LIMIT, 3);
            List<Integer> codes = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                codes.add(fx.send(token, text("alice", "m" + i)).path("errcode").asInt());
            }
            assertEquals(List.of(45009, 45009, 45009, 0), codes);
            assertEquals(3, fx.sandbox.countByErrcode(45009));
            assertEquals(0, fx.gettoken(CORP, SECRET).path("errcode").asInt(), "a send burst leaves gettoken alone");
        }
    }

    @Test
    void a_timed_burst_lasts_until_the_sandbox_clock_passes_it() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            fx.sandbox.faults().failFor(WeComErrors.API_CONCURRENT_OUT_OF_LIMIT, Duration.ofSeconds(60));
            assertEquals(45033, fx.send(token, text("alice", "a")).path("errcode").asInt());
            fx.clock.advance(Duration.ofSeconds(59));
            assertEquals(45033, fx.send(token, text("alice", "b")).path("errcode").asInt());
            fx.clock.advance(Duration.ofSeconds(1));
            assertEquals(0, fx.send(token, text("alice", "c")).path("errcode").asInt());
        }
    }

    @Test
    void gettoken_can_be_rate_limited_on_its_own() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            fx.sandbox.faults().failNext(ApiEndpoint.GETTOKEN, WeComErrors.API_FREQ_OUT_OF_LIMIT, 1);
            assertEquals(45009, fx.gettoken(CORP, SECRET).path("errcode").asInt());
            assertEquals(0, fx.gettoken(CORP, SECRET).path("errcode").asInt());
        }
    }

    @Test
    void a_forced_60020_carries_the_ip_hint_text_wecom_sends() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            fx.sandbox.faults().ipNotAllowed("1.2.3.4");
            JsonNode answer = fx.send(token, text("alice", "hi"));
            assertEquals(60020, answer.path("errcode").asInt());
            String errmsg = answer.path("errmsg").asText();
            assertTrue(errmsg.matches("not allow to access from your ip, hint: \\[[^\\]]+\\], from ip: 1\\.2\\.3\\.4, "
                    + "more info at https://open\\.work\\.weixin\\.qq\\.com/devtool/query\\?e=60020"), errmsg);

            fx.sandbox.faults().clearForced().forceErrcode(WeComErrors.IP_NOT_ALLOWED);
            assertTrue(fx.send(token, text("alice", "hi")).path("errmsg").asText().contains("from ip: 127.0.0.1"),
                    "without an address the caller's own is reported");
            assertTrue(fx.sandbox.delivered().isEmpty());
        }
    }

    @Test
    void an_errcode_forced_for_one_member_fails_only_sends_to_that_member() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            fx.sandbox.faults().forceErrcodeFor("bob", WeComErrors.NO_APP_PERMISSION, "no permission, custom text");
            JsonNode bob = fx.send(token, text("bob", "hi"));
            assertEquals(301002, bob.path("errcode").asInt());
            assertEquals("no permission, custom text", bob.path("errmsg").asText());
            assertEquals(0, fx.send(token, text("alice", "hi")).path("errcode").asInt());
            fx.sandbox.faults().clearForced();
            assertEquals(0, fx.send(token, text("bob", "hi again")).path("errcode").asInt());
        }
    }

    @Test
    void every_nth_send_finds_its_token_expired_and_the_token_stays_dead() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            fx.sandbox.faults().expireTokenEvery(3);
            String token = fx.token();
            assertEquals(0, fx.send(token, text("alice", "1")).path("errcode").asInt());
            assertEquals(0, fx.send(token, text("alice", "2")).path("errcode").asInt());
            assertEquals(42001, fx.send(token, text("alice", "3")).path("errcode").asInt());
            assertEquals(42001, fx.send(token, text("alice", "3 again")).path("errcode").asInt());
            String fresh = fx.token();
            assertNotEquals(token, fresh);
            assertEquals(0, fx.send(fresh, text("alice", "3 with a fresh token")).path("errcode").asInt());
        }
    }

    @Test
    void invalidating_all_tokens_answers_40014_or_the_chosen_code_until_a_new_token_is_fetched() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            fx.sandbox.invalidateAllTokens(WeComErrors.ACCESS_TOKEN_REVOKED);
            assertEquals(42009, fx.send(token, text("alice", "a")).path("errcode").asInt());
            String second = fx.token();
            assertNotEquals(token, second);
            fx.sandbox.invalidateAllTokens(WeComErrors.INVALID_ACCESS_TOKEN);
            assertEquals(40014, fx.send(second, text("alice", "b")).path("errcode").asInt());
            assertEquals(0, fx.send(fx.token(), text("alice", "c")).path("errcode").asInt());
        }
    }

    @Test
    void http_errors_come_as_a_fraction_or_for_a_duration_without_a_wecom_body() {
        try (SandboxFixture fx = SandboxFixture.start(ROOMY)) {
            String token = fx.token();
            fx.sandbox.faults().httpErrors(502, 1.0);
            HttpResponse<String> bad = fx.sendRaw(token, text("alice", "a"));
            assertEquals(502, bad.statusCode());
            assertTrue(bad.body().contains("502 Bad Gateway"));
            fx.sandbox.faults().clear().httpErrorsFor(500, Duration.ofSeconds(30));
            assertEquals(500, fx.sendRaw(token, text("alice", "b")).statusCode());
            assertEquals(500, fx.get("/cgi-bin/gettoken?corpid=" + CORP + "&corpsecret=" + SECRET).statusCode());
            fx.clock.advance(Duration.ofSeconds(30));
            assertEquals(200, fx.sendRaw(token, text("alice", "c")).statusCode());

            CallRecord failed = fx.sandbox.sendCalls().get(0);
            assertEquals(ApiCallOutcome.HTTP_FAILURE, failed.outcome());
            assertEquals(502, failed.httpStatus());
            assertNull(failed.errcode());
            assertEquals(1, fx.sandbox.delivered().size());
        }
    }

    @Test
    void unavailable_answers_503_to_the_api_but_not_to_the_admin_endpoints() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            fx.sandbox.faults().unavailable(true);
            assertEquals(503, fx.sendRaw(token, text("alice", "a")).statusCode());
            assertEquals(200, fx.get("/sandbox/stats").statusCode());
            fx.sandbox.faults().unavailable(false);
            assertEquals(200, fx.sendRaw(token, text("alice", "b")).statusCode());
        }
    }

    @Test
    void a_response_delay_holds_every_answer_back() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            fx.sandbox.faults().delay(Duration.ofMillis(300));
            long start = System.nanoTime();
            assertEquals(0, fx.send(token, text("alice", "slow")).path("errcode").asInt());
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 300);
        }
    }

    @Test
    void reset_clears_faults_tokens_records_and_windows_but_keeps_the_apps() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            fx.send(token, text("alice", "before"));
            fx.sandbox.faults().busyFraction(1.0);
            fx.sandbox.reset();
            assertTrue(fx.sandbox.calls().isEmpty());
            assertEquals(40014, fx.send(token, text("alice", "old token")).path("errcode").asInt());
            assertEquals(0, fx.send(fx.token(), text("alice", "after")).path("errcode").asInt());
        }
    }
}
