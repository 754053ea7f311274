package dev.wecompipeline.wecom;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

import dev.wecompipeline.config.AppConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One access token per app, shared by every send of that app.
 *
 * <ul>
 *   <li>Cached until {@code margin} before WeCom's {@code expires_in} (at most half the lifetime,
 *       so a short-lived token is still used).</li>
 *   <li>Single flight: however many sends need a token at once, one {@code gettoken} call per app
 *       is in progress, and they all get its answer. The fetch has a deadline
 *       ({@link #fetchDeadline}: twice the client's request timeout, which already bounds the call):
 *       should its answer never come, the shared future fails with {@code timeout} at the deadline,
 *       the app is free to fetch again after the backoff, and a late answer is ignored. A stalled
 *       {@code gettoken} therefore never freezes an app's sends.</li>
 *   <li>A failed {@code gettoken} is not repeated at once: the next call for that app waits out an
 *       exponential backoff (at least the 45009 backoff after 45009), because calling gettoken too
 *       often is itself rate limited. Callers meanwhile get a failed future and retry on their own
 *       schedule.</li>
 *   <li>{@link #invalidate} drops a token WeCom refused, only if it is still the cached one, so a
 *       burst of refusals of the same token causes one refresh, not one per send.</li>
 * </ul>
 * Tokens and secrets never reach a log or an exception message.
 */
public final class TokenCache {

    private static final Logger LOG = LoggerFactory.getLogger(TokenCache.class);

    /** What a refresh did, for metrics. */
    public interface Listener {
        void refreshed(String app, boolean ok, String code);
    }

    private final class Entry {
        final AppConfig app;
        String token;
        long refreshAtMs;
        CompletableFuture<String> inFlight;
        int failures;
        long nextAttemptAtMs;

        Entry(AppConfig app) {
            this.app = app;
        }
    }

    private final WeComClient client;
    private final Duration margin;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration freqLimitBackoff;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier clock;
    private final Listener listener;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Duration fetchDeadline;

    public TokenCache(WeComClient client, Duration margin, Duration initialBackoff, Duration maxBackoff,
                      Duration freqLimitBackoff, ScheduledExecutorService scheduler, LongSupplier clockMillis,
                      Listener listener) {
        this.client = client;
        this.margin = margin;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.freqLimitBackoff = freqLimitBackoff;
        this.scheduler = scheduler;
        this.clock = clockMillis;
        this.listener = listener;
        this.fetchDeadline = client.requestTimeout().multipliedBy(2);
    }

    /** A valid token of {@code app}: the cached one, or the result of the (shared) refresh. */
    public CompletableFuture<String> token(AppConfig app) {
        Entry e = entries.computeIfAbsent(app.name(), n -> new Entry(app));
        long delay;
        CompletableFuture<String> future;
        synchronized (e) {
            long now = clock.getAsLong();
            if (e.token != null && now < e.refreshAtMs) {
                return CompletableFuture.completedFuture(e.token);
            }
            if (e.inFlight != null) {
                return e.inFlight;
            }
            future = new CompletableFuture<>();
            e.inFlight = future;
            delay = Math.max(0, e.nextAttemptAtMs - now);
        }
        if (delay == 0) {
            fetch(e, future);
        } else {
            scheduler.schedule(() -> fetch(e, future), delay, TimeUnit.MILLISECONDS);
        }
        return future;
    }

    /**
     * WeCom refused {@code token}: forget it unless a newer one replaced it already.
     *
     * @return true when it was the current token (this refusal makes the next send fetch a new
     *         one); false when it had been replaced or dropped already
     */
    public boolean invalidate(AppConfig app, String token) {
        Entry e = entries.get(app.name());
        if (e == null) {
            return false;
        }
        synchronized (e) {
            if (token.equals(e.token)) {
                e.token = null;
                return true;
            }
            return false;
        }
    }

    private void fetch(Entry e, CompletableFuture<String> future) {
        AtomicBoolean settled = new AtomicBoolean();
        ScheduledFuture<?> deadline;
        try {
            deadline = scheduler.schedule(() -> settle(e, future, settled, null, new RetriableWeComException("timeout",
                    "gettoken gave no answer within " + fetchDeadline.toMillis() + " ms", null)),
                    fetchDeadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shutDown) {
            settle(e, future, settled, null, new RetriableWeComException("closed", "shutting down", null));
            return;
        }
        client.gettoken(e.app.corpId(), e.app.corpSecret()).whenComplete((answer, error) -> {
            deadline.cancel(false);
            settle(e, future, settled, answer, error);
        });
    }

    /** The fetch's outcome, once: whichever of the answer and the deadline comes first. */
    private void settle(Entry e, CompletableFuture<String> future, AtomicBoolean settled, WeComApi.TokenAnswer answer,
                        Throwable error) {
        if (!settled.compareAndSet(false, true)) {
            return;
        }
        WeComException failure = error != null ? ErrorCodes.forFailure(error)
                : answer.errcode() != ErrorCodes.OK || answer.accessToken() == null
                ? ErrorCodes.forAnswer(answer.errcode(), answer.errmsg()) : null;
        long backoffMs = 0;
        synchronized (e) {
            e.inFlight = null;
            long now = clock.getAsLong();
            if (failure == null) {
                long lifetimeMs = Math.max(1, answer.expiresIn()) * 1000;
                e.token = answer.accessToken();
                e.refreshAtMs = now + lifetimeMs - Math.min(margin.toMillis(), lifetimeMs / 2);
                e.failures = 0;
                e.nextAttemptAtMs = 0;
            } else {
                e.failures++;
                long backoff = Math.min(maxBackoff.toMillis(),
                        initialBackoff.toMillis() << Math.min(20, e.failures - 1));
                if (failure.errcode() == ErrorCodes.API_FREQ_OUT_OF_LIMIT) {
                    backoff = Math.max(backoff, freqLimitBackoff.toMillis());
                }
                e.nextAttemptAtMs = now + backoff;
                backoffMs = backoff;
            }
        }
        if (failure == null) {
            listener.refreshed(e.app.name(), true, "0");
            LOG.debug("wecom: new access token for app {} (expires in {} s)", e.app.name(), answer.expiresIn());
            future.complete(answer.accessToken());
        } else {
            listener.refreshed(e.app.name(), false, failure.code());
            LOG.warn("wecom: gettoken for app {} failed ({} {}); next attempt in at least {} ms", e.app.name(),
                    failure.code(), failure.errmsg(), backoffMs);
            future.completeExceptionally(failure);
        }
    }
}
