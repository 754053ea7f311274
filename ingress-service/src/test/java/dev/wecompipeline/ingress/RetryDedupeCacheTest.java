package dev.wecompipeline.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class RetryDedupeCacheTest {

    private static final class MutableClock extends Clock {
        long millis = 1_000_000;

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    @Test
    void a_retry_joins_the_first_publish_and_a_callers_timeout_does_not_poison_it() {
        MutableClock clock = new MutableClock();
        RetryDedupeCache cache = new RetryDedupeCache(Duration.ofSeconds(300), 1000, clock);
        CompletableFuture<String> kafka = new CompletableFuture<>();
        AtomicInteger publishes = new AtomicInteger();
        var first = cache.publishOnce("m1", () -> {
            publishes.incrementAndGet();
            return kafka;
        });
        first.result().orTimeout(1, TimeUnit.MILLISECONDS).handle((v, e) -> null).join();
        var retry = cache.publishOnce("m1", () -> {
            publishes.incrementAndGet();
            return CompletableFuture.completedFuture("second");
        });
        assertFalse(retry.first());
        assertFalse(retry.result().isDone(), "the retry waits for the original publish, not the caller's timeout");
        kafka.complete("ok");
        retry.result().join();
        assertTrue(retry.result().isDone() && !retry.result().isCompletedExceptionally());
        assertEquals(1, publishes.get());
        var later = cache.publishOnce("m1", () -> {
            publishes.incrementAndGet();
            return CompletableFuture.completedFuture("third");
        });
        assertFalse(later.first());
        assertTrue(later.result().isDone(), "once published, a retry is answered at once");
        assertEquals(1, publishes.get());
    }

    @Test
    void a_failed_publish_is_forgotten_so_the_next_retry_publishes_again() {
        RetryDedupeCache cache = new RetryDedupeCache(Duration.ofSeconds(300), 1000, new MutableClock());
        cache.publishOnce("m1", () -> CompletableFuture.failedFuture(new IllegalStateException("kafka down")));
        var again = cache.publishOnce("m1", () -> CompletableFuture.completedFuture("ok"));
        assertTrue(again.first());
        again.result().join();
        assertFalse(again.result().isCompletedExceptionally());
    }

    @Test
    void entries_expire_after_the_ttl_and_the_bound_evicts_the_oldest() {
        MutableClock clock = new MutableClock();
        RetryDedupeCache cache = new RetryDedupeCache(Duration.ofSeconds(300), 3, clock);
        for (String id : new String[] {"a", "b", "c", "d", "e"}) {
            cache.publishOnce(id, () -> CompletableFuture.completedFuture(id));
        }
        assertTrue(cache.size() <= 4, "bounded, got " + cache.size());
        assertTrue(cache.publishOnce("a", () -> CompletableFuture.completedFuture("a2")).first(), "oldest evicted");
        assertFalse(cache.publishOnce("e", () -> CompletableFuture.completedFuture("e2")).first(), "newest kept");
        clock.millis += 301_000;
        assertTrue(cache.publishOnce("e", () -> CompletableFuture.completedFuture("e3")).first(), "expired after TTL");
    }
}
