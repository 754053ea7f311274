package dev.wecompipeline.ingress;

import static dev.wecompipeline.ingress.IngressFixture.CORP;
import static dev.wecompipeline.ingress.IngressFixture.nowSeconds;
import static dev.wecompipeline.ingress.IngressFixture.textXml;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

import dev.wecompipeline.crypto.CallbackEncoder;
import dev.wecompipeline.testkit.CapturedLogs;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The hardened edge: slow and idle connections, the ops port, proxies' headers, untrusted values in logs. */
@ExtendWith(KafkaBrokerExtension.class)
class IngressEdgeTest {

    /** WeCom stops waiting for an answer after 5 s: the deadline every valid callback must meet. */
    private static final Duration WECOM_WINDOW = Duration.ofSeconds(5);

    @Test
    void three_hundred_slow_senders_do_not_keep_valid_callbacks_from_being_answered(KafkaBroker kafka) throws Exception {
        // 300 bodies dribbled a byte at a time would each hold one of Jetty's 250 threads in a blocking read
        // for as long as the sender likes (4000 bytes at ~3 B/s: over 20 minutes); valid callbacks would queue.
        try (IngressFixture fx = IngressFixture.start(kafka.bootstrapServers(), Map.of())) {
            // One callback first, so the producer knows the fresh topic: the test is about the attack, not a cold start.
            assertEquals(200, fx.sendText("warmup", "949999", "warm up").statusCode());
            try (SlowSenders slow = SlowSenders.open(fx.ingress.port(), 300, fx.config.ingress().path() + "?"
                    + IngressFixture.encoder().post(textXml(CORP, "slow", "1", "x"), nowSeconds()).query())) {
                slow.dripEvery(Duration.ofMillis(300));

                List<CompletableFuture<HttpResponse<String>>> valid = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    CallbackEncoder.SignedCallback cb = IngressFixture.encoder()
                            .post(textXml(CORP, "user" + i, Integer.toString(950_000 + i), "hello " + i), nowSeconds());
                    valid.add(fx.http.sendAsync(HttpRequest.newBuilder(URI.create(fx.url(fx.config.ingress().path()
                                    + "?" + cb.query())))
                            .timeout(WECOM_WINDOW)
                            .POST(HttpRequest.BodyPublishers.ofString(cb.body())).build(), HttpResponse.BodyHandlers.ofString()));
                }
                for (int i = 0; i < valid.size(); i++) {
                    HttpResponse<String> response = answered(valid.get(i), "valid callback " + i);
                    assertEquals(200, response.statusCode(), "valid callback " + i);
                    assertEquals("success", response.body(), "valid callback " + i);
                }
                assertEquals(21, fx.inbound(21).size());

                // The server, not the sender, ended every slow request: below the minimum data rate it gets 408.
                await().atMost(Duration.ofSeconds(30)).until(() -> slow.endedByServer() == 300);
                assertTrue(slow.answered408() > 0, "slow senders are told 408, got " + slow.firstAnswers());
                assertTrue(fx.outcomeCount("too_slow") > 0);
            }
        }
    }

    @Test
    void connections_beyond_the_limit_are_not_accepted(KafkaBroker kafka) throws Exception {
        try (IngressFixture fx = IngressFixture.start(kafka.bootstrapServers(), Map.of("WECOM_CALLBACK_MAX_CONNECTIONS", "3"));
             SlowSenders idle = SlowSenders.connect(fx.ingress.port(), 3)) {
            NetworkConnectionLimit limit = fx.ingress.jettyServer().getBean(NetworkConnectionLimit.class);
            assertEquals(3, limit.getMaxNetworkConnectionCount());
            AbstractConnector connector = (AbstractConnector) fx.ingress.jettyServer().getConnectors()[0];
            await().atMost(Duration.ofSeconds(10)).until(() -> limit.getNetworkConnectionCount() == 3);
            assertFalse(connector.isAccepting(), "at the limit, further connections wait in the accept queue");
            idle.close();
            await().atMost(Duration.ofSeconds(10)).until(connector::isAccepting);
            assertEquals(200, fx.sendText("alice", "950100", "after the idle ones left").statusCode());
        }
    }

    @Test
    void silent_connections_are_closed_after_the_idle_timeout(KafkaBroker kafka) throws Exception {
        // Jetty's default is 30 s; the ack timeout is lowered only because the idle timeout must exceed it.
        try (IngressFixture fx = IngressFixture.start(kafka.bootstrapServers(), Map.of(
                "WECOM_CALLBACK_IDLE_TIMEOUT", "1s", "WECOM_CALLBACK_ACK_TIMEOUT_MS", "500"));
             SlowSenders silent = SlowSenders.connect(fx.ingress.port(), 2);
             SlowSenders stalled = SlowSenders.open(fx.ingress.port(), 2, fx.config.ingress().path())) {
            silent.watchEvery(Duration.ofMillis(100));
            stalled.watchEvery(Duration.ofMillis(100));
            // Both a connection that never sent a request and one stalled before its body are closed.
            await().atMost(Duration.ofSeconds(10)).until(() -> silent.endedByServer() == 2 && stalled.endedByServer() == 2);
        }
    }

    @Test
    void without_an_ops_port_the_ops_endpoints_stay_on_the_callback_listener(KafkaBroker kafka) {
        try (IngressFixture fx = IngressFixture.start(kafka.bootstrapServers(), Map.of())) {
            assertEquals(fx.ingress.port(), fx.ingress.opsPort());
            assertEquals(200, fx.get("/health").statusCode());
            assertEquals(200, fx.get("/metrics").statusCode());
            await().atMost(Duration.ofSeconds(10)).until(() -> fx.get("/ready").statusCode() == 200);
            assertEquals(200, fx.sendText("alice", "950200", "hi").statusCode());
        }
    }

    @Test
    void with_an_ops_port_the_public_listener_serves_only_the_callback_path(KafkaBroker kafka) {
        try (IngressFixture fx = IngressFixture.start(kafka.bootstrapServers(), Map.of("WECOM_CALLBACK_OPS_PORT", "0"))) {
            int ops = fx.ingress.opsPort();
            assertNotEquals(fx.ingress.port(), ops);
            for (String path : List.of("/health", "/ready", "/metrics")) {
                assertEquals(404, fx.get(path).statusCode(), path + " on the public listener");
            }
            assertEquals(200, fx.send(get(ops, "/health")).statusCode());
            await().atMost(Duration.ofSeconds(10)).until(() -> fx.send(get(ops, "/ready")).statusCode() == 200);

            assertEquals(200, fx.sendText("alice", "950300", "hi").statusCode());
            HttpResponse<String> metrics = fx.send(get(ops, "/metrics"));
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("wecom_ingress_requests_total{outcome=\"accepted\""), metrics.body());
            assertEquals(404, fx.send(get(ops, fx.config.ingress().path())).statusCode(), "no callbacks on the ops port");
        }
    }

    @Test
    void forwarded_for_is_read_across_all_its_header_lines(KafkaBroker kafka) {
        try (IngressFixture fx = IngressFixture.start(kafka.bootstrapServers(), Map.of(
                "WECOM_CALLBACK_ALLOWED_SOURCE_CIDRS", "203.0.113.0/24",
                "WECOM_CALLBACK_TRUSTED_PROXIES", "127.0.0.1"))) {
            // A client's forged line first, then the line its proxy added with the real address.
            var forged = IngressFixture.encoder().post(textXml(CORP, "u", "950400", "x"), nowSeconds());
            assertEquals(403, fx.send(forwarded(fx, forged, "203.0.113.9", "198.51.100.7")).statusCode(),
                    "the right-most hop of the last line decides, not the first line");
            var real = IngressFixture.encoder().post(textXml(CORP, "u", "950401", "x"), nowSeconds());
            assertEquals(200, fx.send(forwarded(fx, real, "198.51.100.7", "203.0.113.9, 127.0.0.1")).statusCode(),
                    "trusted hops are skipped, also on the last line");
            assertEquals(1.0, fx.outcomeCount("bad_source"));
        }
    }

    @Test
    void untrusted_values_cannot_forge_log_lines(KafkaBroker kafka) {
        try (CapturedLogs logs = CapturedLogs.start();
             IngressFixture fx = IngressFixture.start(kafka.bootstrapServers(), Map.of())) {
            var cb = IngressFixture.encoder().post(textXml(CORP, "u", "950500", "x"), nowSeconds());
            // Character references survive XML parsing as real CR, LF and LINE SEPARATOR.
            String body = cb.body().replace("<![CDATA[" + CORP + "]]>",
                    CORP + "&#13;&#10;12:00:00.000 INFO  FAKE LINE&#x2028;" + "x".repeat(500));
            assertEquals(403, fx.post(fx.config.ingress().path() + "?" + cb.query(), body).statusCode());
            assertEquals(403, fx.post(fx.config.ingress().path() + "/%0D%0AFAKE%20LINE?" + cb.query(), cb.body()).statusCode());

            List<String> lines = logs.messages().stream().filter(m -> m.contains("rejected")).toList();
            assertEquals(2, lines.size(), lines.toString());
            for (String line : lines) {
                assertTrue(line.chars().noneMatch(c -> c == '\r' || c == '\n' || c == '\u2028'), line);
            }
            assertTrue(lines.get(0).contains(CORP + "\\r\\n12:00:00.000 INFO  FAKE LINE\\u2028xxx"), lines.get(0));
            assertTrue(lines.get(0).contains("…("), "a long value is cut: " + lines.get(0));
            assertTrue(lines.get(0).length() < 1000, lines.get(0));
        }
    }

    private static HttpResponse<String> answered(CompletableFuture<HttpResponse<String>> response, String what)
            throws InterruptedException {
        try {
            return response.get();
        } catch (ExecutionException e) {
            return fail(what + " not answered within WeCom's " + WECOM_WINDOW.toSeconds() + " s: " + e.getCause());
        }
    }

    private static HttpRequest get(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build();
    }

    private static HttpRequest forwarded(IngressFixture fx, CallbackEncoder.SignedCallback cb, String... lines) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(fx.url(fx.config.ingress().path() + "?" + cb.query())))
                .POST(HttpRequest.BodyPublishers.ofString(cb.body()));
        for (String line : lines) {
            request.header("X-Forwarded-For", line);
        }
        return request.build();
    }

    /**
     * Raw connections that send a callback's headers and then its body one byte per tick, and note
     * what the server answers. Non-blocking sockets: one scheduler thread serves all of them.
     */
    static final class SlowSenders implements AutoCloseable {

        private static final int CONTENT_LENGTH = 4000;

        private final List<SocketChannel> channels;
        private final AtomicReferenceArray<String> answers;
        private final boolean[] ended;
        private final AtomicInteger endedCount = new AtomicInteger();
        private final ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();

        private SlowSenders(List<SocketChannel> channels) {
            this.channels = channels;
            this.answers = new AtomicReferenceArray<>(channels.size());
            this.ended = new boolean[channels.size()];
        }

        /** {@code count} connections that have sent a POST's headers and the first byte of its body. */
        static SlowSenders open(int port, int count, String pathAndQuery) throws IOException {
            String head = "POST " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
                    + "Content-Length: " + CONTENT_LENGTH + "\r\n\r\n<";
            SlowSenders senders = connect(port, count);
            for (SocketChannel channel : senders.channels) {
                channel.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
            }
            return senders;
        }

        /** {@code count} connections that have sent nothing. */
        static SlowSenders connect(int port, int count) throws IOException {
            List<SocketChannel> channels = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                channel.configureBlocking(false);
                channels.add(channel);
            }
            return new SlowSenders(channels);
        }

        void dripEvery(Duration period) {
            drip.scheduleAtFixedRate(() -> tick(true), period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Sends nothing more; only notes when the server answers or closes. */
        void watchEvery(Duration period) {
            drip.scheduleAtFixedRate(() -> tick(false), period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** One byte more (if {@code send}) on every connection the server has not ended; notes the answers. */
        private void tick(boolean send) {
            ByteBuffer in = ByteBuffer.allocate(256);
            for (int i = 0; i < channels.size(); i++) {
                if (ended[i]) {
                    continue;
                }
                SocketChannel channel = channels.get(i);
                try {
                    in.clear();
                    int read = channel.read(in);
                    if (read != 0) {
                        answers.set(i, read < 0 ? "EOF" : new String(in.array(), 0, read, StandardCharsets.US_ASCII));
                        end(i);
                        continue;
                    }
                    if (send) {
                        channel.write(ByteBuffer.wrap(new byte[] {'x'}));
                    }
                } catch (IOException e) {
                    answers.set(i, e.getClass().getSimpleName());
                    end(i);
                }
            }
        }

        private void end(int i) {
            ended[i] = true;
            endedCount.incrementAndGet();
        }

        int endedByServer() {
            return endedCount.get();
        }

        long answered408() {
            return firstAnswers().stream().filter(a -> a != null && a.startsWith("HTTP/1.1 408")).count();
        }

        List<String> firstAnswers() {
            List<String> out = new ArrayList<>(answers.length());
            for (int i = 0; i < answers.length(); i++) {
                out.add(answers.get(i));
            }
            return out;
        }

        @Override
        public void close() {
            drip.shutdownNow();
            for (SocketChannel channel : channels) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }
    }
}
