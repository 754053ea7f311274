package dev.wecompipeline.sandbox;

import java.time.Duration;
import java.util.Objects;

/**
 * The knobs of a {@link WeComApiSandbox}, immutable and validated on construction. The defaults
 * are WeCom's own figures, so a sandbox built with {@link #defaults()} enforces the limits the
 * production API does; tests shorten the windows rather than sleeping through them.
 *
 * <pre>{@code
 * SandboxConfig config = SandboxConfig.builder()
 *         .port(0)                                 // any free port
 *         .perUserPerMinute(3)                     // hit the limit with a handful of sends
 *         .minuteWindow(Duration.ofSeconds(10))
 *         .build();
 * }</pre>
 *
 * @param host                     interface to bind; loopback by default so nothing outside can reach it
 * @param port                     port to bind; 0 picks a free one (see {@link WeComApiSandbox#port()})
 * @param tokenTtl                 lifetime of an {@code access_token}, answered as {@code expires_in}
 * @param perUserPerMinute         messages one app may deliver to one member within {@code minuteWindow}
 * @param minuteWindow             length of the short rate window (WeCom: one minute)
 * @param perUserPerHour           messages one app may deliver to one member within {@code hourWindow}
 * @param hourWindow               length of the long rate window (WeCom: one hour)
 * @param maxContentBytes          UTF-8 bytes of text/markdown content kept; WeCom cuts off the rest
 * @param duplicateCheckInterval   window of {@code enable_duplicate_check} when the request names none
 * @param maxDuplicateCheckInterval longest window a request may ask for; longer ones are capped
 * @param errmsgHints              append WeCom's {@code , hint: [..], from ip: ..} suffix to error messages
 * @param maxRecords               calls and deliveries kept for queries; older ones are evicted (counts are not)
 * @param randomSeed               seed of the random source behind fractional faults, for repeatable runs
 */
