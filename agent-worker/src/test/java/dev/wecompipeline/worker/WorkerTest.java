package dev.wecompipeline.worker;

import static dev.wecompipeline.worker.WorkerFixture.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import dev.wecompipeline.worker.agent.Turn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class WorkerTest {

    @Test
    void many_users_run_concurrently_and_each_users_replies_keep_their_order(KafkaBroker kafka) {
        int users = 50;
        int perUser = 4;
        Duration agentTime = Duration.ofMillis(200);
        try (WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 4)) {
            ScriptedAgent agent = new ScriptedAgent(agentTime, false);
            fx.startWorker(agent, WorkerFixture.settings(64));
            for (int m = 0; m < perUser; m++) {
                for (int u = 0; u < users; u++) {
                    fx.publish(text("user" + u, "u" + u + "-m" + m, "message " + m + " of user " + u));
                }
            }
            fx.flush();
            List<ReplyMessage> replies = fx.replies(users * perUser, Duration.ofSeconds(60));

            assertEquals(users * perUser, replies.size(), "exactly one reply per message");
            Map<String, List<String>> byUser = replies.stream().collect(Collectors.groupingBy(ReplyMessage::userId,
                    Collectors.mapping(ReplyMessage::content, Collectors.toList())));
            for (int u = 0; u < users; u++) {
                List<String> expected = new ArrayList<>();
                for (int m = 0; m < perUser; m++) {
                    expected.add("re: message " + m + " of user " + u);
                }
                assertEquals(expected, byUser.get("user" + u), "user" + u + "'s replies in order");
            }
            // Concurrency is checked by counting calls in flight, not by the clock; WorkerScalingBench
            // measures what it buys.
            assertTrue(agent.maxConcurrent.get() > 4, "more tasks in flight than partitions");
        }
    }

    @Test
    void duplicate_inbound_records_get_one_reply_and_a_replay_gets_a_fresh_one(KafkaBroker kafka) {
        try (WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 2)) {
            ScriptedAgent agent = new ScriptedAgent(Duration.ZERO, false);
            fx.startWorker(agent, WorkerFixture.settings(8));
            fx.publish(text("alice", "dup-1", "hello"));
            fx.publish(text("alice", "dup-1", "hello"));
            fx.publish(text("alice", "dup-2", "second"));
            fx.publish(text("alice", "dup-1", "hello"));
            fx.flush();
            List<ReplyMessage> replies = fx.replies(2, Duration.ofSeconds(30));
            assertEquals(List.of("re: hello", "re: second"), replies.stream().map(ReplyMessage::content).toList());
            assertEquals(1, agent.callsPerMessage.get("dup-1").get());

            fx.publish(text("alice", "dup-1", "hello"), true);
            fx.flush();
            List<ReplyMessage> after = fx.replies(3, Duration.ofSeconds(30));
            assertEquals(3, after.size(), "a replay is answered again");
            assertEquals(after.get(0).inboundMessageId(), after.get(2).inboundMessageId());
            assertTrue(!after.get(0).replyId().equals(after.get(2).replyId()),
                    "a replay's answer has its own reply id, or the reply-service would skip it as delivered");
        }
    }

    @Test
    void duplicates_are_recognised_across_a_worker_restart(KafkaBroker kafka) {
        try (WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 1)) {
            ScriptedAgent first = new ScriptedAgent(Duration.ZERO, false);
            WorkerService w1 = fx.startWorker(first, WorkerFixture.settings(4));
            fx.publish(text("bob", "r-1", "before restart"));
            fx.flush();
            assertEquals(1, fx.replies(1, Duration.ofSeconds(30)).size());
            w1.close();
            fx.workers.remove(w1);

            ScriptedAgent second = new ScriptedAgent(Duration.ZERO, false);
            fx.startWorker(second, WorkerFixture.settings(4));
            fx.publish(text("bob", "r-1", "before restart"));
            fx.publish(text("bob", "r-2", "after restart"));
            fx.flush();
            List<ReplyMessage> replies = fx.replies(2, Duration.ofSeconds(30));
            assertEquals(List.of("re: before restart", "re: after restart"),
                    replies.stream().map(ReplyMessage::content).toList());
            assertTrue(second.callsPerMessage.get("r-1") == null, "the duplicate never reached the agent");
        }
    }

    @Test
    void failing_and_timed_out_agents_get_the_apology_and_do_not_block_the_partition(KafkaBroker kafka) {
        try (WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 1)) {
            ScriptedAgent agent = new ScriptedAgent(Duration.ZERO, false);
            WorkerRuntimeOptions s = new WorkerRuntimeOptions(4, Duration.ofMillis(500), "Sorry!", "text", 10,
                    Duration.ofSeconds(5), WorkerRuntimeOptions.DEFAULT_DEDUPE_WINDOW,
                    WorkerRuntimeOptions.DEFAULT_ANSWER_MAX_CHARS, WorkerRuntimeOptions.DEFAULT_HISTORY_MAX_BYTES,
                    dev.wecompipeline.config.EngineConfig.defaults(), "t-apology",
                    WorkerRuntimeOptions.ProgressNotice.OFF);
            fx.startWorker(agent, s);
            fx.publish(text("carol", "a-1", "fail please"));
            fx.publish(text("carol", "a-2", "block forever"));
            fx.publish(text("carol", "a-3", "still answered"));
            fx.flush();
            List<ReplyMessage> replies = fx.replies(3, Duration.ofSeconds(30));
            assertEquals(List.of("Sorry!", "Sorry!", "re: still answered"),
                    replies.stream().map(ReplyMessage::content).toList());
            agent.release.countDown();
        }
    }

    @Test
    void an_unreadable_record_goes_to_the_dead_letter_topic_with_its_reason(KafkaBroker kafka) {
        try (WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 1)) {
            fx.startWorker(new ScriptedAgent(Duration.ZERO, false), WorkerFixture.settings(4));
            fx.publishRaw("wwcorp:dave", "{not json".getBytes(StandardCharsets.UTF_8));
            fx.publish(text("dave", "d-1", "after the poison pill"));
            fx.flush();
            assertEquals("re: after the poison pill", fx.replies(1, Duration.ofSeconds(30)).get(0).content());
            var dead = fx.readCommitted(fx.config.kafka().inboundDlqTopic(), 1, Duration.ofSeconds(30));
            assertEquals(1, dead.size());
            assertEquals("{not json", new String(dead.get(0).value(), StandardCharsets.UTF_8));
            assertTrue(dead.get(0).headers().lastHeader(WorkerProcessor.DLQ_REASON_HEADER) != null);
        }
    }

    @Test
    void history_follows_the_user_across_workers_and_reset_clears_it(KafkaBroker kafka) {
        try (WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 2)) {
            ScriptedAgent first = new ScriptedAgent(Duration.ZERO, true);
            WorkerService w1 = fx.startWorker(first, WorkerFixture.settings(4));
            fx.publish(text("erin", "h-1", "one"));
            fx.publish(text("erin", "h-2", "two"));
            fx.flush();
            fx.replies(2, Duration.ofSeconds(30));
            assertEquals(List.of(new Turn("one", "re: one")), first.calls.get(1).history());
            w1.close();
            fx.workers.remove(w1);

            ScriptedAgent second = new ScriptedAgent(Duration.ZERO, true);
            fx.startWorker(second, WorkerFixture.settings(4));
            fx.publish(text("erin", "h-3", "three"));
            fx.flush();
            fx.replies(3, Duration.ofSeconds(30));
            assertEquals(List.of(new Turn("one", "re: one"), new Turn("two", "re: two")), second.calls.get(0).history(),
                    "history loaded from the compacted sessions topic by the new owner");

            fx.publish(text("erin", "h-4", "/reset"));
            fx.publish(text("erin", "h-5", "fresh start"));
            fx.flush();
            List<ReplyMessage> replies = fx.replies(5, Duration.ofSeconds(30));
            assertEquals(WorkerProcessor.RESET_REPLY, replies.get(3).content());
            assertEquals(List.of(), second.calls.get(second.calls.size() - 1).history(), "history cleared by /reset");
        }
    }

    static Map<String, Long> countById(List<ReplyMessage> replies) {
        return replies.stream().collect(Collectors.groupingBy(ReplyMessage::inboundMessageId, HashMap::new,
                Collectors.counting()));
    }

    static <T> Map<T, Long> counts(List<T> items) {
        return items.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }
}
