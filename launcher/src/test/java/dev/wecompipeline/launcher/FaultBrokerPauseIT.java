package dev.wecompipeline.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker frozen (SIGSTOP) for six minutes while agent tasks finish: longer than every
 * session, transaction and delivery timeout of the clients. Meanwhile the worker and the
 * reply-service must say they are not ready; after the broker returns every acknowledged message
 * is answered exactly once and in order, whether the loops recover by themselves or a loop dies,
 * its process exits non-zero, and a restart (as Docker or Kubernetes would do) recovers.
 */
@Execution(ExecutionMode.CONCURRENT) // mostly waiting on the frozen broker: runs beside the other scenarios
class FaultBrokerPauseIT {

    /** Six minutes, as the engine issue asks; {@code -Dfault.pause.seconds=N} shortens it for local runs. */
    private static final Duration PAUSE = Duration.ofSeconds(Long.getLong("fault.pause.seconds", 360));

    @TempDir
    Path workDir;

    @Test
    void broker_frozen_for_six_minutes_while_tasks_finish_answers_everything_once() throws Exception {
        try (FaultHarness h = new FaultHarness("broker-pause", workDir)) {
            int port = FaultHarness.freePort();
            LauncherProcess kafka = h.startKafka(port);
            // Tasks take 3 s: the ones acknowledged last finish while the broker is frozen.
            h.useKafka("127.0.0.1:" + port).env("AGENT_ECHO_DELAY_MS", "3000");
            h.startIngress();
            List<LauncherProcess> workers = new ArrayList<>(List.of(h.startWorker()));
            List<LauncherProcess> replies = new ArrayList<>(List.of(h.startReply()));
            FaultHarness.awaitAssigned(workers.get(0));
            FaultHarness.awaitAssigned(replies.get(0));

            FaultHarness.Sent before = h.send(h.messages(20, 5), Duration.ofMillis(50));
            signal(kafka, "STOP");
            long frozenAt = System.nanoTime();
            await().atMost(PAUSE).pollInterval(Duration.ofSeconds(1))
                    .until(() -> h.ready(workers.get(0)) != 200 && h.ready(replies.get(0)) != 200);
            double unreadyAfter = (System.nanoTime() - frozenAt) / 1e9;
            long resumeAt = frozenAt + PAUSE.toNanos();
            while (System.nanoTime() < resumeAt) {
                // The fault's duration, not synchronisation: nothing to wait for but the clock.
                Thread.sleep(Math.min(1_000, Math.max(1, (resumeAt - System.nanoTime()) / 1_000_000)));
            }
            signal(kafka, "CONT");

            // A loop that died ends its process with a non-zero exit: restart it, as an orchestrator would.
            int restarts = 0;
            long settle = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (System.nanoTime() < settle && !(h.ready(last(workers)) == 200 && h.ready(last(replies)) == 200)) {
                if (!last(workers).isAlive()) {
                    assertTrue(last(workers).waitFor(Duration.ofSeconds(5)) != 0, "a dead loop exits non-zero");
                    workers.add(h.startWorker());
                    restarts++;
                }
                if (!last(replies).isAlive()) {
                    assertTrue(last(replies).waitFor(Duration.ofSeconds(5)) != 0, "a dead loop exits non-zero");
                    replies.add(h.startReply());
                    restarts++;
                }
                await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(() -> true);
            }
            FaultHarness.Sent after = h.send(h.messages(30, 5).subList(20, 30), Duration.ofMillis(50));
            FaultHarness.Sent all = before.and(after);
            h.verify(all, FaultHarness.Expect.exactlyOnce(), String.format(
                    "broker frozen %d s; worker and reply-service unready after %.0f s; %d process restart(s)",
                    PAUSE.toSeconds(), unreadyAfter, restarts), Duration.ofMinutes(3));
            assertEquals(200, h.ready(last(workers)));
            assertEquals(200, h.ready(last(replies)));
        }
    }

    private static LauncherProcess last(List<LauncherProcess> processes) {
        return processes.get(processes.size() - 1);
    }

    private static void signal(LauncherProcess process, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + signal);
    }
}
