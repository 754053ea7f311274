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

    /** What a published id keeps once Kafka has it: nothing of the send's own result. */
    private static final CompletableFuture<Void> PUBLISHED = CompletableFuture.completedFuture(null);

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** Entries in insertion order; with one TTL for all, that is also expiry order, so sweeping is O(expired). */
    private final Queue<Entry> expiries = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private final long ttlMillis;
    private final int maxEntries;
    private final Clock clock;

    RetryDedupeCache(Duration ttl, int maxEntries, Clock clock) {
        this.ttlMillis = ttl.toMillis();
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    /**
     * Outcome of {@link #publishOnce}: completes when Kafka has the message (by this call's publish
     * or an earlier one), and whether this call started it.
     */
    record Attempt(CompletableFuture<Void> result, boolean first) {
    }

    /**
     * Runs {@code publish} unless an unexpired entry for {@code id} exists, in which case that
     * entry's outcome is returned with {@code first == false}.
     */
    Attempt publishOnce(String id, Supplier<? extends CompletableFuture<?>> publish) {
        long now = clock.millis();
        sweepIfDue(now);
        Entry fresh = new Entry(id, now + ttlMillis);
        Entry existing = entries.compute(id, (k, old) -> old != null && old.expiresAt > now ? old : fresh);
        if (existing != fresh) {
            // A copy: callers add timeouts to what they get, which must not complete the shared publish.
            return new Attempt(existing.outcome.copy(), false);
        }
        expiries.add(fresh);
        CompletableFuture<?> started;
        try {
            started = publish.get();
        } catch (RuntimeException e) {
            started = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> shared = fresh.outcome;
        started.whenComplete((value, error) -> {
            if (error != null) {
                entries.remove(id, fresh);
                shared.completeExceptionally(error);
            } else {
                // The entry lives for the TTL (some hundred thousand of them under load): keep only
                // the shared marker, not the send's metadata, so young collections copy less.
                fresh.outcome = PUBLISHED;
                shared.complete(null);
            }
        });
        return new Attempt(shared.copy(), true);
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
            Entry head;
            while ((head = expiries.peek()) != null && (head.expiresAt <= now || entries.size() > maxEntries)) {
                expiries.poll();
                entries.remove(head.id, head);
            }
        } finally {
            sweeping.set(false);
        }
    }

    /** One remembered id; the queue of expiries holds the same object, so it carries its id. */
    private static final class Entry {
        final String id;
        final long expiresAt;
        /** The publish while it is under way; {@link #PUBLISHED} once Kafka has the message. */
        volatile CompletableFuture<Void> outcome = new CompletableFuture<>();

        Entry(String id, long expiresAt) {
            this.id = id;
            this.expiresAt = expiresAt;
        }
    }
}
