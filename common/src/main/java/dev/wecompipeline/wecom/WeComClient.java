package dev.wecompipeline.wecom;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.wecom.WeComApi.MediaAnswer;
import dev.wecompipeline.wecom.WeComApi.SendAnswer;
import dev.wecompipeline.wecom.WeComApi.SendRequest;
import dev.wecompipeline.wecom.WeComApi.TokenAnswer;
import dev.wecompipeline.wecom.WeComApi.UploadAnswer;

/**
 * The WeCom server API calls ({@code gettoken}, {@code message/send}, {@code media/get},
 * {@code media/upload}), over {@link HttpClient}, shared by the reply-service and the worker. Each call runs on a fixed pool of
 * {@code concurrency} threads, which is what bounds the calls in flight (WeCom answers 45033 to
 * too many at once); nothing else ever waits on these threads, so rate-limit waits and backoffs
 * cost no thread. Answers are returned as records; a non-zero errcode is the caller's to judge,
 * while HTTP errors, I/O errors, timeouts and unreadable bodies fail the future with a
 * {@link RetriableWeComException}.
 *
 * <p>Every call is bounded end to end: {@code requestTimeout} is the deadline of the whole
 * exchange, connect, headers <em>and body</em> (the JDK client's own request timeout stops at the
 * headers, so a server that answers the headers and then trickles the body would hold a thread
 * for ever), and at most {@value #MAX_ANSWER_BYTES} bytes of an answer are read. Past either
 * bound the exchange is cancelled, its connection dropped, and the call fails with
 * {@code timeout} or {@code too_large}, both retried like any lost answer.
 *
 * <pre>{@code
 * WeComClient wecom = new WeComClient(URI.create("https://qyapi.weixin.qq.com"), 32, Duration.ofSeconds(10));
 * wecom.send(token, SendRequest.of("zhangsan", "text", 1000002, "hi", 1800)).thenAccept(...);
 * }</pre>
 */
public final class WeComClient implements AutoCloseable {

    /** WeCom's answers are a few hundred bytes; anything far larger is not WeCom talking. */
    public static final int MAX_ANSWER_BYTES = 64 * 1024;

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

    /** The deadline of one whole call, answer included. */
    public Duration requestTimeout() {
        return timeout;
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

    /**
     * {@code GET /cgi-bin/media/get}: the media's bytes, at most {@code maxBytes} of them (a larger
     * media fails the call with a permanent {@code too_large}), or WeCom's JSON error, told apart by
     * the content type as WeCom's own SDKs do. A non-zero errcode is the caller's to judge.
     */
    public CompletableFuture<MediaAnswer> mediaGet(String accessToken, String mediaId, long maxBytes) {
        URI uri = URI.create(base + "/cgi-bin/media/get?access_token=" + enc(accessToken) + "&media_id=" + enc(mediaId));
        // An error body is small; the bound is the media's cap, plus nothing: one byte more is too large.
        int limit = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(MAX_ANSWER_BYTES, maxBytes));
        HttpRequest built = HttpRequest.newBuilder(uri).GET().timeout(timeout).build();
        try {
            return CompletableFuture.supplyAsync(() -> {
                HttpResponse<byte[]> response = exchange(built, limit, true);
                if (response.statusCode() != 200) {
                    throw new RetriableWeComException("http_" + response.statusCode(),
                            "HTTP " + response.statusCode() + " without a WeCom answer", null);
                }
                String contentType = response.headers().firstValue("Content-Type").orElse("");
                String lower = contentType.toLowerCase(java.util.Locale.ROOT);
                if (lower.startsWith("application/json") || lower.startsWith("text/plain")) {
                    WeComApi.SendAnswer error;
                    try {
                        error = JsonSerde.MAPPER.readValue(response.body(), WeComApi.SendAnswer.class);
                    } catch (IOException e) {
                        throw new RetriableWeComException("bad_answer", "unreadable answer: " + e.getClass().getSimpleName(), null);
                    }
                    if (error.errcode() == null) {
                        throw new RetriableWeComException("bad_answer", "answer without errcode", null);
                    }
                    return new MediaAnswer(error.errcode(), error.errmsg(), null, contentType, null);
                }
                if (response.body().length > maxBytes) {
                    throw new PermanentWeComException("too_large", "media larger than " + maxBytes + " bytes");
                }
                return new MediaAnswer(ErrorCodes.OK, "ok", response.body(), contentType,
                        filename(response.headers().firstValue("Content-Disposition").orElse(null)));
            }, calls);
        } catch (RejectedExecutionException closed) {
            return CompletableFuture.failedFuture(new RetriableWeComException("closed", "client closed", null));
        }
    }

