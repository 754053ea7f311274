package dev.wecompipeline.worker;

import static dev.wecompipeline.worker.WorkerFixture.text;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.testkit.CrashSwitch;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The exactly-once promise at scale, on one partition with the broker's default settings: a record
 * held back while tens of thousands pass, ownership moving three times, an answer too large to
 * produce, and one busy user beside a quiet one.
 */
@ExtendWith(KafkaBrokerExtension.class)
class WorkerScaleTest {

    /** A held task's agent call: longer than any test, so no timeout answers it meanwhile. */
    private static final Duration LONG_CALL = Duration.ofMinutes(30);

    @Test
    void a_task_held_for_as_long_as_thirty_thousand_others_take_stops_nothing_and_a_crash_redoes_only_it(
            KafkaBroker kafka) {
        try (WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 1)) {
            ScriptedAgent first = new ScriptedAgent(Duration.ZERO, false);
            CrashSwitch crash = new CrashSwitch();
            // The held task is a 30-minute agent call: no timeout may answer it meanwhile.
            WorkerService a = fx.startWorker(first, WorkerFixture.settings(64, LONG_CALL), crash, Map.of());
            fx.publish(text("held", "held-1", "block until released"));
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 30_000; i++) {
                String id = "m-" + i;
                fx.publish(text("u" + (i % 3_000), id, "hello " + i));
                ids.add(id);
            }
            fx.flush();
            long start = System.nanoTime();
            List<ReplyMessage> meanwhile = fx.replies(30_000, Duration.ofMinutes(4));
            System.out.printf("held-back scenario: 30000 answered and committed past the held task in %d ms%n",
                    (System.nanoTime() - start) / 1_000_000);
            assertEquals(30_000, meanwhile.size(), "every other message committed while one task is held");
            assertTrue(meanwhile.stream().noneMatch(r -> r.inboundMessageId().equals("held-1")));
            assertTrue(a.isReady(), "a held task is not a stalled loop");
            assertEquals(30_001, first.callsPerMessage.size());

