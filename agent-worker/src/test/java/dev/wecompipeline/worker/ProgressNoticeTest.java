package dev.wecompipeline.worker;

import static dev.wecompipeline.worker.WorkerFixture.text;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.testkit.CrashSwitch;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import dev.wecompipeline.worker.agent.Agent;
import dev.wecompipeline.worker.agent.AgentRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The progress notice ({@code AGENT_PROGRESS_NOTICE_AFTER}), read on the reply topic as the
 * reply-service sees it (read_committed): one notice before the answer of a slow agent, none for
 * a fast one, never one after the answer, and after a crash the replacement's notice carries the
 * same reply id, so the reply-service drops it as delivered ({@code ProgressNoticeDeliveryTest}
 * in the reply-service shows that on the WeCom sandbox).
 */
@ExtendWith(KafkaBrokerExtension.class)
class ProgressNoticeTest {

    private static final Duration NOTICE_AFTER = Duration.ofSeconds(1);
    private static final String NOTICE = "收到，正在处理，请稍候…";

    @Test
    void a_slow_agent_gets_one_notice_before_its_answer_and_a_fast_one_gets_none(KafkaBroker kafka) {
        try (WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 2)) {
            WorkerService worker = fx.startWorker(new PacedAgent(), settings());
            for (int i = 0; i < 3; i++) {
                fx.publish(text("fast" + i, "f" + i, "now " + i));
            }
            fx.publish(text("slow0", "s0", "wait 3000"));
            fx.publish(text("slow1", "s1", "wait 3000"));
            fx.flush();

            // 5 answers + 2 notices; the fast answers had 2 s beyond the notice delay to gain one.
            List<ReplyMessage> replies = fx.replies(7, Duration.ofSeconds(30), Duration.ofMillis(1500));
            Map<String, List<String>> byUser = byUser(replies);
            for (int i = 0; i < 3; i++) {
                assertEquals(List.of("done: now " + i), byUser.get("fast" + i), "fast" + i + ": the answer only");
            }
            for (int i = 0; i < 2; i++) {
                assertEquals(List.of(NOTICE, "done: wait 3000"), byUser.get("slow" + i), "slow" + i + ": notice, answer");
            }
            ReplyMessage notice = replies.stream().filter(r -> r.content().equals(NOTICE)).findFirst().orElseThrow();
            ReplyMessage answer = replies.stream().filter(r -> r.userId().equals(notice.userId())
                    && !r.content().equals(NOTICE)).findFirst().orElseThrow();
            assertTrue(!notice.replyId().equals(answer.replyId()), "the notice has a reply id of its own");
            assertEquals(answer.inboundMessageId(), notice.inboundMessageId());
            assertEquals(2.0, fx.registries.get(0).get("wecom.worker.progress.notices").counter().count());
            assertEquals(5.0, worker.engine().recordCount("replied"));
        }
    }

    @Test
    void a_notice_never_follows_the_answer_even_when_both_are_due_together(KafkaBroker kafka) {
        try (WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 2)) {
            WorkerService worker = fx.startWorker(new PacedAgent(), settings());
            int users = 40;
            // Answers spread around the moment the notice is due, and a few clearly after it.
            for (int u = 0; u < users; u++) {
                long ms = u < 36 ? 910 + u * 5 : 1600;
                fx.publish(text("race" + u, "r" + u, "wait " + ms));
            }
            fx.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> worker.engine().recordCount("replied") == users);

            List<ReplyMessage> replies = fx.replies(users, Duration.ofSeconds(30), Duration.ofMillis(1000));
            Map<String, List<String>> byUser = byUser(replies);
            int notices = 0;
            for (int u = 0; u < users; u++) {
                List<String> got = byUser.get("race" + u);
                String answer = "done: wait " + (u < 36 ? 910 + u * 5 : 1600);
                assertTrue(got.equals(List.of(answer)) || got.equals(List.of(NOTICE, answer)),
                        "race" + u + ": at most one notice, and only before the answer: " + got);
                notices += got.size() - 1;
            }
            System.out.printf("notice race: %d of %d answers had a notice before them%n", notices, users);
            assertTrue(notices >= 4, "the agents slower than the delay got their notice: " + notices);
            assertEquals(notices, (int) fx.registries.get(0).get("wecom.worker.progress.notices").counter().count());
        }
    }

    @Test
    void a_replacement_after_a_crash_emits_the_committed_notice_again_under_the_same_reply_id(KafkaBroker kafka) {
        try (WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 1)) {
            PacedAgent doomedAgent = new PacedAgent();
            CrashSwitch crash = new CrashSwitch();
            WorkerService doomed = fx.startWorker(doomedAgent, settings(), crash, Map.of());
            InboundMessage m = text("carol", "c1", "block then wait 2000");
            fx.publish(m);
            fx.flush();

            // The notice is committed while the agent still runs; then the worker dies.
            List<ReplyMessage> before = fx.replies(1, Duration.ofSeconds(30));
            assertEquals(List.of(NOTICE), before.stream().map(ReplyMessage::content).toList());
            crash.arm(CrashSwitch.Point.NOW);
            await().atMost(Duration.ofSeconds(30)).until(() -> !doomed.isRunning());
            fx.workers.remove(doomed);
            doomedAgent.release.countDown();

            PacedAgent replacement = new PacedAgent();
            replacement.release.countDown();
            fx.startWorker(replacement, settings());
            List<ReplyMessage> replies = fx.replies(3, Duration.ofSeconds(60), Duration.ofMillis(1500));

            assertEquals(List.of(NOTICE, NOTICE, "done: block then wait 2000"),
                    replies.stream().map(ReplyMessage::content).toList(), "the replacement re-ran the agent");
            assertEquals(1, replacement.calls.get());
            String expectedId = ReplyMessage.answering(m, "text", NOTICE)
                    .asProgressNoticeAt(fx.config.kafka().inboundTopic(), 0, 0).replyId();
            assertEquals(expectedId, replies.get(0).replyId(), "the notice's id is derived from the inbound position");
            assertEquals(expectedId, replies.get(1).replyId(), "the second copy has the first's id: dropped on delivery");
            assertTrue(!expectedId.equals(replies.get(2).replyId()));
        }
    }

    private static WorkerRuntimeOptions settings() {
        return WorkerFixture.settings(64, Duration.ofSeconds(30), WorkerRuntimeOptions.DEFAULT_ANSWER_MAX_CHARS,
                new WorkerRuntimeOptions.ProgressNotice(NOTICE_AFTER, NOTICE));
    }

    private static Map<String, List<String>> byUser(List<ReplyMessage> replies) {
        // Records of one user share a key, hence a partition: their order is the offset order.
        return replies.stream().collect(Collectors.groupingBy(ReplyMessage::userId,
                Collectors.mapping(ReplyMessage::content, Collectors.toList())));
    }

    /**
     * An agent whose answer time the message sets: {@code wait <ms>} works that long, {@code block}
     * first waits until released; it answers {@code done: <text>}.
     */
    static final class PacedAgent implements Agent {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String reply(AgentRequest request) throws Exception {
            calls.incrementAndGet();
            String text = request.message().content();
            if (text.startsWith("block")) {
                release.await();
            }
            List<String> words = new ArrayList<>(List.of(text.split(" ")));
            int at = words.indexOf("wait");
            if (at >= 0) {
                // The agent's own work time (a model thinking), not test synchronisation.
                Thread.sleep(Long.parseLong(words.get(at + 1)));
            }
            return "done: " + text;
        }

        @Override
        public String name() {
            return "paced";
        }
    }
}
