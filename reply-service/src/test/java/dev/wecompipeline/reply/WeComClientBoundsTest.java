package dev.wecompipeline.reply;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.wecompipeline.wecom.ErrorCodes;
import dev.wecompipeline.wecom.RetriableWeComException;
import dev.wecompipeline.wecom.TokenCache;
import dev.wecompipeline.wecom.WeComApi.TokenAnswer;
import dev.wecompipeline.wecom.WeComClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The WeCom client against a misbehaving stand-in of {@code gettoken} (a JDK HTTP server in the
 * test): one that answers the headers and then trickles the body, one that sends far too much.
 * Every call ends within its deadline, and the app works again once the server does.
 */
class WeComClientBoundsTest {

    enum Mode { TRICKLE, HUGE, OK }

    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    /** A generous bound for "ended": the point is that the call ends at all, not how fast. */
    private static final Duration ENDS_WITHIN = Duration.ofSeconds(15);

    private final AtomicReference<Mode> mode = new AtomicReference<>(Mode.OK);
    private final AtomicInteger gettokenCalls = new AtomicInteger();
    /** Released at the end: the trickling handlers then stop. */
    private final CountDownLatch release = new CountDownLatch(1);
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final HttpServer server;
    private final WeComClient client;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    WeComClientBoundsTest() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/cgi-bin/gettoken", this::gettoken);
        server.setExecutor(handlers);
        server.start();
        client = new WeComClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), 4, TIMEOUT);
    }

    @AfterEach
    void close() {
        release.countDown();
        client.close();
        timer.shutdownNow();
        server.stop(0);
        handlers.shutdownNow();
    }

    private void gettoken(HttpExchange exchange) throws IOException {
        gettokenCalls.incrementAndGet();
        try (exchange; OutputStream out = exchange.getResponseBody()) {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            switch (mode.get()) {
                case TRICKLE -> {
                    exchange.sendResponseHeaders(200, 0);
                    out.write("{\"errcode\":0,".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    // A byte every 100 ms: never idle long enough for an idle timeout, never finished.
                    while (!release.await(100, TimeUnit.MILLISECONDS)) {
                        out.write(' ');
                        out.flush();
                    }
                }
                case HUGE -> {
                    exchange.sendResponseHeaders(200, 0);
                    byte[] spaces = " ".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8);
                    for (int i = 0; i < 160; i++) {   // 10 MiB of white space before a valid answer
                        out.write(spaces);
                    }
                    out.write(okAnswer());
                }
                case OK -> {
                    byte[] body = okAnswer();
                    exchange.sendResponseHeaders(200, body.length);
                    out.write(body);
                }
            }
        } catch (IOException | InterruptedException clientGone) {
            // The client cut the exchange off: what it should do.
        }
    }

    private static byte[] okAnswer() {
        return "{\"errcode\":0,\"errmsg\":\"ok\",\"access_token\":\"tok-1\",\"expires_in\":7200}"
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void a_body_that_trickles_after_the_headers_ends_in_a_timeout_and_the_next_call_succeeds() throws Exception {
        mode.set(Mode.TRICKLE);

        CompletableFuture<TokenAnswer> stalled = client.gettoken(ReplyFixture.CORP, ReplyFixture.APP.corpSecret());

        await().atMost(ENDS_WITHIN).until(stalled::isDone);
        assertEquals("timeout", failureCode(stalled));
        mode.set(Mode.OK);
        assertEquals("tok-1", client.gettoken(ReplyFixture.CORP, ReplyFixture.APP.corpSecret())
                .get(ENDS_WITHIN.toSeconds(), TimeUnit.SECONDS).accessToken());
    }

    @Test
    void an_answer_larger_than_the_cap_is_refused_without_reading_it_all() throws Exception {
        mode.set(Mode.HUGE);

        CompletableFuture<TokenAnswer> huge = client.gettoken(ReplyFixture.CORP, ReplyFixture.APP.corpSecret());

        await().atMost(ENDS_WITHIN).until(huge::isDone);
        assertEquals("too_large", failureCode(huge));
    }

    @Test
    void a_stalled_gettoken_fails_every_waiting_caller_and_the_app_gets_a_token_once_wecom_answers() throws Exception {
        TokenCache tokens = new TokenCache(client, Duration.ofSeconds(300), Duration.ofMillis(50),
                Duration.ofMillis(200), Duration.ofSeconds(60), timer, System::currentTimeMillis, (app, ok, code) -> { });
        mode.set(Mode.TRICKLE);
        List<CompletableFuture<String>> waiting = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            waiting.add(tokens.token(ReplyFixture.APP));
        }

        await().atMost(ENDS_WITHIN).until(() -> waiting.stream().allMatch(CompletableFuture::isDone));
        for (CompletableFuture<String> f : waiting) {
            assertEquals("timeout", failureCode(f));
        }
        assertEquals(1, gettokenCalls.get(), "one gettoken for all waiting callers");

        mode.set(Mode.OK);
        // The failure's backoff (50 ms) passes, then the next caller fetches a token.
        await().atMost(ENDS_WITHIN).pollInterval(Duration.ofMillis(50)).until(() -> {
            CompletableFuture<String> f = tokens.token(ReplyFixture.APP);
            return "tok-1".equals(f.exceptionally(e -> null).get(ENDS_WITHIN.toSeconds(), TimeUnit.SECONDS));
        });
    }

    private static String failureCode(CompletableFuture<?> f) {
        assertTrue(f.isCompletedExceptionally(), "failed");
        Throwable error = f.handle((v, e) -> e).join();
        RetriableWeComException w = assertInstanceOf(RetriableWeComException.class, ErrorCodes.forFailure(error));
        return w.code();
    }
}
