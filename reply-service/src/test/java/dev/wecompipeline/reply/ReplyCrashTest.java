package dev.wecompipeline.reply;

import static dev.wecompipeline.reply.ReplyFixture.reply;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.wecompipeline.sandbox.ReceivedMessage;
import dev.wecompipeline.sandbox.ApiCallOutcome;
import dev.wecompipeline.sandbox.SandboxConfig;
import dev.wecompipeline.testkit.CrashSwitch;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Crashes and restarts: what WeCom accepted is never delivered twice, and nothing is lost. */
@ExtendWith(KafkaBrokerExtension.class)
class ReplyCrashTest {

    @Test
    void an_instance_killed_between_a_send_and_its_marker_delivers_nothing_twice_after_restart(KafkaBroker kafka)
            throws Exception {
        // Two sends a second per app: the crash comes after the first acceptance, before most sends.
        try (ReplyFixture fx = new ReplyFixture(kafka.bootstrapServers(), 2, Map.of("REPLY_APP_SENDS_PER_SECOND", "2"),
                SandboxConfig.defaults())) {
            CrashAfterAccept crash = new CrashAfterAccept();
            ReplyService doomed = fx.startService(new CrashSwitch(), crash);
            crash.armed = true;
            List<String> expected = new ArrayList<>();
            // A three-chunk reply and a few single ones, to other users.
            StringBuilder longText = new StringBuilder();
            for (int p = 0; p < 3; p++) {
                // Distinct paragraphs: WeCom's duplicate check would also swallow identical chunks of one reply.
                longText.append(("Paragraph " + p + " about the crash window between WeCom and Kafka. ").repeat(30))
                        .append("\n\n");
            }
            fx.publish(reply("zhao", "long", longText.toString()));
            expected.addAll(new ReplySplitter(2048, false).split(longText.toString()));
            assertEquals(3, expected.size());
            for (int i = 0; i < 5; i++) {
                fx.publish(reply("qian" + i, "s" + i, "short reply " + i));
                expected.add("short reply " + i);
            }
            fx.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> !doomed.isRunning());
            doomed.close();
            fx.services.remove(doomed);
            long deliveredBeforeCrash = fx.wecom.deliveredCount();
            assertTrue(deliveredBeforeCrash >= 1, "WeCom accepted something before the crash");
            assertTrue(deliveredBeforeCrash < expected.size(), "the crash left work for the survivor");

            ReplyService survivor = fx.startService();
            await().atMost(Duration.ofSeconds(60)).until(() -> fx.wecom.deliveredCount() >= expected.size());

            Map<String, Long> perChunk = fx.wecom.delivered().stream()
                    .collect(Collectors.groupingBy(ReceivedMessage::content, Collectors.counting()));
            assertEquals(expected.size(), perChunk.size(), "every chunk delivered");
            perChunk.forEach((content, n) -> assertEquals(1L, n, "delivered once: " + content.substring(0, Math.min(20, content.length()))));
            assertTrue(fx.wecom.countByOutcome(ApiCallOutcome.DUPLICATE_SUPPRESSED) >= 1,
                    "the resend of the chunk accepted before the crash was caught by WeCom's duplicate check");
            assertEquals(expected.subList(0, 3), fx.deliveredTo("zhao"), "the long reply's chunks in order");
            assertTrue(survivor.isRunning());
        }
    }

    @Test
    void a_restart_after_a_clean_stop_skips_chunks_recorded_as_delivered(KafkaBroker kafka) {
        try (ReplyFixture fx = new ReplyFixture(kafka.bootstrapServers(), 1)) {
            ReplyService first = fx.startService();
            for (int i = 0; i < 5; i++) {
                fx.publish(reply("sun", "c" + i, "clean " + i));
            }
            fx.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> fx.wecom.deliveredCount() == 5);
            first.close();
            fx.services.remove(first);
            long sendsBefore = fx.wecom.sendCallCount();

            // The same replies again (a producer retry, a replay): recognised by reply id and chunk.
            for (int i = 0; i < 5; i++) {
                fx.publish(reply("sun", "c" + i, "clean " + i));
            }
            fx.publish(reply("sun", "c5", "clean 5"));
            fx.flush();
            ReplyService second = fx.startService();

            await().atMost(Duration.ofSeconds(30)).until(() -> fx.wecom.deliveredCount() == 6);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> second.engine().recordCount("already_delivered") == 5);
            assertEquals(sendsBefore + 1, fx.wecom.sendCallCount(), "only the new reply was sent");
            assertEquals(List.of("clean 0", "clean 1", "clean 2", "clean 3", "clean 4", "clean 5"), fx.deliveredTo("sun"));
        }
    }
}
