package dev.wecompipeline.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.wecompipeline.bench.CallbackSimulator;
import dev.wecompipeline.sandbox.ReceivedMessage;
import dev.wecompipeline.sandbox.SandboxConfig;
import dev.wecompipeline.sandbox.WeComApiSandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * all-in-one as an operator runs it, pointed at the WeCom stand-in through WECOM_API_BASE:
 * signed callbacks are answered end to end, and a SIGTERM while messages are in flight followed
 * by a restart on the same data directory still answers every acknowledged message exactly once.
 */
class AllInOneIT {

    private static final String CORP = "wwallinone";
    private static final String KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";

    @TempDir
    Path workDir;

    @Test
    void sigterm_with_messages_in_flight_and_a_restart_answers_every_acknowledged_message_once() throws Exception {
        try (WeComApiSandbox wecom = new WeComApiSandbox(SandboxConfig.builder().host("127.0.0.1").port(0).build()).start()) {
            wecom.registerApp(CORP, "aio-secret", 1000002);
            int port = freePort();
            Map<String, String> env = new HashMap<>(Map.of(
                    "WECOM_CALLBACK_CORP_ID", CORP, "WECOM_CALLBACK_CORP_SECRET", "aio-secret",
                    "WECOM_CALLBACK_AGENT_ID", "1000002", "WECOM_CALLBACK_TOKEN", "aiotoken",
                    "WECOM_CALLBACK_ENCODING_AES_KEY", KEY, "WECOM_CALLBACK_ALLOW_ALL_USERS", "true",
                    "WECOM_CALLBACK_PORT", String.valueOf(port), "WECOM_CALLBACK_HOST", "127.0.0.1",
                    "WECOM_API_BASE", wecom.baseUrl(), "WECOM_PIPELINE_DATA_DIR", workDir.resolve("data").toString()));
            env.put("WECOM_PIPELINE_KAFKA_PORT", String.valueOf(freePort()));
            // Slow enough that a SIGTERM finds tasks in flight.
            env.put("AGENT_ECHO_DELAY_MS", "1500");
            env.put("KAFKA_TOPIC_PARTITIONS", "3");

            CallbackSimulator sim = new CallbackSimulator("http://127.0.0.1:" + port + "/wecom/callback", "aiotoken", KEY,
                    CORP, "1000002");
            HttpClient http = HttpClient.newHttpClient();
            List<String> acknowledged = new ArrayList<>();
            try (LauncherProcess first = LauncherProcess.start(workDir, env, "all-in-one")) {
                awaitStarted(first);
                assertTrue(first.output().contains("all-in-one: register"), "prints the callback URL to register");
                for (int i = 0; i < 12; i++) {
                    String text = "message " + i + " from user" + (i % 4);
                    HttpResponse<String> r = http.send(sim.textCallback("user" + (i % 4), "aio-" + i, text),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        acknowledged.add(text);
                    }
                }
                assertEquals(12, acknowledged.size());
                assertEquals(0, first.terminate(Duration.ofSeconds(90)), first.output());
            }
            long beforeRestart = wecom.deliveredCount();
            try (LauncherProcess second = LauncherProcess.start(workDir, env, "all-in-one")) {
                awaitStarted(second);
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                        .until(() -> wecom.deliveredCount() >= acknowledged.size());
                Map<String, Long> counts = wecom.delivered().stream()
                        .collect(Collectors.groupingBy(ReceivedMessage::content, Collectors.counting()));
                System.out.printf("all-in-one restart: %d acknowledged, %d delivered before the restart, %d after; counts %s%n",
                        acknowledged.size(), beforeRestart, wecom.deliveredCount(), counts.values());
                for (String text : acknowledged) {
                    assertEquals(1L, counts.getOrDefault(text, 0L), "exactly once: " + text);
                }
                assertEquals((long) acknowledged.size(), (long) wecom.deliveredCount(), "no extra deliveries");
                // Per-user order.
                for (int u = 0; u < 4; u++) {
                    String user = "user" + u;
                    List<String> got = wecom.deliveredTo(CORP, user).stream().map(ReceivedMessage::content).toList();
                    List<String> expected = acknowledged.stream().filter(t -> t.endsWith(user)).toList();
                    assertEquals(expected, got, user + " answered in order");
                }
                assertEquals(0, second.terminate(Duration.ofSeconds(90)), second.output());
            }
        }
    }

    @Test
    void demo_runs_round_trips_and_exits_zero() throws Exception {
        try (LauncherProcess demo = LauncherProcess.start(workDir, Map.of(), "demo")) {
            assertEquals(0, demo.waitFor(Duration.ofSeconds(90)), demo.output());
            assertTrue(demo.output().contains("demo: OK"), demo.output());
            assertTrue(demo.output().contains("split at 2048 bytes"), demo.output());
            assertTrue(demo.output().contains("alice answered 1 time(s)"), demo.output());
            // The photo round trip: media/get in the worker, echoed, media/upload, sent as an image.
            assertTrue(demo.output().contains("image echo.png"), demo.output());
            assertTrue(demo.output().contains("the same bytes as the photo sent"), demo.output());
        }
    }

    private static void awaitStarted(LauncherProcess p) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .failFast("all-in-one exited", () -> !p.isAlive())
                .until(() -> p.output().contains("all-in-one: register"));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
