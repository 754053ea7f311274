package dev.wecompipeline.sandbox;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the sandbox answered, for assertions. Lists are bounded ({@link SandboxConfig#maxRecords()},
 * oldest evicted first) so a long benchmark can't exhaust memory; the counts are never evicted.
 * Thread-safe: every method is synchronized and queries return immutable copies.
 */
final class Recorder {

    private final int maxRecords;
    private final Deque<CallRecord> calls = new ArrayDeque<>();
    private final Deque<ReceivedMessage> deliveries = new ArrayDeque<>();
    private final Map<Integer, Long> byErrcode = new TreeMap<>();
    private final Map<ApiCallOutcome, Long> byOutcome = new EnumMap<>(ApiCallOutcome.class);
    private final Map<ApiEndpoint, Long> byApi = new EnumMap<>(ApiEndpoint.class);
    private long deliveryCount;

    Recorder(int maxRecords) {
        this.maxRecords = maxRecords;
    }

    synchronized void record(CallRecord call, Collection<ReceivedMessage> delivered) {
        add(calls, call);
        delivered.forEach(d -> add(deliveries, d));
        deliveryCount += delivered.size();
        if (call.errcode() != null) {
            byErrcode.merge(call.errcode(), 1L, Long::sum);
        }
        byOutcome.merge(call.outcome(), 1L, Long::sum);
        byApi.merge(call.api(), 1L, Long::sum);
    }

    synchronized List<CallRecord> calls() {
        return List.copyOf(calls);
    }

    synchronized List<ReceivedMessage> deliveries() {
        return List.copyOf(deliveries);
    }

    synchronized long count(ApiEndpoint api) {
        return byApi.getOrDefault(api, 0L);
    }

    synchronized long countByErrcode(int errcode) {
        return byErrcode.getOrDefault(errcode, 0L);
    }

    synchronized Map<Integer, Long> countsByErrcode() {
        return Map.copyOf(byErrcode);
    }

    synchronized long countByOutcome(ApiCallOutcome outcome) {
        return byOutcome.getOrDefault(outcome, 0L);
    }

    synchronized Map<ApiCallOutcome, Long> countsByOutcome() {
        return Map.copyOf(byOutcome);
    }

    /** Deliveries ever made, including those evicted from {@link #deliveries()}. */
    synchronized long deliveryCount() {
        return deliveryCount;
    }

    synchronized void clear() {
        calls.clear();
        deliveries.clear();
        byErrcode.clear();
        byOutcome.clear();
        byApi.clear();
        deliveryCount = 0;
    }

    private <T> void add(Deque<T> deque, T item) {
        deque.addLast(item);
        if (deque.size() > maxRecords) {
            deque.removeFirst();
        }
    }
}
