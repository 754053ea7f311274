package dev.wecompipeline.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Decides which waiting items may start: at most one in flight per key (a user's messages are
 * answered in order) and at most {@code limit} in flight overall. Keys take turns in the order they
 * became ready, so one chatty key cannot starve the others. Only the loop thread touches it.
 *
 * @param <T> the work item
 */
final class KeyScheduler<T> {

    private final int limit;
    private final Map<String, ArrayDeque<T>> waiting = new HashMap<>();
    private final Set<String> busy = new HashSet<>();
    /** Keys with waiting items and nothing in flight, in the order they became ready. */
    private final LinkedHashSet<String> ready = new LinkedHashSet<>();
    private int waitingCount;

    KeyScheduler(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        this.limit = limit;
    }

    void add(String key, T item) {
        waiting.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(item);
        waitingCount++;
        if (!busy.contains(key)) {
            ready.add(key);
        }
    }

    /** Items waiting under {@code key} (not counting the one in flight). */
    int queued(String key) {
        ArrayDeque<T> q = waiting.get(key);
        return q == null ? 0 : q.size();
    }

    /**
     * Items to start now, each the head of its key's queue and accepted by {@code mayStart}; each
     * one's key counts as in flight until {@link #finished}. A refused head keeps its key's turn.
     */
    List<T> startable(Predicate<T> mayStart) {
        List<T> out = new ArrayList<>();
        Iterator<String> it = ready.iterator();
        while (busy.size() < limit && it.hasNext()) {
            String key = it.next();
            ArrayDeque<T> queue = waiting.get(key);
            if (!mayStart.test(queue.peekFirst())) {
                continue;
            }
            it.remove();
            T item = queue.pollFirst();
            waitingCount--;
            if (queue.isEmpty()) {
                waiting.remove(key);
            }
            busy.add(key);
            out.add(item);
        }
        return out;
    }

    /** The in-flight item of {@code key} ended; its next item (if any) becomes ready. */
    void finished(String key) {
        if (busy.remove(key) && waiting.containsKey(key)) {
            ready.add(key);
        }
    }

    /** Drops waiting (not started) items matching {@code filter}, e.g. those of revoked partitions. */
    int dropWaiting(Predicate<T> filter) {
        int dropped = 0;
        for (Iterator<Map.Entry<String, ArrayDeque<T>>> it = waiting.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, ArrayDeque<T>> e = it.next();
            int before = e.getValue().size();
            e.getValue().removeIf(filter);
            dropped += before - e.getValue().size();
            if (e.getValue().isEmpty()) {
                it.remove();
                ready.remove(e.getKey());
            }
        }
        waitingCount -= dropped;
        return dropped;
    }

    int inFlight() {
        return busy.size();
    }

    int waiting() {
        return waitingCount;
    }

    /** The longest queue of any one key (one user flooding the agent shows up here). */
    int deepestQueue() {
        int max = 0;
        for (ArrayDeque<T> q : waiting.values()) {
            max = Math.max(max, q.size());
        }
        return max;
    }
}
