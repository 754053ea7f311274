package dev.wecompipeline.reply;

import static dev.wecompipeline.reply.ReplyFixture.reply;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.wecompipeline.sandbox.ReceivedMessage;
import dev.wecompipeline.sandbox.ApiCallOutcome;
import dev.wecompipeline.sandbox.SandboxConfig;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Delivery against the WeCom sandbox: once each, in order per user, within the limits, long replies split. */
@ExtendWith(KafkaBrokerExtension.class)
class ReplyDeliveryTest {

    @Test
    void a_burst_with_busy_answers_and_expiring_tokens_is_delivered_once_each_in_order_per_user(KafkaBroker kafka) {
        try (ReplyFixture fx = new ReplyFixture(kafka.bootstrapServers(), 4,
                Map.of("REPLY_MAX_ATTEMPTS", "30"), SandboxConfig.defaults())) {
            fx.wecom.faults().busyFraction(0.3).expireTokenEvery(5);
            fx.startService();
            List<String> expected = publishBurst(fx, 100, 10);

            long millis = timeUntilDelivered(fx, expected.size());

            assertDeliveredOnceInOrder(fx, expected, 100);
            assertTrue(fx.wecom.countByErrcode(-1) > 0, "busy answers were injected");
            assertTrue(fx.wecom.countByErrcode(42001) > 0, "tokens expired");
            assertTrue(fx.wecom.gettokenCallCount() > 1, "tokens were refreshed");
            assertEquals(0, fx.wecom.countByOutcome(ApiCallOutcome.DROPPED_OVER_LIMIT));
            report("30% busy, token expiry every 5 sends", expected.size(), millis);
        }
    }

    @Test
    void a_burst_with_thirty_percent_busy_answers_is_delivered_once_each_in_order_per_user(KafkaBroker kafka) {
        try (ReplyFixture fx = new ReplyFixture(kafka.bootstrapServers(), 4,
                Map.of("REPLY_MAX_ATTEMPTS", "30"), SandboxConfig.defaults())) {
            fx.wecom.faults().busyFraction(0.3);
            ReplyService service = fx.startService();
            List<String> expected = publishBurst(fx, 100, 10);

            long millis = timeUntilDelivered(fx, expected.size());

            assertDeliveredOnceInOrder(fx, expected, 100);
            assertTrue(service.metrics().count("wecom.reply.retries", "app", "default", "errcode", "-1") > 0);
            report("30% busy", expected.size(), millis);
        }
    }

    @Test
    void a_burst_without_errors_is_delivered_once_each_in_order_per_user(KafkaBroker kafka) throws Exception {
        try (ReplyFixture fx = new ReplyFixture(kafka.bootstrapServers(), 4)) {
            ReplyService service = fx.startService();
            List<String> expected = publishBurst(fx, 100, 10);

            long millis = timeUntilDelivered(fx, expected.size());

            assertDeliveredOnceInOrder(fx, expected, 100);
            assertEquals(1, fx.wecom.gettokenCallCount(), "one token, cached, for all sends");
            report("no errors", expected.size(), millis);
            String metrics = get(service.opsPort(), "/metrics");
            assertTrue(metrics.contains("wecom_reply_sends_total{app=\"default\",errcode=\"0\"} 1000.0"), metrics);
            assertTrue(metrics.contains("wecom_reply_latency_seconds_count"), "end-to-end latency is measured");
            assertTrue(get(service.opsPort(), "/ready").contains("ready"));
        }
    }

    @Test
    void a_seven_thousand_byte_chinese_reply_arrives_as_ordered_chunks_that_concatenate_to_it(KafkaBroker kafka) {
        try (ReplyFixture fx = new ReplyFixture(kafka.bootstrapServers(), 2)) {
            fx.startService();
            StringBuilder b = new StringBuilder();
            for (int i = 0; b.toString().getBytes(StandardCharsets.UTF_8).length < 7000; i++) {
                b.append("第").append(i).append("段：企业微信的文本消息最长两千零四十八个字节，超出的部分会被截断。");
                if (i % 5 == 4) {
                    b.append("\n\n");
                }
            }
            String text = b.toString();
            fx.publish(reply("lisi", "long", text));
            fx.flush();

            await().atMost(Duration.ofSeconds(30)).until(() -> String.join("", fx.deliveredTo("lisi")).equals(text));

            List<String> chunks = fx.deliveredTo("lisi");
            assertTrue(chunks.size() >= 4, "7000 bytes take at least 4 messages, got " + chunks.size());
            chunks.forEach(c -> assertTrue(c.getBytes(StandardCharsets.UTF_8).length <= 2048, "chunk within 2048 bytes"));
            assertTrue(fx.wecom.delivered().stream().noneMatch(ReceivedMessage::truncated), "WeCom truncated nothing");
            assertEquals(new ReplySplitter(2048, false).split(text), chunks, "in order");
        }
    }

