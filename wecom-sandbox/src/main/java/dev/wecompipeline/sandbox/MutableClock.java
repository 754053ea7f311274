package dev.wecompipeline.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that only moves when told to, shared by a test and the sandbox so token expiry, rate
 * windows and duplicate checks can be driven without sleeping. Thread-safe.
 *
 * <pre>{@code
 * MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
 * try (WeComApiSandbox sandbox = new WeComApiSandbox(SandboxConfig.defaults(), clock).start()) {
 *     String token = ...; // gettoken
 *     clock.advance(Duration.ofHours(2));   // the token is now expired: message/send answers 42001
 * }
 * }</pre>
 */
public final class MutableClock extends Clock {

    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    public MutableClock(Instant start) {
        this(new AtomicReference<>(start), ZoneOffset.UTC);
    }

    private MutableClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /** Moves time forward (or back, with a negative duration) and returns the new instant. */
    public Instant advance(Duration by) {
        return now.updateAndGet(t -> t.plus(by));
    }

    public void set(Instant instant) {
        now.set(instant);
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    /** A view in another zone that shares this clock's time. */
    @Override
    public Clock withZone(ZoneId zone) {
        return new MutableClock(now, zone);
    }
}
