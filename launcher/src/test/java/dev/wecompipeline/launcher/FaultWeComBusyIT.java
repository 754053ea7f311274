package dev.wecompipeline.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.wecompipeline.sandbox.WeComErrors;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault 5: WeCom answers {@code -1} (system busy) to 30 % of sends and {@code 45009} (API frequency
 * limit) in bursts. The reply-service retries the first with backoff and pauses the app after the
 * second; every reply is delivered once, in order per user.
 */
@ExtendWith(KafkaBrokerExtension.class)
class FaultWeComBusyIT {

    @TempDir
    Path workDir;

    @Test
    void wecom_busy_and_rate_limited_delivers_every_reply_once_in_order(KafkaBroker kafka) throws Exception {
        try (FaultHarness h = new FaultHarness("wecom-busy", workDir)) {
            h.useKafka(kafka.bootstrapServers())
                    // 45009 pauses the app for 2 s instead of WeCom's 60 s, so the test stays quick.
                    .env("REPLY_FREQ_LIMIT_BACKOFF", "2s")
                    .env("REPLY_MAX_ATTEMPTS", "50")
                    .env("REPLY_MAX_RETRY_DURATION", "60s")
                    .env("REPLY_RETRY_INITIAL_BACKOFF", "100ms")
                    .env("REPLY_RETRY_MAX_BACKOFF", "1s");
            h.startAllInOne();
            // Seed 1 answers -1 to 9 of the first 30 draws: 30 % in so short a run, not by luck.
            h.wecom().faults().random(new Random(1)).busyFraction(0.3).failNext(WeComErrors.API_FREQ_OUT_OF_LIMIT, 3);

            CompletableFuture<FaultHarness.Sent> sending =
                    h.sendInBackground(h.messages(30, 5), Duration.ofMillis(100));
            // A second burst while messages are still arriving, so later sends run into it.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> h.acked() >= 20);
            h.wecom().faults().failNext(WeComErrors.API_FREQ_OUT_OF_LIMIT, 2);
            FaultHarness.Sent sent = sending.get(2, TimeUnit.MINUTES);

            h.awaitDelivered(sent, Duration.ofSeconds(120));
            long busy = h.wecom().countByErrcode(WeComErrors.SYSTEM_BUSY);
            long freqLimited = h.wecom().countByErrcode(WeComErrors.API_FREQ_OUT_OF_LIMIT);
            h.verify(sent, FaultHarness.Expect.exactlyOnce(),
                    String.format("WeCom answered -1 %d times and 45009 %d times", busy, freqLimited),
                    Duration.ofSeconds(120));
            assertTrue(busy >= 5, "about 30 % of sends were answered -1");
            assertTrue(freqLimited >= 5, "both 45009 bursts were answered");
        }
    }
}
