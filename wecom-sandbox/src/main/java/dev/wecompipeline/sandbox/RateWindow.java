package dev.wecompipeline.sandbox;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * WeCom's per app and member message limits (30 a minute, 1000 an hour) as two sliding windows.
 * Sliding rather than calendar-aligned because it is the stricter reading: a client that stays
 * within it also stays within any fixed-bucket implementation WeCom might use. Only deliveries
 * count; a message dropped for being over the limit does not extend the block.
 *
 * <p>Not thread-safe: the caller serialises (see {@link WeComApiModel}).
 */
final class RateWindow {

    private final int shortMax;
    private final Duration shortWindow;
    private final int longMax;
    private final Duration longWindow;
    private final Map<String, Deque<Instant>> sent = new HashMap<>();
    private long acquiresSincePrune;

    RateWindow(int shortMax, Duration shortWindow, int longMax, Duration longWindow) {
        this.shortMax = shortMax;
        this.shortWindow = shortWindow;
        this.longMax = longMax;
        this.longWindow = longWindow;
    }

    /** Counts one message for {@code key} at {@code now} if both windows have room; false if over a limit. */
    boolean tryAcquire(String key, Instant now) {
        pruneIdleKeys(now);
        Deque<Instant> times = sent.computeIfAbsent(key, k -> new ArrayDeque<>());
        Instant longest = now.minus(shortWindow.compareTo(longWindow) > 0 ? shortWindow : longWindow);
        while (!times.isEmpty() && !times.peekFirst().isAfter(longest)) {
            times.removeFirst();
        }
        if (countAfter(times, now.minus(shortWindow)) >= shortMax
                || countAfter(times, now.minus(longWindow)) >= longMax) {
            return false;
        }
        times.addLast(now);
        return true;
    }

    void clear() {
        sent.clear();
    }

    /** Entries strictly after {@code from}; walks from the newest so a short window costs O(limit). */
    private static int countAfter(Deque<Instant> times, Instant from) {
        int n = 0;
        for (Iterator<Instant> it = times.descendingIterator(); it.hasNext(); ) {
            if (!it.next().isAfter(from)) {
                break;
            }
            n++;
        }
        return n;
    }

    /** Keeps a long benchmark with many members from holding every member's history forever. */
    private void pruneIdleKeys(Instant now) {
        if (++acquiresSincePrune < 10_000) {
            return;
        }
        acquiresSincePrune = 0;
        Instant horizon = now.minus(shortWindow.compareTo(longWindow) > 0 ? shortWindow : longWindow);
        sent.values().removeIf(times -> times.isEmpty() || !times.peekLast().isAfter(horizon));
    }
}
