package dev.wecompipeline.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault 4: WeCom's API is unreachable (connection refused) for 30 s in the middle of a stream, then
 * back. The reply-service retries, with retries configured to outlast the outage; every reply is
 * delivered once after WeCom returns, in order, and nothing goes to the dead-letter topic.
 */
@ExtendWith(KafkaBrokerExtension.class)
class FaultWeComOutageIT {

    private static final Duration OUTAGE = Duration.ofSeconds(30);

    @TempDir
    Path workDir;

    @Test
    void wecom_unreachable_for_30_s_then_back_delivers_every_reply_once(KafkaBroker kafka) throws Exception {
        try (FaultHarness h = new FaultHarness("wecom-outage", workDir)) {
            h.useKafka(kafka.bootstrapServers())
                    // Retries outlast the outage (attempts and duration), and back off at most 2 s, so
                    // delivery resumes within seconds of WeCom's return.
                    .env("REPLY_MAX_ATTEMPTS", "1000")
                    .env("REPLY_MAX_RETRY_DURATION", "120s")
                    .env("REPLY_RETRY_INITIAL_BACKOFF", "200ms")
                    .env("REPLY_RETRY_MAX_BACKOFF", "2s")
                    .env("REPLY_REQUEST_TIMEOUT", "3s");
            LauncherProcess pipeline = h.startAllInOne();

            CompletableFuture<FaultHarness.Sent> sending =
                    h.sendInBackground(h.messages(30, 5), Duration.ofMillis(100));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> h.wecom().deliveredCount() >= 5);
            h.wecom().goDown(OUTAGE);
            Instant downAt = Instant.now();
            long deliveredBefore = h.wecom().deliveredCount();
            FaultHarness.Sent sent = sending.get(2, TimeUnit.MINUTES);
            await().atMost(OUTAGE.plusSeconds(30)).until(() -> !h.wecom().isDown());
            Instant backAt = Instant.now();

            h.awaitDelivered(sent, Duration.ofSeconds(120));
            double retries = h.metric(pipeline, "wecom_reply_retries_total");
            // WeCom's clock is the system clock: deliveries after it came back (a second's slack for polling).
            long deliveredAfter = h.wecom().delivered().stream()
                    .filter(d -> !d.time().isBefore(backAt.minusSeconds(1))).count();
            h.verify(sent, FaultHarness.Expect.duplicateCheckCovers(
                            "a send whose answer was lost when the listener closed, retried"),
                    String.format("WeCom down %.0f s after %d deliveries, %d delivered after its return, "
                                    + "%.0f send retries", Duration.between(downAt, backAt).toMillis() / 1e3,
                            deliveredBefore, deliveredAfter, retries),
                    Duration.ofSeconds(120));
            assertTrue(deliveredAfter > 0, "replies waited for WeCom's return");
            assertTrue(retries > 0, "the reply-service retried during the outage");
        }
    }
}
