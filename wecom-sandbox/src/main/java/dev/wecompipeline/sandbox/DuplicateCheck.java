package dev.wecompipeline.sandbox;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * WeCom's {@code enable_duplicate_check}: a request identical to one delivered within
 * {@code duplicate_check_interval} (same app, {@code touser}, {@code msgtype} and content, which is
 * the {@code media_id} for image, voice, video and file messages) is
 * answered ok and not delivered. Every delivery is remembered, also those sent without the flag,
 * because WeCom compares against what went out, not against what asked to be checked.
 *
 * <p>Not thread-safe: the caller serialises (see {@link WeComApiModel}).
 */
final class DuplicateCheck {

    private final Duration maxInterval;
    private final Map<String, Instant> lastDelivered = new HashMap<>();
    private long remembersSincePrune;

    DuplicateCheck(Duration maxInterval) {
        this.maxInterval = maxInterval;
    }

    static String key(String corpId, int agentId, String touser, String msgtype, String content) {
        // \u0000 cannot occur in ids and keeps "a|b" + "c" apart from "a" + "b|c".
        return corpId + '\u0000' + agentId + '\u0000' + touser + '\u0000' + msgtype + '\u0000' + content;
    }

    boolean isDuplicate(String key, Instant now, Duration interval) {
        Instant last = lastDelivered.get(key);
        return last != null && now.isBefore(last.plus(interval));
    }

    void remember(String key, Instant now) {
        lastDelivered.put(key, now);
        if (++remembersSincePrune >= 10_000) {
            // No request may look further back than the maximum interval.
            remembersSincePrune = 0;
            Instant horizon = now.minus(maxInterval);
            lastDelivered.values().removeIf(t -> t.isBefore(horizon));
        }
    }

    void clear() {
        lastDelivered.clear();
    }
}