            crash.arm(CrashSwitch.Point.NOW);
            await().atMost(Duration.ofSeconds(30)).until(() -> !a.isRunning());
            fx.workers.remove(a);
            ScriptedAgent second = new ScriptedAgent(Duration.ZERO, false);
            second.release.countDown();
            fx.startWorker(second, WorkerFixture.settings(64));
            ids.add("held-1");
            List<ReplyMessage> all = fx.replies(30_001, Duration.ofMinutes(2));
            WorkerCrashTest.assertExactlyOnce(ids, all);
            assertEquals(Map.of("held-1", 1), counts(second), "the new owner redid only the held task");
            first.release.countDown();
        }
    }

    @Test
    void three_handovers_in_a_row_process_no_record_twice(KafkaBroker kafka) throws Exception {
        try (WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 1)) {
            Map<String, Object> small = Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
            List<ScriptedAgent> agents = new ArrayList<>();
            ScriptedAgent agentA = new ScriptedAgent(Duration.ofMillis(2), false);
            agents.add(agentA);
            WorkerService owner = fx.startWorker(agentA, WorkerFixture.settings(16, LONG_CALL), new CrashSwitch(), small);
            List<String> ids = new ArrayList<>();
            // Held by every owner in turn: the records finished beyond it must survive each handover.
            fx.publish(text("held", "held-1", "block through every handover"));
            ids.add("held-1");
            for (int i = 0; i < 3_000; i++) {
                fx.publish(text("u" + (i % 300), "h-" + i, "hello " + i));
                ids.add("h-" + i);
            }
            fx.flush();
            for (int handover = 1; handover <= 3; handover++) {
                int before = agents.stream().mapToInt(ag -> ag.callsPerMessage.size()).sum();
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        agents.stream().mapToInt(ag -> ag.callsPerMessage.size()).sum() >= before + 300);
                ScriptedAgent next = new ScriptedAgent(Duration.ofMillis(2), false);
                agents.add(next);
                fx.startWorker(next, WorkerFixture.settings(16, LONG_CALL), new CrashSwitch(), small);
                owner.close();
                fx.workers.remove(owner);
                owner = fx.workers.get(fx.workers.size() - 1);
            }
            agents.forEach(ag -> ag.release.countDown());
            List<ReplyMessage> replies = fx.replies(ids.size(), Duration.ofMinutes(2));
            WorkerCrashTest.assertExactlyOnce(ids, replies);
            Map<String, Integer> calls = new HashMap<>();
            agents.forEach(ag -> counts(ag).forEach((id, n) -> calls.merge(id, n, Integer::sum)));
            List<String> twice = calls.entrySet().stream().filter(e -> e.getValue() > 1 && !e.getKey().equals("held-1"))
                    .map(Map.Entry::getKey).sorted().toList();
            System.out.printf("three handovers: %d messages, agent calls %d, repeated %s, held task called %d time(s)%n",
                    ids.size(), calls.values().stream().mapToInt(Integer::intValue).sum(), twice, calls.get("held-1"));
            assertEquals(List.of(), twice, "no finished record processed again by a later owner");
        }
    }

    @Test
    void a_two_megabyte_answer_becomes_a_dead_letter_with_its_reason_and_others_are_answered(KafkaBroker kafka) {
        try (WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 1)) {
            fx.startWorker(new ScriptedAgent(Duration.ZERO, false), WorkerFixture.settings(4, Duration.ofSeconds(30), 4_000_000,
                    WorkerRuntimeOptions.ProgressNotice.OFF));
            fx.publish(text("greedy", "g-1", "huge answer please"));
            fx.publish(text("modest", "m-1", "small answer"));
            fx.publish(text("greedy", "g-2", "and then a small one"));
            fx.flush();
            List<ReplyMessage> replies = fx.replies(2, Duration.ofSeconds(30));
            assertEquals(List.of("re: and then a small one", "re: small answer"),
                    replies.stream().map(ReplyMessage::content).sorted().toList());
            var dead = fx.readCommitted(fx.config.kafka().inboundDlqTopic(), 1, Duration.ofSeconds(30));
            assertEquals(1, dead.size());
            String reason = new String(dead.get(0).headers().lastHeader(WorkerProcessor.DLQ_REASON_HEADER).value(),
                    StandardCharsets.UTF_8);
            assertTrue(reason.contains("exceeds"), reason);
        }
    }

    @Test
    void an_answer_over_the_cap_is_cut_and_says_so(KafkaBroker kafka) {
        try (WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 1)) {
            fx.startWorker(new ScriptedAgent(Duration.ZERO, false), WorkerFixture.settings(4));
            fx.publish(text("greedy", "g-1", "huge answer please"));
            fx.flush();
            String content = fx.replies(1, Duration.ofSeconds(30)).get(0).content();
            assertTrue(content.length() < WorkerRuntimeOptions.DEFAULT_ANSWER_MAX_CHARS + 100, "cut: " + content.length());
            assertTrue(content.endsWith("[Answer truncated: it had 2097152 characters.]"), content.substring(content.length() - 60));
        }
    }

    @Test
    void one_user_with_two_thousand_queued_messages_delays_another_by_at_most_one_agent_call(KafkaBroker kafka) {
        try (WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 1)) {
            ScriptedAgent agent = new ScriptedAgent(Duration.ZERO, false);
            fx.startWorker(agent, WorkerFixture.settings(8));
            // Three quick answers, then a call that holds until released with 1,996 more queued behind it.
            for (int i = 0; i < 2_000; i++) {
                fx.publish(text("busy", "b-" + i, (i < 3 ? "busy " : "block busy ") + i));
            }
            fx.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> agent.callsPerMessage.containsKey("b-3"));

            // The busy user's agent call is in flight and cannot finish: the quiet user is answered
            // meanwhile, so it waits for none of the busy user's queued calls (no clock is read).
            fx.publish(text("quiet", "q-1", "just one question"));
            fx.flush();
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    fx.replies(1, Duration.ofSeconds(30)).stream().anyMatch(r -> r.inboundMessageId().equals("q-1")));
            assertEquals(4, agent.calls.stream().filter(c -> c.message().userId().equals("busy")).count(),
                    "the busy user's fourth call is still the one in flight");

            agent.release.countDown();
            List<String> busyOrder = fx.replies(2_001, Duration.ofSeconds(120)).stream()
                    .filter(r -> r.userId().equals("busy")).map(ReplyMessage::inboundMessageId).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                expected.add("b-" + i);
            }
            assertEquals(expected, busyOrder, "the busy user's answers stay in order");
        }
    }

    @Test
    void a_user_with_ten_times_the_per_user_bound_is_answered_once_each_in_order(KafkaBroker kafka) {
        try (WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 1)) {
            // 1,000 messages, 100 held in memory at a time: the rest are read again from Kafka, in turns.
            ScriptedAgent agent = new ScriptedAgent(Duration.ofMillis(2), false);
            fx.startWorker(agent, WorkerFixture.settings(8));
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                fx.publish(text("flood", "f-" + i, "flood " + i));
                ids.add("f-" + i);
            }
            fx.flush();
            List<ReplyMessage> replies = fx.replies(1_000, Duration.ofMinutes(2));
            WorkerCrashTest.assertExactlyOnce(ids, replies);
            assertEquals(ids, replies.stream().map(ReplyMessage::inboundMessageId).toList(), "in the order sent");
            assertEquals(1_000, agent.callsPerMessage.size());
        }
    }

    private static Map<String, Integer> counts(ScriptedAgent agent) {
        return agent.callsPerMessage.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()));
    }
}
