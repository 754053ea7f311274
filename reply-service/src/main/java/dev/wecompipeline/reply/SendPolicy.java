package dev.wecompipeline.reply;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

import dev.wecompipeline.config.ReplyConfig;
import dev.wecompipeline.wecom.RetriableWeComException;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;

/**
 * The retry policy of chunk sends, built once from {@link ReplyConfig}: which failures are
 * retried ({@link RetriableWeComException}: -1, 45009, 45033, token trouble, HTTP 5xx, I/O
 * errors, timeouts), how long to wait (exponential from {@code retryInitialBackoff}, doubling,
 * ±50 % jitter, at most {@code retryMaxBackoff}) and when to give up ({@code maxAttempts}
 * attempts, or {@code maxRetryDuration} after the first failure, whichever comes first).
 *
 * <p>The policy ({@link RetryConfig}), the named instance per app ({@link Retry}, for its events
 * and metrics) and the call are separate. Sends are asynchronous, so the call site drives the
 * retry through {@link Retry#asyncContext()} and schedules the wait on a timer: a chunk that
 * waits for its next attempt holds no thread.
 *
 * <p>After a 45009 every chunk of the app waits for the end of the block; {@link #afterFrequencyBlock}
 * spreads their return over a window after it, so they do not all call at the instant the block
 * ends (a burst that earns the next 45009).
 */
final class SendPolicy {

    /** Spread retries of many chunks that failed together, so they do not come back together. */
    static final double JITTER = 0.5;
    static final double MULTIPLIER = 2.0;

    private final RetryConfig config;
    private final Duration maxRetryDuration;
    private final long freqLimitSpreadMs;
    private final DoubleSupplier random;
    private final Map<String, Retry> perApp = new ConcurrentHashMap<>();

    SendPolicy(ReplyConfig reply) {
        this(reply, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** @param random uniform in [0, 1): the jitter's source, fixed in tests */
    SendPolicy(ReplyConfig reply, DoubleSupplier random) {
        this.config = RetryConfig.custom()
                .maxAttempts(reply.maxAttempts())
                .retryOnException(RetriableWeComException.class::isInstance)
                .intervalBiFunction(IntervalBiFunction.ofIntervalFunction(IntervalFunction.ofExponentialRandomBackoff(
                        reply.retryInitialBackoff(), MULTIPLIER, JITTER, reply.retryMaxBackoff())))
                .build();
        this.maxRetryDuration = reply.maxRetryDuration();
        this.freqLimitSpreadMs = (long) (reply.freqLimitBackoff().toMillis() * JITTER);
        this.random = random;
    }

    /**
     * How long a chunk of an app still blocked for {@code blockedMs} after a 45009 waits: the rest of
     * the block plus a random part of up to {@link #JITTER} of {@code REPLY_FREQ_LIMIT_BACKOFF}.
     * Never less than the block itself: calling earlier only prolongs WeCom's block.
     */
    long afterFrequencyBlock(long blockedMs) {
        return blockedMs + (long) (random.getAsDouble() * freqLimitSpreadMs);
    }

    RetryConfig config() {
        return config;
    }

    /** A fresh retry context for one chunk of {@code app}. */
    Retry.AsyncContext<Object> newContext(String app) {
        return perApp.computeIfAbsent(app, a -> Retry.of("wecom-send-" + a, config)).asyncContext();
    }

    /**
     * The wait before the next attempt, or -1 to give up: the retry context's answer, cut off when
     * waiting would end beyond {@code maxRetryDuration} after the first failure.
     */
    long nextDelay(Retry.AsyncContext<Object> context, Throwable failure, long sinceFirstFailureMs) {
        long delay = context.onError(failure);
        if (delay >= 0 && sinceFirstFailureMs + delay > maxRetryDuration.toMillis()) {
            return -1;
        }
        return delay;
    }
}
