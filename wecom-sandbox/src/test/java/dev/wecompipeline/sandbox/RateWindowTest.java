package dev.wecompipeline.sandbox;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class RateWindowTest {

    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void the_window_slides_rather_than_resetting_on_the_minute() {
        RateWindow window = new RateWindow(2, Duration.ofSeconds(60), 100, Duration.ofHours(1));
        assertTrue(window.tryAcquire("k", T0.plusSeconds(50)));
        assertTrue(window.tryAcquire("k", T0.plusSeconds(59)));
        // A calendar-minute bucket would allow this one at 0:01:00; WeCom's "30 a minute" must hold in any 60 s.
        assertFalse(window.tryAcquire("k", T0.plusSeconds(60)));
        assertTrue(window.tryAcquire("k", T0.plusSeconds(110)));
        assertTrue(window.tryAcquire("other", T0.plusSeconds(60)), "keys are independent");
    }

    @Test
    void a_dropped_message_does_not_count() {
        RateWindow window = new RateWindow(1, Duration.ofSeconds(10), 100, Duration.ofHours(1));
        assertTrue(window.tryAcquire("k", T0));
        assertFalse(window.tryAcquire("k", T0.plusSeconds(5)));
        assertTrue(window.tryAcquire("k", T0.plusSeconds(10)));
    }
}
