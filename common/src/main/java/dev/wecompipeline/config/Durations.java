package dev.wecompipeline.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration syntax for every setting, so {@code AGENT_TIMEOUT=30m},
 * {@code AGENT_TIMEOUT=PT30M} and {@code AGENT_TIMEOUT=1800} all mean the same.
 *
 * <p>Accepted forms:
 * <ul>
 *   <li>ISO-8601: {@code PT30M}, {@code PT0.5S}, {@code P7D}</li>
 *   <li>a whole number, read in the setting's own unit (seconds for {@code AGENT_TIMEOUT},
 *       milliseconds for {@code *_MS}, hours for {@code *_HOURS})</li>
 *   <li>numbers with units, optionally combined: {@code 500ms}, {@code 3s}, {@code 30m},
 *       {@code 2h}, {@code 7d}, {@code 1h30m}</li>
 * </ul>
 * Negative durations are rejected.
 */
public final class Durations {

    private static final Pattern PLAIN = Pattern.compile("\\d+");
    private static final Pattern WITH_UNITS = Pattern.compile("(?:\\d+(?:ms|s|m|h|d))+");
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {
    }

    /**
     * Parses {@code text}.
     *
     * @param text      the value as written by the operator
     * @param plainUnit the unit of a bare number
     * @return the duration, or empty if {@code text} is in none of the accepted forms
     */
    public static Optional<Duration> parse(String text, ChronoUnit plainUnit) {
        String value = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (PLAIN.matcher(value).matches()) {
                return Optional.of(Duration.of(Long.parseLong(value), plainUnit));
            }
            if (WITH_UNITS.matcher(value).matches()) {
                Duration total = Duration.ZERO;
                Matcher part = PART.matcher(value);
                while (part.find()) {
                    total = total.plus(Duration.of(Long.parseLong(part.group(1)), unit(part.group(2))));
                }
                return Optional.of(total);
            }
            if (value.startsWith("p")) {
                Duration parsed = Duration.parse(value.toUpperCase(Locale.ROOT));
                return parsed.isNegative() ? Optional.empty() : Optional.of(parsed);
            }
        } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
            // Too large or malformed: reported by the caller as "not a duration".
        }
        return Optional.empty();
    }

    /** A short human form for logs: {@code 0s}, {@code 500ms}, {@code 3s}, {@code 30m}, {@code 7d}, {@code 1h30m}. */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        if (duration.toMillisPart() != 0 || duration.toNanosPart() % 1_000_000 != 0) {
            return duration.toMillis() + "ms";
        }
        StringBuilder out = new StringBuilder();
        append(out, duration.toDaysPart(), "d");
        append(out, duration.toHoursPart(), "h");
        append(out, duration.toMinutesPart(), "m");
        append(out, duration.toSecondsPart(), "s");
        return out.toString();
    }

    private static void append(StringBuilder out, long amount, String unit) {
        if (amount != 0) {
            out.append(amount).append(unit);
        }
    }

    private static ChronoUnit unit(String suffix) {
        return switch (suffix) {
            case "ms" -> ChronoUnit.MILLIS;
            case "s" -> ChronoUnit.SECONDS;
            case "m" -> ChronoUnit.MINUTES;
            case "h" -> ChronoUnit.HOURS;
            case "d" -> ChronoUnit.DAYS;
            default -> throw new IllegalArgumentException(suffix);
        };
    }
}
