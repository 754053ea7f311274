package dev.wecompipeline.worker;

import static dev.wecompipeline.worker.WorkerFixture.text;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.wecompipeline.config.HermesConfig;
import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.testkit.CrashSwitch;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import dev.wecompipeline.worker.agent.Agents;
import dev.wecompipeline.worker.agent.HermesAgent;
import dev.wecompipeline.worker.agent.HermesApiStandIn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The hermes agent inside real workers on the real broker, against the Hermes runs stand-in. */
@ExtendWith(KafkaBrokerExtension.class)
class HermesWorkerTest {

    private static final String API_KEY = "hermes-worker-key-0123456789abcdefghij";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static HermesAgent agent(HermesApiStandIn hermes) {
        return new HermesAgent(HermesConfig.defaults().withBaseUrl(hermes.baseUrl()).withApiKey(API_KEY)
                .withPollInterval(Duration.ofMillis(50)), TIMEOUT, Agents.httpClient(),
                new HermesAgent.Backoff(Duration.ofMillis(50), Duration.ofSeconds(2)));
    }

    @Test
    void a_worker_killed_mid_run_leaves_one_run_at_hermes_and_one_reply(KafkaBroker kafka) {
        try (HermesApiStandIn hermes = HermesApiStandIn.start(API_KEY);
             WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 2)) {
            hermes.hold();
            CrashSwitch crash = new CrashSwitch();
            WorkerService doomed = fx.startWorker(agent(hermes), WorkerFixture.settings(4, TIMEOUT), crash, Map.of());
            fx.publish(text("alice", "h-crash", "a long task"));
            fx.flush();
            // The run is under way at Hermes and the doomed worker is polling it.
            await().atMost(Duration.ofSeconds(30)).until(() -> hermes.runs().size() == 1 && hermes.polls() > 0);

            crash.arm(CrashSwitch.Point.NOW);
            await().atMost(Duration.ofSeconds(30)).until(() -> !doomed.isRunning());
            fx.workers.remove(doomed);

            fx.startWorker(agent(hermes), WorkerFixture.settings(4, TIMEOUT));
            // The replacement asks for the run again under the same key before Hermes finishes it.
            await().atMost(Duration.ofSeconds(60)).until(() -> hermes.starts().size() == 2);
            hermes.release();

            List<ReplyMessage> replies = fx.replies(1, Duration.ofSeconds(60));
            assertEquals(1, replies.size(), "one reply: " + replies);
            assertEquals("Hermes says: a long task", replies.get(0).content());
            List<HermesApiStandIn.Request> starts = hermes.starts();
            String key = starts.get(0).idempotencyKey();
            assertEquals(key, starts.get(1).idempotencyKey(), "the replacement used the same Idempotency-Key");
            assertEquals(1, hermes.runsFor(key), "Hermes ran the message once");
            assertEquals(1, hermes.runs().size());
            assertEquals(List.of(), hermes.stopped(), "a crash does not stop the run");
        }
    }

    @Test
    void a_429_then_success_gives_the_real_answer_and_no_apology(KafkaBroker kafka) {
        try (HermesApiStandIn hermes = HermesApiStandIn.start(API_KEY);
             WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 2)) {
            fx.startWorker(agent(hermes), WorkerFixture.settings(4, TIMEOUT));
            hermes.failNextStarts(2);
            fx.publish(text("carol", "h-busy", "are you busy?"));
            fx.flush();
            List<ReplyMessage> replies = fx.replies(1, Duration.ofSeconds(60));
            assertEquals(List.of("Hermes says: are you busy?"), replies.stream().map(ReplyMessage::content).toList());
            assertEquals(3, hermes.starts().size(), "two 429s, then the run");
            assertEquals(1, hermes.runs().size());
        }
    }

    @Test
    void reset_moves_the_user_to_a_new_session_that_survives_a_restart(KafkaBroker kafka) {
        try (HermesApiStandIn hermes = HermesApiStandIn.start(API_KEY);
             WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 2)) {
            WorkerService first = fx.startWorker(agent(hermes), WorkerFixture.settings(4, TIMEOUT));
            fx.publish(text("bob", "r-1", "hello"));
            fx.publish(text("bob", "r-2", "/reset"));
            fx.publish(text("bob", "r-3", "hello again"));
            fx.flush();
            List<ReplyMessage> replies = fx.replies(3, Duration.ofSeconds(60));
            assertEquals(WorkerProcessor.RESET_REPLY, replies.get(1).content());
            assertEquals(2, hermes.starts().size(), "/reset is the worker's, not a Hermes run");

            first.close();
            fx.workers.remove(first);
            fx.startWorker(agent(hermes), WorkerFixture.settings(4, TIMEOUT));
            fx.publish(text("bob", "r-4", "after a restart"));
            fx.flush();
            fx.replies(4, Duration.ofSeconds(60));

            String base = "wecom:wwcorp:1000002:bob";
            assertEquals(List.of(base, base + ":1", base + ":1"),
                    hermes.starts().stream().map(HermesApiStandIn.Request::sessionId).toList());
        }
    }
}
