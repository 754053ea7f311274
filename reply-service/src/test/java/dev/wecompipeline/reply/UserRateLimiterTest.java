package dev.wecompipeline.reply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class UserRateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final UserRateLimiter limiter = new UserRateLimiter(3, Duration.ofSeconds(60), 5, Duration.ofHours(1), now::get);

    @Test
    void a_user_under_the_limit_may_send_at_once() {
        send("u", 2);
        assertEquals(0, limiter.waitMillis("u"));
    }

    @Test
    void the_fourth_send_in_a_minute_waits_until_the_first_leaves_the_window() {
        send("u", 3);
        now.addAndGet(10_000);

        long wait = limiter.waitMillis("u");

        // The first send was counted at 1_000_000; it leaves the window 60 s (plus clock slack) later.
        assertEquals(60_000 + UserRateLimiter.CLOCK_SLACK_MS - 10_000 + 1, wait);
        now.addAndGet(wait);
        assertEquals(0, limiter.waitMillis("u"));
    }

    @Test
    void the_hour_limit_holds_even_when_every_minute_is_quiet() {
        for (int i = 0; i < 5; i++) {
            send("u", 1);
            now.addAndGet(61_000);
        }
        long wait = limiter.waitMillis("u");
        assertTrue(wait > 50 * 60_000L, "waits for the hour window, got " + wait);
    }

    @Test
    void a_send_in_flight_counts_and_a_refused_one_is_forgotten() {
        send("u", 2);
        limiter.started("u");
        assertTrue(limiter.waitMillis("u") > 0, "in flight counts as sent now");
        limiter.finished("u", false, now.get());
        assertEquals(0, limiter.waitMillis("u"), "WeCom refused it: it delivered nothing");
    }

    @Test
    void one_user_waiting_does_not_hold_back_another() {
        send("a", 3);
        assertTrue(limiter.waitMillis("a") > 0);
        assertEquals(0, limiter.waitMillis("b"));
    }

    @Test
    void sends_restored_from_another_owner_count_once_against_the_windows() {
        long t0 = now.get();
        limiter.restore("u", java.util.List.of(t0 - 30_000, t0 - 20_000, t0 - 10_000));
        assertTrue(limiter.waitMillis("u") > 0, "three restored sends fill the minute (3 allowed)");
        // The same markers read again at a second handover do not count twice.
        limiter.restore("u", java.util.List.of(t0 - 30_000, t0 - 20_000, t0 - 10_000));
        now.addAndGet(30_000 + UserRateLimiter.CLOCK_SLACK_MS + 1);
        assertEquals(0, limiter.waitMillis("u"), "the oldest restored send left the minute: one more fits");
        send("u", 1);
        now.addAndGet(61_000);
        assertEquals(0, limiter.waitMillis("u"), "four in the hour, five allowed");
        send("u", 1);
        now.addAndGet(61_000);
        assertTrue(limiter.waitMillis("u") > 50 * 60_000L, "three restored and two own sends fill the hour");
    }

    private void send(String key, int n) {
        for (int i = 0; i < n; i++) {
            limiter.started(key);
            limiter.finished(key, true, now.get());
        }
    }
}
