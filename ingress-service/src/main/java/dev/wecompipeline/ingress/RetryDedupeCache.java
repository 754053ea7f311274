package dev.wecompipeline.ingress;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Remembers, for a while, which message ids this ingress already published, so that WeCom's
 * retries of the same callback are acknowledged without a second record.
 *
 * <p>The value is the publish itself: a retry that arrives while the first attempt is still
 * waiting for Kafka joins that attempt instead of racing it. A failed publish is forgotten at
 * once, so the next retry publishes again. Other replicas and crash windows are covered by the
 * worker's own dedupe; this cache only keeps the common case cheap.
 */
final class RetryDedupeCache {

    /** How long a published id is remembered; WeCom retries within seconds, 300 s is generous. */
    static final Duration DEFAULT_TTL = Duration.ofSeconds(300);
    /** Bound on remembered ids, so a flood of unique ids cannot exhaust memory. */
    static final int DEFAULT_MAX_ENTRIES = 200_000;

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** Ids in insertion order; with one TTL for all, that is also expiry order, so sweeping is O(expired). */
    private final Queue<Expiry> expiries = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private final long ttlMillis;
    private final int maxEntries;
    private final Clock clock;

    RetryDedupeCache(Duration ttl, int maxEntries, Clock clock) {
        this.ttlMillis = ttl.toMillis();
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    /** Outcome of {@link #publishOnce}: the publish future and whether this call started it. */
    record Attempt<T>(CompletableFuture<T> result, boolean first) {
    }

    /**
     * Runs {@code publish} unless an unexpired entry for {@code id} exists, in which case that
     * entry's result is returned with {@code first == false}.
     */
    <T> Attempt<T> publishOnce(String id, Supplier<CompletableFuture<T>> publish) {
        long now = clock.millis();
        sweepIfDue(now);
        Entry fresh = new Entry(new CompletableFuture<>(), now + ttlMillis);
        Entry existing = entries.compute(id, (k, old) -> old != null && old.expiresAt > now ? old : fresh);
        if (existing == fresh) {
            expiries.add(new Expiry(id, fresh));
        }
        @SuppressWarnings("unchecked")
        CompletableFuture<T> shared = (CompletableFuture<T>) existing.result;
        if (existing != fresh) {
            // A copy: callers add timeouts to what they get, which must not complete the shared publish.
            return new Attempt<>(shared.copy(), false);
        }
        CompletableFuture<T> started;
        try {
            started = publish.get();
        } catch (RuntimeException e) {
            started = CompletableFuture.failedFuture(e);
        }
        started.whenComplete((value, error) -> {
            if (error != null) {
                entries.remove(id, fresh);
                shared.completeExceptionally(error);
            } else {
                shared.complete(value);
            }
        });
        return new Attempt<>(shared.copy(), true);
    }

    int size() {
        return entries.size();
    }

    /**
     * Forgets expired ids, oldest first, and past {@code maxEntries} the oldest ones too: a flood of
     * unique ids then costs at worst a duplicate record, which the worker's dedupe absorbs.
     */
    private void sweepIfDue(long now) {
        // One sweeper at a time; the others go on serving rather than queueing behind it.
        if (!sweeping.compareAndSet(false, true)) {
            return;
        }
        try {
            Expiry head;
            while ((head = expiries.peek()) != null
                    && (head.entry.expiresAt <= now || entries.size() > maxEntries)) {
                expiries.poll();
                entries.remove(head.id, head.entry);
            }
        } finally {
            sweeping.set(false);
        }
    }

    private record Expiry(String id, Entry entry) {
    }

    private record Entry(CompletableFuture<Object> result, long expiresAt) {
    }
}
