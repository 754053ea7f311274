package dev.wecompipeline.reply;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * WeCom's per app and member limits (30 messages a minute, 1000 an hour; over them WeCom drops
 * messages silently) as two sliding windows per key. Sliding, because it is the strictest reading
 * of "a minute": staying inside it stays inside any bucketed count WeCom may keep.
 *
 * <p>A send is counted from when its answer arrived (which is after WeCom counted it), and while
 * it is in flight it counts as "now": so our count of any window is never below WeCom's, whatever
 * the network delay. A send WeCom refused with an errcode delivered nothing and is not counted; one
 * whose answer was lost (timeout, I/O error) might have been delivered and is.
 *
 * <p>{@link #waitMillis} says how long until a send would fit; callers schedule themselves that far
 * ahead rather than blocking a thread. Thread-safe.
 */
final class UserRateLimiter {

    /** Slack for the two clocks (ours and WeCom's) ticking apart: a window is treated as this much longer. */
    static final long CLOCK_SLACK_MS = 20;
    private static final long IN_FLIGHT = Long.MAX_VALUE;

    private final int perShort;
    private final long shortMs;
    private final int perLong;
    private final long longMs;
    private final LongSupplier clock;
    private final Map<String, Deque<Long>> sent = new HashMap<>();
    private long callsSincePrune;

    UserRateLimiter(int perMinute, Duration minuteWindow, int perHour, Duration hourWindow, LongSupplier clockMillis) {
        this.perShort = perMinute;
        this.shortMs = minuteWindow.toMillis() + CLOCK_SLACK_MS;
        this.perLong = perHour;
        this.longMs = hourWindow.toMillis() + CLOCK_SLACK_MS;
        this.clock = clockMillis;
    }

    /** Milliseconds until {@code key} may send again; 0 when it may send now. */
    synchronized long waitMillis(String key) {
        Deque<Long> times = sent.get(key);
        if (times == null) {
            return 0;
        }
        long now = clock.getAsLong();
        prune(times, now);
        return Math.max(waitFor(times, now, perShort, shortMs), waitFor(times, now, perLong, longMs));
    }

    /** A send of {@code key} starts now: it counts until {@link #finished}. */
    synchronized void started(String key) {
        sent.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(IN_FLIGHT);
        pruneIdleKeys();
    }

    /**
     * Sends of {@code key} another owner made (read from the delivery markers when a partition
     * moves here): counted as if they had been made here. A time already counted is not added twice.
     */
    synchronized void restore(String key, List<Long> acceptedAtMs) {
        Deque<Long> times = sent.computeIfAbsent(key, k -> new ArrayDeque<>());
        List<Long> merged = new ArrayList<>();
        int inFlight = 0;
        for (long t : times) {
            if (t == IN_FLIGHT) {
                inFlight++;
            } else {
                merged.add(t);
            }
        }
        for (long t : acceptedAtMs) {
            if (!merged.contains(t)) {
                merged.add(t);
            }
        }
        Collections.sort(merged);
        times.clear();
        times.addAll(merged);
        for (int i = 0; i < inFlight; i++) {
            times.addLast(IN_FLIGHT);
        }
    }

    /**
     * The send started last for {@code key} got its answer at {@code atMs}: counted from then when
     * WeCom may have delivered it, forgotten when WeCom refused it.
     */
    synchronized void finished(String key, boolean counts, long atMs) {
        Deque<Long> times = sent.get(key);
        if (times == null) {
            return;
        }
        // One send per key is in flight at a time (the scheduler's rule), so it is the last entry.
        for (Iterator<Long> it = times.descendingIterator(); it.hasNext(); ) {
            if (it.next() == IN_FLIGHT) {
                it.remove();
                break;
            }
        }
        if (counts) {
            times.addLast(atMs);
        }
    }

    /** How long until fewer than {@code max} entries lie within the last {@code windowMs}. */
    private static long waitFor(Deque<Long> times, long now, int max, long windowMs) {
        int inWindow = 0;
        long kth = 0;
        // Newest first; the max-th newest entry in the window is the one that must age out.
        for (Iterator<Long> it = times.descendingIterator(); it.hasNext(); ) {
            long t = it.next();
            if (t != IN_FLIGHT && t <= now - windowMs) {
                break;
            }
            inWindow++;
            if (inWindow == max) {
                kth = t;
            }
        }
        if (inWindow < max) {
            return 0;
        }
        return kth == IN_FLIGHT ? windowMs : kth + windowMs - now + 1;
    }

    private void prune(Deque<Long> times, long now) {
        long horizon = now - Math.max(shortMs, longMs);
        while (!times.isEmpty() && times.peekFirst() != IN_FLIGHT && times.peekFirst() <= horizon) {
            times.removeFirst();
        }
    }

    /** Forgets users who sent nothing within the longest window, so memory follows active users only. */
    private void pruneIdleKeys() {
        if (++callsSincePrune < 10_000) {
            return;
        }
        callsSincePrune = 0;
        long now = clock.getAsLong();
        sent.values().removeIf(times -> {
            prune(times, now);
            return times.isEmpty();
        });
    }
}
