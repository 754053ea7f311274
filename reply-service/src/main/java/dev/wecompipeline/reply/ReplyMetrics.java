package dev.wecompipeline.reply;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The reply-service's meters. Prometheus names: {@code wecom_reply_sends_total{app,errcode}},
 * {@code wecom_reply_retries_total{app,errcode}}, {@code wecom_reply_token_refreshes_total{app,outcome}},
 * {@code wecom_reply_rate_limit_waits_total{reason}}, {@code wecom_reply_dead_letters_total{errcode}},
 * {@code wecom_reply_invalid_users_total{app}}, {@code wecom_reply_latency_seconds} (callback arrival
 * to WeCom's acceptance of the last chunk). Records by outcome, queues and commits are the engine's
 * ({@code wecom_engine_*{loop="reply"}}).
 */
final class ReplyMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Timer latency;

    ReplyMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.latency = Timer.builder("wecom.reply.latency")
                .description("From the callback's arrival at the ingress to WeCom accepting the reply's last chunk")
                .publishPercentileHistogram().register(registry);
    }

    /** One answer of message/send (or its failure): {@code 0}, an errcode, {@code http_502}, {@code io}, ... */
    void send(String app, String errcode) {
        increment("wecom.reply.sends", "message/send calls by errcode", "app", app, "errcode", errcode);
    }

    void retry(String app, String errcode) {
        increment("wecom.reply.retries", "Chunk sends scheduled again after a retriable failure", "app", app, "errcode", errcode);
    }

    void tokenRefresh(String app, boolean ok) {
        increment("wecom.reply.token.refreshes", "gettoken calls", "app", app, "outcome", ok ? "ok" : "failed");
    }

    /** {@code user} (30/min, 1000/h), {@code app_frequency} (45009 block) or {@code app_rate} (sends/s cap). */
    void rateLimitWait(String reason) {
        increment("wecom.reply.rate.limit.waits", "Sends held back to stay within a limit", "reason", reason);
    }

    void deadLetter(String errcode) {
        increment("wecom.reply.dead.letters", "Replies sent to the dead-letter topic", "errcode", errcode);
    }

    void invalidUser(String app) {
        increment("wecom.reply.invalid.users", "Recipients WeCom listed in invaliduser", "app", app);
    }

    void latency(long millis) {
        if (millis >= 0) {
            latency.record(millis, TimeUnit.MILLISECONDS);
        }
    }

    /** The value of a counter, 0 when never incremented (for tests). */
    double count(String name, String... tags) {
        Counter c = counters.get(key(name, tags));
        return c == null ? 0 : c.count();
    }

    private void increment(String name, String description, String... tags) {
        counters.computeIfAbsent(key(name, tags), k -> Counter.builder(name).description(description).tags(tags)
                .register(registry)).increment();
    }

    private static String key(String name, String... tags) {
        return name + "\u0000" + String.join("\u0000", tags);
    }
}