    /** {@code POST /cgi-bin/media/upload}: one multipart field {@code media} with filename and content type. */
    public CompletableFuture<UploadAnswer> mediaUpload(String accessToken, String type, String filename,
                                                       String contentType, byte[] bytes) {
        String boundary = "----wecom-pipeline-" + Long.toHexString(System.nanoTime());
        ByteArrayOutputStream body = new ByteArrayOutputStream(bytes.length + 512);
        String safeName = filename.replace("\"", "").replace("\r", "").replace("\n", "");
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"media\"; filename=\"" + safeName
                + "\"; filelength=" + bytes.length + "\r\nContent-Type: " + contentType + "\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(bytes);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        URI uri = URI.create(base + "/cgi-bin/media/upload?access_token=" + enc(accessToken) + "&type=" + enc(type));
        return call(HttpRequest.newBuilder(uri).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())), UploadAnswer.class);
    }

    private static String filename(String contentDisposition) {
        if (contentDisposition == null) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("filename=\"?([^\";]+)\"?").matcher(contentDisposition);
        return m.find() ? m.group(1) : null;
    }

    private <T> CompletableFuture<T> call(HttpRequest.Builder request, Class<T> type) {
        // The JDK's timeout covers the time to the headers; exchange() below bounds the rest.
        HttpRequest built = request.timeout(timeout).build();
        try {
            return CompletableFuture.supplyAsync(() -> {
                HttpResponse<byte[]> response = exchange(built, MAX_ANSWER_BYTES, false);
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
                        : answer instanceof SendAnswer s ? s.errcode() == null
                        : answer instanceof UploadAnswer u && u.errcode() == null;
                if (noErrcode) {
                    throw new RetriableWeComException("bad_answer", "answer without errcode", null);
                }
                return answer;
            }, calls);
        } catch (RejectedExecutionException closed) {
            return CompletableFuture.failedFuture(new RetriableWeComException("closed", "client closed", null));
        }
    }

    /** One exchange, answer read in full, within {@link #timeout} from now; cancelled past it. */
    private HttpResponse<byte[]> exchange(HttpRequest request, int limit, boolean media) {
        BoundedBody body = new BoundedBody(limit);
        CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(request, body);
        try {
            return exchange.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            body.abort(new HttpTimeoutExceeded(timeout));
            exchange.cancel(true);
            throw new RetriableWeComException("timeout", "no complete answer within " + timeout.toMillis() + " ms", null);
        } catch (ExecutionException e) {
            if (causedBy(e, AnswerTooLarge.class)) {
                if (media) {
                    // The same media will be as large next time: final for this media, not worth a retry.
                    throw new PermanentWeComException("too_large", "media larger than " + limit + " bytes");
                }
                throw new RetriableWeComException("too_large", "answer larger than " + limit + " bytes", null);
            }
            throw ErrorCodes.forFailure(e.getCause());
        } catch (InterruptedException e) {
            body.abort(new IOException("interrupted"));
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new RetriableWeComException("interrupted", "call interrupted (shutting down)", null);
        }
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /** An answer's body, at most {@code limit} bytes; cancelling drops the connection. */
    private static final class BoundedBody implements HttpResponse.BodyHandler<byte[]> {
        private final int limit;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private volatile Flow.Subscription subscription;
        private volatile boolean aborted;

        BoundedBody(int limit) {
            this.limit = limit;
        }

        void abort(Throwable why) {
            aborted = true;
            result.completeExceptionally(why);
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }

        @Override
        public HttpResponse.BodySubscriber<byte[]> apply(HttpResponse.ResponseInfo info) {
            return new HttpResponse.BodySubscriber<>() {
                private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

                @Override
                public CompletionStage<byte[]> getBody() {
                    return result;
                }

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    subscription = s;
                    if (aborted) {
                        s.cancel();
                    } else {
                        s.request(Long.MAX_VALUE);
                    }
                }

                @Override
                public void onNext(List<ByteBuffer> buffers) {
                    if (result.isDone()) {
                        return;
                    }
                    for (ByteBuffer b : buffers) {
                        if (kept.size() + b.remaining() > limit) {
                            result.completeExceptionally(new AnswerTooLarge());
                            subscription.cancel();
                            return;
                        }
                        byte[] bytes = new byte[b.remaining()];
                        b.get(bytes);
                        kept.write(bytes, 0, bytes.length);
                    }
                }

                @Override
                public void onError(Throwable t) {
                    result.completeExceptionally(t);
                }

                @Override
                public void onComplete() {
                    result.complete(kept.toByteArray());
                }
            };
        }
    }

    /** The body went past {@link #MAX_ANSWER_BYTES}. */
    private static final class AnswerTooLarge extends IOException {
        AnswerTooLarge() {
            super("answer too large");
        }
    }

    /** Our deadline, as the body's failure when it is cut off. */
    private static final class HttpTimeoutExceeded extends IOException {
        HttpTimeoutExceeded(Duration timeout) {
            super("no complete answer within " + timeout.toMillis() + " ms");
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
