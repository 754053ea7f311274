package dev.wecompipeline.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault 2: worker processes killed with SIGKILL while a second worker keeps running. The first
 * kill lands while agent tasks are in flight; the next ones land the moment the victim's reply
 * record reaches the reply topic, i.e. after it produced a reply and (usually) before it committed
 * the transaction holding that reply and its offsets. Uncommitted replies stay invisible to the
 * reply-service (read_committed) and the messages are answered again by the next owner, once.
 */
@ExtendWith(KafkaBrokerExtension.class)
class FaultWorkerKillIT {

    /** Kills after the mid-task one, each right after the victim produced a reply. */
    private static final int KILLS_AFTER_PRODUCE = 2;

    @TempDir
    Path workDir;

    @Test
    void workers_killed_mid_task_and_between_produce_and_commit_answer_every_message_once(KafkaBroker kafka)
            throws Exception {
        try (FaultHarness h = new FaultHarness("worker-kill", workDir)) {
            // Tasks take 1.5 s, so a kill always finds some in flight.
            h.useKafka(kafka.bootstrapServers()).env("AGENT_ECHO_DELAY_MS", "1500");
            h.startIngress();
            LauncherProcess reply = h.startReply();
            LauncherProcess survivor = h.startWorker();
            FaultHarness.awaitAssigned(survivor);
            LauncherProcess victim = h.startWorker();
            FaultHarness.awaitAssigned(victim);
            FaultHarness.awaitAssigned(reply);

            StringBuilder kills = new StringBuilder();
            try (KillOnReply killer = new KillOnReply(h)) {
                CompletableFuture<FaultHarness.Sent> sending =
                        h.sendInBackground(h.messages(40, 8), Duration.ofMillis(100));
                LauncherProcess first = victim;
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                        .until(() -> h.acked() >= 10 && h.metric(first, "wecom_engine_in_flight") > 0);
                int inFlight = (int) h.metric(first, "wecom_engine_in_flight");
                first.kill();
                long t0 = System.nanoTime();
                kills.append("kill 1 with ").append(inFlight).append(" tasks in flight");

                for (int k = 0; k < KILLS_AFTER_PRODUCE; k++) {
                    victim = h.startWorker();
                    FaultHarness.awaitAssigned(victim);
                    Set<Integer> owned = FaultHarness.ownedPartitions(victim);
                    killer.arm(victim, owned);
                    LauncherProcess armed = victim;
                    // Until the victim produces a reply; if it runs out of work first, kill it anyway.
                    boolean afterProduce = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                            .until(() -> !armed.isAlive() || killer.idle(), done -> done)
                            && !armed.isAlive();
                    if (armed.isAlive()) {
                        armed.kill();
                    }
                    kills.append(String.format(", +%.1fs", (System.nanoTime() - t0) / 1e9));
                    kills.append(" kill ").append(k + 2).append(afterProduce
                            ? " right after it produced a reply on partition " + killer.lastPartition()
                            : " (no reply seen)");
                }
                // The last replacement stays, with the survivor, to finish the work.
                FaultHarness.awaitAssigned(h.startWorker());
                kills.append(String.format(", +%.1fs last worker assigned", (System.nanoTime() - t0) / 1e9));

                FaultHarness.Sent sent = sending.get(3, TimeUnit.MINUTES);
                h.verify(sent, FaultHarness.Expect.exactlyOnce(), kills.toString(), Duration.ofSeconds(180));
            }
            assertTrue(survivor.isAlive(), "the surviving worker kept running");
        }
    }

    /**
     * Watches the reply topic with {@code read_uncommitted}, which shows records as soon as they are
     * written, inside open transactions: the first reply on a partition the armed worker owns gets
     * it SIGKILLed at once, before its transaction is likely to have committed.
     */
    private static final class KillOnReply implements AutoCloseable {

        private final KafkaConsumer<String, byte[]> consumer;
        private final Thread thread;
        private final AtomicReference<LauncherProcess> armed = new AtomicReference<>();
        private volatile Set<Integer> partitions = Set.of();
        private volatile int lastPartition = -1;
        private volatile long armedAtNanos;
        private volatile boolean closed;

        KillOnReply(FaultHarness h) {
            consumer = h.reader("read_uncommitted");
            var parts = FaultHarness.partitions(consumer, h.repliesTopic());
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position);
            thread = new Thread(this::watch, "kill-on-reply");
            thread.setDaemon(true);
            thread.start();
        }

        void arm(LauncherProcess worker, Set<Integer> owned) {
            partitions = Set.copyOf(owned);
            armedAtNanos = System.nanoTime();
            armed.set(worker);
        }

        /** Armed for 30 s without a reply from the victim: it has nothing left to answer. */
        boolean idle() {
            return armed.get() != null && System.nanoTime() - armedAtNanos > Duration.ofSeconds(30).toNanos();
        }

        int lastPartition() {
            return lastPartition;
        }

        private void watch() {
            while (!closed) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    LauncherProcess target = armed.get();
                    if (target != null && partitions.contains(r.partition()) && armed.compareAndSet(target, null)) {
                        try {
                            target.kill();
                        } catch (InterruptedException e) {
                            return;
                        }
                        lastPartition = r.partition();
                    }
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            thread.join(5_000);
            consumer.close();
        }
    }
}
