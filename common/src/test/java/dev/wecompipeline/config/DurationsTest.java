package dev.wecompipeline.config;

import static java.time.temporal.ChronoUnit.MILLIS;
import static java.time.temporal.ChronoUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"PT30M", "pt30m", "1800", "30m", "1800s", "0h30m", "1800000ms", " 30m "})
    void thirty_minutes_can_be_written_in_every_accepted_form(String text) {
        assertEquals(Optional.of(Duration.ofMinutes(30)), Durations.parse(text, SECONDS));
    }

    @Test
    void a_bare_number_is_read_in_the_settings_own_unit() {
        assertEquals(Optional.of(Duration.ofMillis(500)), Durations.parse("500", MILLIS));
        assertEquals(Optional.of(Duration.ofSeconds(500)), Durations.parse("500", SECONDS));
    }

    @Test
    void units_combine_and_days_are_24_hours() {
        assertEquals(Optional.of(Duration.ofMinutes(90)), Durations.parse("1h30m", SECONDS));
        assertEquals(Optional.of(Duration.ofDays(7)), Durations.parse("7d", SECONDS));
        assertEquals(Optional.of(Duration.ofDays(7)), Durations.parse("P7D", SECONDS));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"", "abc", "-5", "5 minutes", "PT-5S", "1.5s", "m30", "99999999999999999999"})
    void anything_else_is_rejected_rather_than_guessed(String text) {
        assertEquals(Optional.empty(), Durations.parse(text, SECONDS));
    }

    @Test
    void format_gives_short_readable_forms() {
        assertEquals("0s", Durations.format(Duration.ZERO));
        assertEquals("500ms", Durations.format(Duration.ofMillis(500)));
        assertEquals("3s", Durations.format(Duration.ofSeconds(3)));
        assertEquals("1h30m", Durations.format(Duration.ofMinutes(90)));
        assertEquals("7d", Durations.format(Duration.ofDays(7)));
    }
}
