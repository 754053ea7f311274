package dev.wecompipeline.reply;

import static dev.wecompipeline.reply.ReplyFixture.reply;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import dev.wecompipeline.sandbox.ReceivedMessage;
import dev.wecompipeline.sandbox.ApiCallOutcome;
import dev.wecompipeline.sandbox.SandboxConfig;
import dev.wecompipeline.testkit.CrashSwitch;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The reply-service's exactly-once promise at scale, on one partition: a reply held back by the
 * user's hourly window while 30,000 others are delivered, then a kill and a new owner; and a
 * rolling restart while a user sends at WeCom's per-minute limit. The sandbox enforces the same
 * windows and counts every message it would drop silently.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ReplyScaleTest {

    /** The "hour" of this test: long enough for 30,000 deliveries on a loaded 2-core machine. */
    private static final Duration HOUR = Duration.ofSeconds(150);

    @Test
    void a_reply_held_by_the_hourly_window_while_thirty_thousand_pass_survives_a_kill_and_keeps_the_limit(
            KafkaBroker kafka) {
        SandboxConfig wecom = SandboxConfig.defaults().toBuilder().perUserPerHour(2).hourWindow(HOUR).build();
        try (ReplyFixture fx = new ReplyFixture(kafka.bootstrapServers(), 1,
                Map.of("REPLY_PER_USER_PER_HOUR", "2", "REPLY_HOUR_WINDOW", HOUR.toSeconds() + "s"), wecom)) {
            CrashSwitch crash = new CrashSwitch();
            ReplyService first = fx.startService(crash, UnaryOperator.identity());
            for (int i = 1; i <= 3; i++) {
                fx.publish(reply("held", "held-" + i, "held reply " + i));
            }
            for (int i = 0; i < 30_000; i++) {
                fx.publish(reply("u" + i, "r-" + i, "reply " + i));
            }
            fx.flush();
            long start = System.nanoTime();
            await().atMost(HOUR.minusSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> fx.wecom.deliveredCount() >= 30_002);
            System.out.printf("held-back reply: 30000 others delivered in %d ms while the third waits for the hour%n",
                    (System.nanoTime() - start) / 1_000_000);
            assertEquals(List.of("held reply 1", "held reply 2"), fx.deliveredTo("held"));
            assertTrue(first.isReady(), "a reply waiting for a window is not a stalled loop");
            // Everything delivered is committed before the crash: wait for the markers.
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    first.engine().recordCount("delivered") >= 30_002);
            await().atMost(Duration.ofSeconds(30)).until(() -> fx.readCommitted(fx.config.kafka().deliveredTopic(),
                    30_002, Duration.ofSeconds(30)).size() >= 30_002);

            crash.arm(CrashSwitch.Point.NOW);
            await().atMost(Duration.ofSeconds(30)).until(() -> !first.isRunning());
            fx.services.remove(first);
            long sendsBefore = fx.wecom.sendCallCount();
            fx.startService();

            await().atMost(HOUR.plusSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> fx.deliveredTo("held").size() == 3);
            List<ReceivedMessage> held = fx.wecom.deliveredTo(ReplyFixture.CORP, "held");
            Instant firstSend = held.get(0).time();
            assertTrue(!held.get(2).time().isBefore(firstSend.plus(HOUR)),
                    "the new owner kept the hourly window: " + firstSend + " then " + held.get(2).time());
            assertEquals(0, fx.wecom.countByOutcome(ApiCallOutcome.DROPPED_OVER_LIMIT), "nothing sent over a limit");
            assertEquals(sendsBefore + 1, fx.wecom.sendCallCount(), "the new owner sent only the held reply");
            Map<String, Long> perContent = fx.wecom.delivered().stream()
                    .collect(Collectors.groupingBy(ReceivedMessage::content, Collectors.counting()));
            assertEquals(30_003, perContent.size());
            assertTrue(perContent.values().stream().allMatch(n -> n == 1), "each reply delivered once");
        }
    }

    @Test
    void a_rolling_restart_at_thirty_a_minute_sends_nothing_over_the_limit(KafkaBroker kafka) {
        Duration minute = Duration.ofSeconds(20);
        SandboxConfig wecom = SandboxConfig.defaults().toBuilder().minuteWindow(minute).build();
        try (ReplyFixture fx = new ReplyFixture(kafka.bootstrapServers(), 1,
                Map.of("REPLY_MINUTE_WINDOW", minute.toSeconds() + "s"), wecom)) {
            ReplyService a = fx.startService();
            for (int i = 0; i < 45; i++) {
                fx.publish(reply("chatty", "c-" + i, "answer " + i));
            }
            fx.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> fx.deliveredTo("chatty").size() >= 30);
            // Two restarts while fifteen replies wait for the user's minute.
            ReplyService b = fx.startService();
            a.close();
            fx.services.remove(a);
            await().atMost(Duration.ofSeconds(30)).until(b::isReady);
            ReplyService c = fx.startService();
            b.close();
            fx.services.remove(b);
            await().atMost(Duration.ofSeconds(30)).until(c::isReady);
            await().atMost(Duration.ofSeconds(90)).until(() -> fx.deliveredTo("chatty").size() >= 45);
            assertEquals(0, fx.wecom.countByOutcome(ApiCallOutcome.DROPPED_OVER_LIMIT), "nothing sent over the limit");
            List<String> expected = java.util.stream.IntStream.range(0, 45).mapToObj(i -> "answer " + i).toList();
            assertEquals(expected, fx.deliveredTo("chatty"), "each once, in order");
        }
    }
}