    @Test
    void forty_replies_to_one_user_keep_the_per_user_limit_while_another_user_is_not_delayed(KafkaBroker kafka) {
        Duration window = Duration.ofSeconds(2);
        SandboxConfig strict = SandboxConfig.builder().perUserPerMinute(10).minuteWindow(window).build();
        try (ReplyFixture fx = new ReplyFixture(kafka.bootstrapServers(), 2,
                Map.of("REPLY_PER_USER_PER_MINUTE", "10", "REPLY_MINUTE_WINDOW", "2s"), strict)) {
            ReplyService service = fx.startService();
            List<String> heavy = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                heavy.add("heavy message " + i);
                fx.publish(reply("heavy", "h" + i, heavy.get(i)));
            }
            fx.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> fx.deliveredTo("heavy").size() >= 10);

            // The heavy user now waits on the limit; a light user's replies go straight through.
            for (int i = 0; i < 3; i++) {
                fx.publish(reply("light", "l" + i, "light message " + i));
            }
            fx.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> fx.deliveredTo("light").size() == 3);
            // Order, not elapsed time: the light user is through while the heavy one still waits.
            assertTrue(fx.deliveredTo("heavy").size() < 40, "the light user did not wait for the heavy one");

            await().atMost(Duration.ofSeconds(60)).until(() -> fx.deliveredTo("heavy").size() == 40);
            assertEquals(heavy, fx.deliveredTo("heavy"), "all forty, in order");
            assertEquals(0, fx.wecom.countByOutcome(ApiCallOutcome.DROPPED_OVER_LIMIT), "WeCom never dropped one");
            assertEquals(List.of(), windowsOverLimit(fx.wecom.deliveredTo(ReplyFixture.CORP, "heavy"), window, 10));
            assertTrue(service.metrics().count("wecom.reply.rate.limit.waits", "reason", "user") > 0,
                    "waits were counted");
        }
    }

    /** Publishes {@code perUser} replies to each of {@code users} users, interleaved; returns their contents. */
    private static List<String> publishBurst(ReplyFixture fx, int users, int perUser) {
        List<String> contents = new ArrayList<>();
        for (int i = 0; i < perUser; i++) {
            for (int u = 0; u < users; u++) {
                String content = "reply " + i + " to user" + u;
                fx.publish(reply("user" + u, u + "-" + i, content));
                contents.add(content);
            }
        }
        fx.flush();
        return contents;
    }

    private static long timeUntilDelivered(ReplyFixture fx, int count) {
        long start = System.nanoTime();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                .until(() -> fx.wecom.deliveredCount() >= count);
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static void assertDeliveredOnceInOrder(ReplyFixture fx, List<String> expected, int users) {
        List<ReceivedMessage> delivered = fx.wecom.delivered();
        Map<String, Long> counts = delivered.stream().collect(Collectors.groupingBy(ReceivedMessage::content, Collectors.counting()));
        assertEquals(expected.size(), delivered.size(), "one delivery per reply");
        assertTrue(expected.stream().allMatch(c -> counts.getOrDefault(c, 0L) == 1), "each reply exactly once");
        for (int u = 0; u < users; u++) {
            String user = "user" + u;
            List<String> order = fx.deliveredTo(user);
            List<String> sorted = order.stream().sorted((a, b) -> Integer.compare(seq(a), seq(b))).toList();
            assertEquals(sorted, order, user + "'s replies in order");
        }
    }

    private static int seq(String content) {
        return Integer.parseInt(content.split(" ")[1]);
    }

    /** Start times of windows of length {@code window} holding more than {@code max} deliveries. */
    private static List<Instant> windowsOverLimit(List<ReceivedMessage> deliveries, Duration window, int max) {
        List<Instant> times = deliveries.stream().map(ReceivedMessage::time).sorted().toList();
        List<Instant> over = new ArrayList<>();
        for (int i = 0; i + max < times.size(); i++) {
            if (times.get(i + max).isBefore(times.get(i).plus(window))) {
                over.add(times.get(i));
            }
        }
        return over;
    }

    private static String get(int port, String path) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void report(String what, int replies, long millis) {
        System.out.printf("reply-service throughput (%s): %d replies in %d ms = %.0f replies/s%n", what, replies, millis,
                replies * 1000.0 / Math.max(1, millis));
    }
}
