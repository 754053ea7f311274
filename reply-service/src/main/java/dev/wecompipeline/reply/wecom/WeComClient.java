package dev.wecompipeline.reply.wecom;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.reply.wecom.WeComApi.SendAnswer;
import dev.wecompipeline.reply.wecom.WeComApi.SendRequest;
import dev.wecompipeline.reply.wecom.WeComApi.TokenAnswer;

/**
 * The two WeCom server API calls, over {@link HttpClient}. Each call runs on a fixed pool of
 * {@code concurrency} threads, which is what bounds the calls in flight (WeCom answers 45033 to
 * too many at once); nothing else ever waits on these threads, so rate-limit waits and backoffs
 * cost no thread. Answers are returned as records; a non-zero errcode is the caller's to judge,
 * while HTTP errors, I/O errors, timeouts and unreadable bodies fail the future with a
 * {@link RetriableWeComException}.
 *
 * <pre>{@code
 * WeComClient wecom = new WeComClient(URI.create("https://qyapi.weixin.qq.com"), 32, Duration.ofSeconds(10));
 * wecom.send(token, SendRequest.of("zhangsan", "text", 1000002, "hi", 1800)).thenAccept(...);
 * }</pre>
 */
public final class WeComClient implements AutoCloseable {

    private final String base;
    private final Duration timeout;
    private final HttpClient http;
    private final ExecutorService calls;

    public WeComClient(URI base, int concurrency, Duration requestTimeout) {
        this.base = base.toString().replaceAll("/+$", "");
        this.timeout = requestTimeout;
        AtomicInteger n = new AtomicInteger();
        this.calls = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "wecom-call-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // Not our pool: HttpClient's own machinery must never wait for a thread that waits for it.
        this.http = HttpClient.newBuilder().connectTimeout(requestTimeout).build();
    }

    /** {@code GET /cgi-bin/gettoken}; the secret goes only into the request, never into an exception. */
    public CompletableFuture<TokenAnswer> gettoken(String corpId, String corpSecret) {
        URI uri = URI.create(base + "/cgi-bin/gettoken?corpid=" + enc(corpId) + "&corpsecret=" + enc(corpSecret));
        return call(HttpRequest.newBuilder(uri).GET(), TokenAnswer.class);
    }

    /** {@code POST /cgi-bin/message/send}. */
    public CompletableFuture<SendAnswer> send(String accessToken, SendRequest request) {
        byte[] body;
        try {
            body = JsonSerde.MAPPER.writeValueAsBytes(request);
        } catch (JsonProcessingException e) {
            return CompletableFuture.failedFuture(e);
        }
        URI uri = URI.create(base + "/cgi-bin/message/send?access_token=" + enc(accessToken));
        return call(HttpRequest.newBuilder(uri).header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)), SendAnswer.class);
    }

    private <T> CompletableFuture<T> call(HttpRequest.Builder request, Class<T> type) {
        HttpRequest built = request.timeout(timeout).build();
        try {
            return CompletableFuture.supplyAsync(() -> {
                HttpResponse<byte[]> response;
                try {
                    response = http.send(built, HttpResponse.BodyHandlers.ofByteArray());
                } catch (IOException e) {
                    throw ErrorCodes.forFailure(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RetriableWeComException("interrupted", "call interrupted (shutting down)", null);
                }
                if (response.statusCode() != 200) {
                    // 5xx and 429 are WeCom (or a gateway) struggling; other statuses are just as
                    // likely a proxy in the way. Either way the message itself is fine: retry.
                    throw new RetriableWeComException("http_" + response.statusCode(),
                            "HTTP " + response.statusCode() + " without a WeCom answer", null);
                }
                T answer;
                try {
                    answer = JsonSerde.MAPPER.readValue(response.body(), type);
                } catch (IOException e) {
                    throw new RetriableWeComException("bad_answer", "unreadable answer: " + e.getClass().getSimpleName(), null);
                }
                boolean noErrcode = answer instanceof TokenAnswer t ? t.errcode() == null
                        : answer instanceof SendAnswer s && s.errcode() == null;
                if (noErrcode) {
                    throw new RetriableWeComException("bad_answer", "answer without errcode", null);
                }
                return answer;
            }, calls);
        } catch (RejectedExecutionException closed) {
            return CompletableFuture.failedFuture(new RetriableWeComException("closed", "client closed", null));
        }
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }
}
