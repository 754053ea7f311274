package dev.wecompipeline.ingress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.wecompipeline.config.IngressConfig;
import dev.wecompipeline.ingress.AppRouter.RoutedApp;
import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.ops.LogSafe;
import dev.wecompipeline.xml.CallbackEnvelope;
import dev.wecompipeline.xml.InboundXmlMessage;
import dev.wecompipeline.xml.WeComXml;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The callback endpoint: {@code GET} answers WeCom's URL verification, {@code POST} takes a
 * message. Checks run cheapest first (size, source, outer XML, signature and timestamp, decrypt,
 * inner XML); each failure is a {@link CallbackRejected} or a typed crypto exception that the
 * server maps to a 4xx. Only Kafka being unavailable produces a 5xx (503), so WeCom retries.
 */
final class CallbackHandler {

    /** The acknowledgement body WeCom expects. */
    static final String SUCCESS = "success";
    /** Path parameter of per-app callback paths. */
    static final String APP_PARAM = "app";
    /** Request attribute holding {@link System#nanoTime()} at arrival, for the handling-time histogram. */
    static final String START_ATTRIBUTE = "wecom.start";

    private static final Logger LOG = LoggerFactory.getLogger(CallbackHandler.class);
    /** A rejection reason is ours, but may quote input (an XML parser's message, a corp id): capped longer than one value. */
    private static final int MAX_REASON_CHARS = 512;

    private final IngressConfig config;
    private final AppRouter router;
    private final SourceFilter sourceFilter;
    private final InboundPublisher publisher;
    private final RetryDedupeCache dedupe;
    private final IngressMetrics metrics;
    private final Clock clock;
    private final Executor responder;

    /**
     * @param responder where acknowledgements are written: not on Kafka's network thread, which
     *     completes every send of this producer and must get back to Kafka
     */
    CallbackHandler(IngressConfig config, AppRouter router, SourceFilter sourceFilter, InboundPublisher publisher,
                    RetryDedupeCache dedupe, IngressMetrics metrics, Clock clock, Executor responder) {
        this.config = config;
        this.router = router;
        this.sourceFilter = sourceFilter;
        this.publisher = publisher;
        this.dedupe = dedupe;
        this.metrics = metrics;
        this.clock = clock;
        this.responder = responder;
    }

    /** {@code GET}: URL verification; answers the decrypted {@code echostr} as plain text. */
    void verify(Context ctx) {
        long start = System.nanoTime();
        ctx.attribute(START_ATTRIBUTE, start);
        checkSource(ctx);
        CallbackQuery query = CallbackQuery.of(ctx);
        if (query.echostr() == null || query.echostr().isEmpty()) {
            throw new CallbackRejected(CallbackOutcome.BAD_REQUEST, "verification without echostr");
        }
        RoutedApp app = router.forVerification(pathApp(ctx), query.signature(), query.timestamp(), query.nonce(),
                query.echostr());
        String plain = app.crypto().decrypt(query.echostr());
        LOG.info("URL verification for app {} succeeded", app.app().name());
        respond(ctx, CallbackOutcome.VERIFIED, plain, start);
    }

    /** {@code POST}: a message; acknowledged only once Kafka has it. */
    void receive(Context ctx) {
        long start = System.nanoTime();
        ctx.attribute(START_ATTRIBUTE, start);
        long receivedAt = clock.millis();
        checkSize(ctx.contentLength());
        checkSource(ctx);
        byte[] body = ctx.bodyAsBytes();
        checkSize(body.length);

        CallbackEnvelope envelope = WeComXml.parseEnvelope(new String(body, StandardCharsets.UTF_8));
        CallbackQuery query = CallbackQuery.of(ctx);
        RoutedApp app = router.forPost(pathApp(ctx), envelope, query.signature(), query.timestamp(), query.nonce());
        InboundXmlMessage xml = WeComXml.parseMessage(app.crypto().decrypt(envelope.encrypt()));

        String traceId = Long.toHexString(ThreadLocalRandom.current().nextLong());
        InboundMessage message = InboundMessages.from(xml, app.app(), receivedAt, traceId);
        if (xml.isEvent() && xml.event() != null && config.dropEvents().contains(xml.event())) {
            LOG.debug("Dropped {} event from {} (trace {})", LogSafe.of(xml.event()), LogSafe.of(message.userKey()),
                    traceId);
            respond(ctx, CallbackOutcome.DROPPED, SUCCESS, start);
            return;
        }
        if (!config.isUserAllowed(message.corpId(), message.userId())) {
            deny(ctx, message, start);
            return;
        }
        publish(ctx, message, start);
    }

