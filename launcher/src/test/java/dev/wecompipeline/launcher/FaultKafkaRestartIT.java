package dev.wecompipeline.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault 1: the Kafka broker stops (SIGTERM) in the middle of a stream of callbacks and starts
 * again on the same data directory and port. Meanwhile the ingress answers 503 and the sender
 * retries, as WeCom does; every acknowledged message is answered exactly once, in order.
 */
class FaultKafkaRestartIT {

    @TempDir
    Path workDir;

    @Test
    void broker_stopped_and_restarted_mid_stream_loses_and_duplicates_nothing() throws Exception {
        try (FaultHarness h = new FaultHarness("kafka-restart", workDir)) {
            int port = FaultHarness.freePort();
            LauncherProcess kafka = h.startKafka(port);
            h.useKafka("127.0.0.1:" + port)
                    // Answer 503 after 1 s rather than 3 s: more retries in a short outage, same path.
                    .env("WECOM_CALLBACK_ACK_TIMEOUT_MS", "1000")
                    .env("AGENT_ECHO_DELAY_MS", "200");
            h.startIngress();
            LauncherProcess worker = h.startWorker();
            LauncherProcess reply = h.startReply();
            FaultHarness.awaitAssigned(worker);
            FaultHarness.awaitAssigned(reply);

            CompletableFuture<FaultHarness.Sent> sending =
                    h.sendInBackground(h.messages(30, 5), Duration.ofMillis(100));
            await().atMost(Duration.ofSeconds(60)).until(() -> h.acked() >= 10);
            long stoppedAt = System.nanoTime();
            assertEquals(0, kafka.terminate(Duration.ofSeconds(60)), "the broker stops cleanly on SIGTERM");
            int ackedBeforeStop = h.acked();
            // Several 503s: the outage spans a few WeCom retries, not just one unlucky request.
            await().atMost(Duration.ofSeconds(60)).until(() -> h.failures(503) >= 3);
            LauncherProcess restarted = h.startKafka(port);
            double downSeconds = (System.nanoTime() - stoppedAt) / 1e9;

            FaultHarness.Sent sent = sending.get(3, TimeUnit.MINUTES);
            assertTrue(sent.failures(503) >= 1, "the ingress answered 503 while Kafka was down");
            h.verify(sent, FaultHarness.Expect.exactlyOnce(),
                    String.format("broker down %.1f s after %d acks; worker and reply-service alive: %s, %s",
                            downSeconds, ackedBeforeStop, worker.isAlive(), reply.isAlive()),
                    Duration.ofSeconds(120));
            assertTrue(restarted.isAlive());
        }
    }
}