public record SandboxConfig(
        String host,
        int port,
        Duration tokenTtl,
        int perUserPerMinute,
        Duration minuteWindow,
        int perUserPerHour,
        Duration hourWindow,
        int maxContentBytes,
        Duration duplicateCheckInterval,
        Duration maxDuplicateCheckInterval,
        boolean errmsgHints,
        int maxRecords,
        long randomSeed) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 0;
    /** WeCom's {@code expires_in}. */
    public static final Duration DEFAULT_TOKEN_TTL = Duration.ofSeconds(7200);
    /** WeCom: at most 30 messages a minute per app and member. */
    public static final int DEFAULT_PER_USER_PER_MINUTE = 30;
    public static final Duration DEFAULT_MINUTE_WINDOW = Duration.ofMinutes(1);
    /** WeCom: at most 1000 messages an hour per app and member. */
    public static final int DEFAULT_PER_USER_PER_HOUR = 1000;
    public static final Duration DEFAULT_HOUR_WINDOW = Duration.ofHours(1);
    /** WeCom keeps 2048 bytes of text or markdown content (about 680 Chinese characters). */
    public static final int DEFAULT_MAX_CONTENT_BYTES = 2048;
    /** WeCom's default {@code duplicate_check_interval}. */
    public static final Duration DEFAULT_DUPLICATE_CHECK_INTERVAL = Duration.ofSeconds(1800);
    /** WeCom's maximum {@code duplicate_check_interval}: four hours. */
    public static final Duration DEFAULT_MAX_DUPLICATE_CHECK_INTERVAL = Duration.ofHours(4);
    public static final boolean DEFAULT_ERRMSG_HINTS = true;
    /** Enough for a long benchmark without unbounded memory. */
    public static final int DEFAULT_MAX_RECORDS = 200_000;
    public static final long DEFAULT_RANDOM_SEED = 20240101L;

    public SandboxConfig {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        requirePositive(tokenTtl, "tokenTtl");
        requirePositive(minuteWindow, "minuteWindow");
        requirePositive(hourWindow, "hourWindow");
        requirePositive(duplicateCheckInterval, "duplicateCheckInterval");
        requirePositive(maxDuplicateCheckInterval, "maxDuplicateCheckInterval");
        if (perUserPerMinute < 1) {
            throw new IllegalArgumentException("perUserPerMinute must be >= 1, was " + perUserPerMinute);
        }
        if (perUserPerHour < 1) {
            throw new IllegalArgumentException("perUserPerHour must be >= 1, was " + perUserPerHour);
        }
        // 4 bytes is the longest UTF-8 code point: below that nothing non-ASCII could ever be kept.
        if (maxContentBytes < 4) {
            throw new IllegalArgumentException("maxContentBytes must be >= 4, was " + maxContentBytes);
        }
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords must be >= 1, was " + maxRecords);
        }
        if (duplicateCheckInterval.compareTo(maxDuplicateCheckInterval) > 0) {
            throw new IllegalArgumentException("duplicateCheckInterval (" + duplicateCheckInterval
                    + ") must not exceed maxDuplicateCheckInterval (" + maxDuplicateCheckInterval + ")");
        }
    }

    /** WeCom's figures, loopback, a free port. */
    public static SandboxConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration, to change a knob or two. */
    public Builder toBuilder() {
        return new Builder().host(host).port(port).tokenTtl(tokenTtl)
                .perUserPerMinute(perUserPerMinute).minuteWindow(minuteWindow)
                .perUserPerHour(perUserPerHour).hourWindow(hourWindow)
                .maxContentBytes(maxContentBytes)
                .duplicateCheckInterval(duplicateCheckInterval).maxDuplicateCheckInterval(maxDuplicateCheckInterval)
                .errmsgHints(errmsgHints).maxRecords(maxRecords).randomSeed(randomSeed);
    }

    private static void requirePositive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    /** Fills in the {@code DEFAULT_*} values; {@link #build()} validates. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private Duration tokenTtl = DEFAULT_TOKEN_TTL;
        private int perUserPerMinute = DEFAULT_PER_USER_PER_MINUTE;
        private Duration minuteWindow = DEFAULT_MINUTE_WINDOW;
        private int perUserPerHour = DEFAULT_PER_USER_PER_HOUR;
        private Duration hourWindow = DEFAULT_HOUR_WINDOW;
        private int maxContentBytes = DEFAULT_MAX_CONTENT_BYTES;
        private Duration duplicateCheckInterval = DEFAULT_DUPLICATE_CHECK_INTERVAL;
        private Duration maxDuplicateCheckInterval = DEFAULT_MAX_DUPLICATE_CHECK_INTERVAL;
        private boolean errmsgHints = DEFAULT_ERRMSG_HINTS;
        private int maxRecords = DEFAULT_MAX_RECORDS;
        private long randomSeed = DEFAULT_RANDOM_SEED;

        private Builder() {
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder tokenTtl(Duration tokenTtl) {
            this.tokenTtl = tokenTtl;
            return this;
        }

        public Builder perUserPerMinute(int perUserPerMinute) {
            this.perUserPerMinute = perUserPerMinute;
            return this;
        }

        public Builder minuteWindow(Duration minuteWindow) {
            this.minuteWindow = minuteWindow;
            return this;
        }

        public Builder perUserPerHour(int perUserPerHour) {
            this.perUserPerHour = perUserPerHour;
            return this;
        }

        public Builder hourWindow(Duration hourWindow) {
            this.hourWindow = hourWindow;
            return this;
        }

        public Builder maxContentBytes(int maxContentBytes) {
            this.maxContentBytes = maxContentBytes;
            return this;
        }

        public Builder duplicateCheckInterval(Duration duplicateCheckInterval) {
            this.duplicateCheckInterval = duplicateCheckInterval;
            return this;
        }

        public Builder maxDuplicateCheckInterval(Duration maxDuplicateCheckInterval) {
            this.maxDuplicateCheckInterval = maxDuplicateCheckInterval;
            return this;
        }

        public Builder errmsgHints(boolean errmsgHints) {
            this.errmsgHints = errmsgHints;
            return this;
        }

        public Builder maxRecords(int maxRecords) {
            this.maxRecords = maxRecords;
            return this;
        }

        public Builder randomSeed(long randomSeed) {
            this.randomSeed = randomSeed;
            return this;
        }

        public SandboxConfig build() {
            return new SandboxConfig(host, port, tokenTtl, perUserPerMinute, minuteWindow, perUserPerHour,
                    hourWindow, maxContentBytes, duplicateCheckInterval, maxDuplicateCheckInterval, errmsgHints,
                    maxRecords, randomSeed);
        }
    }
}
