package dev.wecompipeline.launcher;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault 3: the reply-service process is killed with SIGKILL in the middle of a burst, right after
 * WeCom accepted a message (before its delivery marker can be committed), and a new one is started.
 * Nothing is lost; the chunks accepted in that window are sent again and WeCom's duplicate check
 * ({@code enable_duplicate_check}) absorbs them: the README's documented crash-window cover.
 */
@ExtendWith(KafkaBrokerExtension.class)
class FaultReplyKillIT {

    @TempDir
    Path workDir;

    @Test
    void reply_service_killed_mid_burst_and_restarted_delivers_everything_once(KafkaBroker kafka) throws Exception {
        try (FaultHarness h = new FaultHarness("reply-kill", workDir)) {
            h.useKafka(kafka.bootstrapServers());
            h.startIngress();
            FaultHarness.awaitAssigned(h.startWorker());
            LauncherProcess first = h.startReply();
            FaultHarness.awaitAssigned(first);
            // A slowish WeCom (100 ms a call) keeps sends in flight when the kill comes.
            h.wecom().faults().delay(Duration.ofMillis(100));

            CompletableFuture<FaultHarness.Sent> sending =
                    h.sendInBackground(h.messages(30, 5), Duration.ofMillis(100));
            // Polled every 5 ms: the kill follows an acceptance by a few ms, often before its marker's commit.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                    .until(() -> h.wecom().deliveredCount() >= 15);
            first.kill();
            long deliveredAtKill = h.wecom().deliveredCount();
            // What the killed instance had committed: the rest of what WeCom accepted is the crash window.
            int markedAtKill = h.readAll(h.envValue("KAFKA_TOPIC_DELIVERED"), "read_committed", r -> r).size();
            LauncherProcess second = h.startReply();
            FaultHarness.awaitAssigned(second);

            FaultHarness.Sent sent = sending.get(2, TimeUnit.MINUTES);
            h.verify(sent, FaultHarness.Expect.duplicateCheckCovers(
                            "resends of chunks WeCom accepted before the killed instance committed their markers"),
                    String.format("killed after %d deliveries, %d of them marked delivered", deliveredAtKill,
                            markedAtKill),
                    Duration.ofSeconds(120));
        }
    }
}
