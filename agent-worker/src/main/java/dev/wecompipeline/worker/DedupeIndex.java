package dev.wecompipeline.worker;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Message ids seen on one partition within a window of record time, so a message that reached
 * Kafka twice (a second ingress, a crash between publish and acknowledgement, a WeCom retry that
 * outlived the ingress's cache) is answered once.
 *
 * <p>Time is the records' own timestamps, not the clock: a duplicate is one whose original was
 * written at most {@code window} earlier, whenever the worker happens to read them. The index is
 * rebuilt from the partition itself after a restart or rebalance ({@link PartitionHistory}), so it
 * needs no store of its own. Only the poll thread touches an instance.
 */
final class DedupeIndex {

    private final long windowMs;
    private final LinkedHashMap<String, Long> seen = new LinkedHashMap<>();
    private long newest = Long.MIN_VALUE;

    DedupeIndex(long windowMs) {
        this.windowMs = windowMs;
    }

    /** True when {@code id} was recorded within the window before {@code timestampMs}. */
    boolean isDuplicate(String id, long timestampMs) {
        Long first = seen.get(id);
        return first != null && timestampMs - first <= windowMs;
    }

    /** Records {@code id} (keeping the earliest time if already present) and forgets what left the window. */
    void record(String id, long timestampMs) {
        seen.putIfAbsent(id, timestampMs);
        newest = Math.max(newest, timestampMs);
        for (Iterator<Map.Entry<String, Long>> it = seen.entrySet().iterator(); it.hasNext(); ) {
            if (newest - it.next().getValue() > windowMs) {
                it.remove();
            } else {
                // Insertion order is (almost) time order: stop at the first entry still inside the window.
                break;
            }
        }
    }

    int size() {
        return seen.size();
    }

    /** The dedupe identity of an inbound message: app, user key and message id. */
    static String idOf(String app, String key, String messageId) {
        return app + '|' + key + '|' + messageId;
    }
}