    private void publish(Context ctx, InboundMessage message, long start) {
        String key = message.appName() + '|' + message.userKey() + '|' + message.messageId();
        long sendStart = System.nanoTime();
        RetryDedupeCache.Attempt attempt = dedupe.publishOnce(key, () -> publisher.publish(message)
                .whenComplete((meta, error) -> {
                    if (error == null) {
                        metrics.recordPublish(System.nanoTime() - sendStart);
                    }
                }));
        long remaining = config.ackTimeout().toNanos() - (System.nanoTime() - start);
        CompletableFuture<Void> answered = attempt.result()
                .orTimeout(Math.max(remaining, 0), TimeUnit.NANOSECONDS)
                .handleAsync((meta, error) -> {
                    if (error == null) {
                        respond(ctx, attempt.first() ? CallbackOutcome.ACCEPTED : CallbackOutcome.DUPLICATE, SUCCESS, start);
                        if (LOG.isDebugEnabled()) {
                            LOG.debug("{} message {} from {} (trace {})", attempt.first() ? "Published" : "Duplicate",
                                    LogSafe.of(message.messageId()), LogSafe.of(message.userKey()), message.traceId());
                        }
                    } else {
                        reject(ctx, CallbackOutcome.UNAVAILABLE, "Kafka did not acknowledge within "
                                + config.ackTimeout().toMillis() + " ms: " + rootMessage(error), start);
                    }
                    return null;
                }, responder);
        ctx.future(() -> answered);
    }

    private void deny(Context ctx, InboundMessage message, long start) {
        LOG.info("Refused user {} of app {}: not in allowed users (message {}, trace {})",
                LogSafe.of(message.userKey()), message.appName(), LogSafe.of(message.messageId()), message.traceId());
        String notice = config.accessDeniedReply();
        if (notice != null && !notice.isBlank()) {
            // Best effort and at most once per message: the user is refused either way.
            dedupe.publishOnce("denied|" + message.appName() + '|' + message.userKey() + '|' + message.messageId(),
                    () -> publisher.publishReply(ReplyMessage.answering(message, "text", notice)));
        }
        respond(ctx, CallbackOutcome.DENIED, SUCCESS, start);
    }

    /** Writes a rejection for a check that threw: one log line, the outcome counted, the status set. */
    void reject(Context ctx, CallbackOutcome outcome, String reason) {
        Long start = ctx.attribute(START_ATTRIBUTE);
        reject(ctx, outcome, reason, start == null ? System.nanoTime() : start);
    }

    private void reject(Context ctx, CallbackOutcome outcome, String reason, long start) {
        LOG.info("Callback {} {} rejected: {} ({}) from {}", ctx.method(), LogSafe.of(ctx.path()), outcome.tag(),
                LogSafe.of(reason, MAX_REASON_CHARS), ctx.ip());
        respond(ctx, outcome, outcome.name().toLowerCase(java.util.Locale.ROOT), start);
    }

    private void respond(Context ctx, CallbackOutcome outcome, String body, long start) {
        // Counted before the answer goes out: whoever got it may read /metrics next.
        metrics.count(outcome);
        metrics.recordHandling(System.nanoTime() - start);
        writePlainText(ctx, outcome.status(), body);
    }

    /**
     * Writes a short text answer straight to the servlet response. {@code ctx.result(..)} would hand
     * Javalin a stream that it copies through a new 32 KB buffer: a quarter of everything the
     * ingress allocated per callback, and with it that share of its young collections.
     */
    static void writePlainText(Context ctx, int status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpServletResponse res = ctx.res();
        res.setStatus(status);
        res.setContentType(ContentType.PLAIN);
        res.setContentLength(bytes.length);
        try {
            res.getOutputStream().write(bytes);
        } catch (IOException e) {
            // The client went away; there is no one left to answer.
            throw new UncheckedIOException("writing the response failed", e);
        }
    }

    private void checkSize(long length) {
        if (length > config.maxBodyBytes()) {
            throw new CallbackRejected(CallbackOutcome.TOO_LARGE, "body of " + length + " bytes exceeds " + config.maxBodyBytes());
        }
    }

    private void checkSource(Context ctx) {
        if (sourceFilter.allowsAll()) {
            return;
        }
        // Every X-Forwarded-For line, in arrival order: a proxy may add its own line instead of appending.
        List<String> forwardedFor = Collections.list(ctx.req().getHeaders(SourceFilter.FORWARDED_FOR));
        String client = sourceFilter.clientAddress(ctx.ip(), forwardedFor);
        if (!sourceFilter.isAllowed(client)) {
            throw new CallbackRejected(CallbackOutcome.BAD_SOURCE, "source " + LogSafe.of(client) + " not allowed");
        }
    }

    private String pathApp(Context ctx) {
        if (!ctx.pathParamMap().containsKey(APP_PARAM)) {
            return null;
        }
        String name = ctx.pathParam(APP_PARAM);
        if (!router.hasApp(name)) {
            throw new CallbackRejected(CallbackOutcome.UNKNOWN_APP, "no app named on path");
        }
        return name;
    }

    private static String rootMessage(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t instanceof java.util.concurrent.TimeoutException ? "timed out" : t.getClass().getSimpleName()
                + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
