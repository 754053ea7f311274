package dev.wecompipeline.worker;

import static dev.wecompipeline.worker.WorkerFixture.text;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.testkit.CrashSwitch;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Crashes and rebalances: whatever happens to a worker, every message is answered exactly once
 * (counted on the reply topic as a read_committed reader such as the reply-service sees it).
 */
@ExtendWith(KafkaBrokerExtension.class)
class WorkerCrashTest {

    @Test
    void a_worker_halted_mid_task_leaves_every_message_to_the_survivor_exactly_once(KafkaBroker kafka) throws Exception {
        try (WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 2)) {
            ScriptedAgent doomedAgent = new ScriptedAgent(Duration.ZERO, false);
            CrashSwitch crash = new CrashSwitch();
            WorkerService doomed = fx.startWorker(doomedAgent, WorkerFixture.settings(8), crash, Map.of());
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                fx.publish(text("u" + i, "quick-" + i, "quick " + i));
                ids.add("quick-" + i);
            }
            fx.flush();
            assertEquals(10, fx.replies(10, Duration.ofSeconds(30)).size());
            for (int i = 0; i < 6; i++) {
                fx.publish(text("u" + i, "slow-" + i, "block " + i));
                ids.add("slow-" + i);
            }
            fx.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> doomedAgent.concurrent.get() == 6);

            crash.arm(CrashSwitch.Point.NOW);
            await().atMost(Duration.ofSeconds(30)).until(() -> !doomed.isRunning());
            fx.workers.remove(doomed);
            doomedAgent.release.countDown();

            ScriptedAgent survivor = new ScriptedAgent(Duration.ZERO, false);
            survivor.release.countDown();
            fx.startWorker(survivor, WorkerFixture.settings(8));
            List<ReplyMessage> replies = fx.replies(16, Duration.ofSeconds(90));
            assertTrue(replies.stream().noneMatch(r -> r.content().startsWith("Sorry")), "the survivor answered them itself");
            assertExactlyOnce(ids, replies);
        }
    }

    @Test
    void a_worker_halted_after_producing_but_before_committing_is_answered_once_by_the_survivor(KafkaBroker kafka)
            throws Exception {
        try (WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 2)) {
            ScriptedAgent agent = new ScriptedAgent(Duration.ZERO, false);
            CrashSwitch crash = new CrashSwitch();
            WorkerService doomed = fx.startWorker(agent, WorkerFixture.settings(8), crash, Map.of());
            crash.arm(CrashSwitch.Point.BEFORE_COMMIT);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                fx.publish(text("v" + i, "pc-" + i, "produced not committed " + i));
                ids.add("pc-" + i);
            }
            fx.flush();
            // The doomed worker answers, sends the replies in a transaction, and dies before committing it.
            await().atMost(Duration.ofSeconds(30)).until(() -> !doomed.isRunning());
            fx.workers.remove(doomed);
            assertTrue(agent.calls.size() >= 1, "the doomed worker did run the agent");

            ScriptedAgent survivorAgent = new ScriptedAgent(Duration.ZERO, false);
            fx.startWorker(survivorAgent, WorkerFixture.settings(8));
            List<ReplyMessage> replies = fx.replies(8, Duration.ofSeconds(90));
            assertExactlyOnce(ids, replies);
        }
    }

    @Test
    void a_second_worker_joining_under_load_loses_and_doubles_nothing(KafkaBroker kafka) {
        try (WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 4)) {
            fx.startWorker(new ScriptedAgent(Duration.ofMillis(50), false), WorkerFixture.settings(16));
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                fx.publish(text("w" + (i % 40), "load-" + i, "load " + i));
                ids.add("load-" + i);
                if (i == 100) {
                    fx.flush();
                    // Join while the first worker is busy with the first hundred.
                    fx.startWorker(new ScriptedAgent(Duration.ofMillis(50), false), WorkerFixture.settings(16));
                }
            }
            fx.flush();
            List<ReplyMessage> replies = fx.replies(300, Duration.ofSeconds(120));
            assertExactlyOnce(ids, replies);
            // Per-user order survives the rebalance.
            Map<String, List<Integer>> byUser = replies.stream().collect(Collectors.groupingBy(ReplyMessage::userId,
                    Collectors.mapping(r -> Integer.parseInt(r.inboundMessageId().substring(5)), Collectors.toList())));
            byUser.forEach((user, order) -> assertEquals(order.stream().sorted().toList(), order, user + " in order"));
        }
    }

    static void assertExactlyOnce(List<String> ids, List<ReplyMessage> replies) {
        Map<String, Long> counts = replies.stream()
                .collect(Collectors.groupingBy(ReplyMessage::inboundMessageId, Collectors.counting()));
        List<String> missing = ids.stream().filter(id -> !counts.containsKey(id)).toList();
        List<String> doubled = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
        System.out.printf("exactly-once check: %d messages, %d replies, missing %s, doubled %s%n",
                ids.size(), replies.size(), missing, doubled);
        assertEquals(List.of(), missing, "lost replies");
        assertEquals(List.of(), doubled, "duplicated replies");
        assertEquals(ids.size(), replies.size());
    }
}
