package dev.wecompipeline.reply;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;

/**
 * What holds back all sends of one app: WeCom's 45009 block (after a per-minute API limit was
 * exceeded WeCom refuses that API for 60 s, and calling meanwhile only prolongs it), and the
 * optional sends-per-second cap. Other apps are never affected: each has its own.
 *
 * <p>The cap uses resilience4j's {@link RateLimiter#reservePermission()}, which reserves a permit
 * and says how long until it is valid, so the caller schedules itself rather than blocking.
 */
final class AppThrottle {

    private final long freqLimitBackoffMs;
    private final RateLimiterConfig capConfig;
    private final LongSupplier clock;
    private final Map<String, Long> blockedUntil = new ConcurrentHashMap<>();
    private final Map<String, RateLimiter> caps = new ConcurrentHashMap<>();

    /**
     * @param sendsPerSecond 0 for no cap
     */
    AppThrottle(Duration freqLimitBackoff, int sendsPerSecond, LongSupplier clockMillis) {
        this.freqLimitBackoffMs = freqLimitBackoff.toMillis();
        this.clock = clockMillis;
        this.capConfig = sendsPerSecond <= 0 ? null : RateLimiterConfig.custom()
                .limitForPeriod(sendsPerSecond)
                .limitRefreshPeriod(Duration.ofSeconds(1))
                // Reservations never fail: a message waits as long as it takes, it is never dropped.
                .timeoutDuration(Duration.ofDays(1))
                .build();
    }

    /** WeCom answered 45009 for {@code app}: no send of it before the backoff has passed. */
    void frequencyLimited(String app) {
        long until = clock.getAsLong() + freqLimitBackoffMs;
        blockedUntil.merge(app, until, Math::max);
    }

    /** Milliseconds {@code app} is still blocked after a 45009; 0 when it is not. */
    long blockedMillis(String app) {
        Long until = blockedUntil.get(app);
        return until == null ? 0 : Math.max(0, until - clock.getAsLong());
    }

    /** Reserves one send of {@code app} under the cap: milliseconds until it may go (0: now). */
    long reserve(String app) {
        if (capConfig == null) {
            return 0;
        }
        RateLimiter cap = caps.computeIfAbsent(app, a -> RateLimiter.of("wecom-app-" + a, capConfig));
        long nanos = cap.reservePermission();
        return nanos <= 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(nanos) + 1;
    }
}
