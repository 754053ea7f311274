package dev.wecompipeline.sandbox;

import static dev.wecompipeline.sandbox.SandboxFixture.CORP;
import static dev.wecompipeline.sandbox.SandboxFixture.text;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** WeCom unreachable: the listener closes and reopens on the same port. */
class OutageTest {

    @Test
    void go_down_refuses_connections_and_come_back_serves_on_the_same_port() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            int port = fx.sandbox.port();
            fx.sandbox.goDown();
            assertTrue(fx.sandbox.isDown());
            UncheckedIOException refused = assertThrows(UncheckedIOException.class,
                    () -> fx.send(token, text("alice", "into the void")));
            assertTrue(refused.getCause() instanceof ConnectException, refused.toString());

            fx.sandbox.comeBack();
            assertFalse(fx.sandbox.isDown());
            assertEquals(port, fx.sandbox.port());
            assertEquals(0, fx.send(token, text("alice", "back")).path("errcode").asInt(), "tokens survive an outage");
            assertEquals(1, fx.sandbox.deliveredTo(CORP, "alice").size());
        }
    }

    @Test
    void go_down_for_a_while_comes_back_by_itself() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            fx.sandbox.goDown(Duration.ofMillis(300));
            await().atMost(Duration.ofSeconds(10)).until(() -> !fx.sandbox.isDown());
            assertEquals(0, fx.send(token, text("alice", "back")).path("errcode").asInt());
        }
    }

    @Test
    void the_admin_endpoint_takes_it_down_and_brings_it_back() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            assertEquals(202, fx.post("/sandbox/down", "{\"seconds\": 30}").statusCode());
            await().atMost(Duration.ofSeconds(10)).until(fx.sandbox::isDown);
            assertThrows(UncheckedIOException.class, () -> fx.get("/sandbox/stats"));
            fx.sandbox.comeBack();   // don't wait the 30 s; the scheduled come-back then finds it up
            assertEquals(0, fx.send(token, text("alice", "back")).path("errcode").asInt());
        }
    }
}
