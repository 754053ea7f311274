package dev.wecompipeline.config;

import dev.wecompipeline.config.ConfigException.Problem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How reply-service delivers answers through WeCom's {@code message/send}: where the API is,
 * how fast each user may be messaged, and how long answers are cut.
 *
 * <p>YAML keys live under {@value #YAML_SECTION}.
 *
 * @param port                   port of {@code /health}, {@code /ready}, {@code /metrics} when run alone; 0 picks a free port
 * @param wecomApiBase           base URL of {@code /cgi-bin/gettoken} and {@code /cgi-bin/message/send}, no trailing slash
 * @param perUserPerMinute       messages to one user per minute
 * @param perUserPerHour         messages to one user per hour
 * @param format                 message type used for answers
 * @param maxChunkBytes          longer answers are split into several messages of at most this many UTF-8 bytes
 * @param duplicateCheckInterval WeCom drops a message identical to one sent within this interval
 * @param groupId                consumer group of the reply-service processes
 * @param concurrency            WeCom API calls in flight per process (waiting replies hold no call and no thread)
 * @param maxAttempts            attempts per chunk (first try included) before it goes to the dead-letter topic
 * @param maxRetryDuration       retries of one chunk stop this long after its first failure
 * @param retryInitialBackoff    first wait before a retry; doubles per attempt, with jitter
 * @param retryMaxBackoff        longest wait between two retries
 * @param freqLimitBackoff       how long an app pauses all sends after WeCom answered 45009
 * @param appSendsPerSecond      cap on one app's sends per second, all users together; 0 turns it off
 * @param minuteWindow           length of the window {@code perUserPerMinute} counts in (shorter in tests)
 * @param hourWindow             length of the window {@code perUserPerHour} counts in (shorter in tests)
 * @param tokenRefreshMargin     an access token is renewed this long before WeCom says it expires
 * @param requestTimeout         one WeCom API call's timeout; a timed-out send is retried like an I/O error
 * @param sessionTimeout         how long the group waits for a silent instance before its partitions move to
 *                               another (a killed process sends no LeaveGroup, so this bounds the pause)
 */
public record ReplyConfig(int port, String wecomApiBase, int perUserPerMinute, int perUserPerHour, Format format,
                          int maxChunkBytes, Duration duplicateCheckInterval, String groupId, int concurrency,
                          int maxAttempts, Duration maxRetryDuration, Duration retryInitialBackoff,
                          Duration retryMaxBackoff, Duration freqLimitBackoff, int appSendsPerSecond,
                          Duration minuteWindow, Duration hourWindow, Duration tokenRefreshMargin,
                          Duration requestTimeout, Duration sessionTimeout) {

    /** The message types answers can be sent as. */
    public enum Format {
        TEXT, MARKDOWN;

        /** The value operators write and WeCom's {@code msgtype}: {@code text}, {@code markdown}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final String YAML_SECTION = "reply";

    public static final String PORT_ENV = "REPLY_PORT";
    public static final String PORT_YAML = "port";
    public static final int DEFAULT_PORT = 8647;

    public static final String WECOM_API_BASE_ENV = "WECOM_API_BASE";
    public static final String WECOM_API_BASE_YAML = "wecom_api_base";
    public static final String DEFAULT_WECOM_API_BASE = "https://qyapi.weixin.qq.com";

    public static final String PER_USER_PER_MINUTE_ENV = "REPLY_PER_USER_PER_MINUTE";
    public static final String PER_USER_PER_MINUTE_YAML = "per_user_per_minute";
    /** WeCom's own limit on messages from one app to one member is 30 per minute. */
    public static final int DEFAULT_PER_USER_PER_MINUTE = 30;

    public static final String PER_USER_PER_HOUR_ENV = "REPLY_PER_USER_PER_HOUR";
    public static final String PER_USER_PER_HOUR_YAML = "per_user_per_hour";
    /** WeCom's own limit on messages from one app to one member is 1000 per hour. */
    public static final int DEFAULT_PER_USER_PER_HOUR = 1000;

    public static final String FORMAT_ENV = "REPLY_FORMAT";
    public static final String FORMAT_YAML = "format";
    public static final Format DEFAULT_FORMAT = Format.TEXT;

    public static final String MAX_CHUNK_BYTES_ENV = "REPLY_MAX_CHUNK_BYTES";
    public static final String MAX_CHUNK_BYTES_YAML = "max_chunk_bytes";
    /** WeCom truncates text and markdown content beyond 2048 bytes. */
    public static final int DEFAULT_MAX_CHUNK_BYTES = 2048;
    public static final int MAX_CHUNK_BYTES_LIMIT = 2048;
    /** The longest UTF-8 code point: a smaller chunk could not hold every character. */
    public static final int MIN_CHUNK_BYTES = 4;

    public static final String DUPLICATE_CHECK_INTERVAL_ENV = "REPLY_DUPLICATE_CHECK_INTERVAL_SECONDS";
    public static final String DUPLICATE_CHECK_INTERVAL_YAML = "duplicate_check_interval_seconds";
    /** WeCom's default for {@code duplicate_check_interval}. */
    public static final Duration DEFAULT_DUPLICATE_CHECK_INTERVAL = Duration.ofSeconds(1800);
    /** WeCom rejects {@code duplicate_check_interval} above 4 hours. */
    public static final Duration MAX_DUPLICATE_CHECK_INTERVAL = Duration.ofHours(4);

    public static final String GROUP_ID_ENV = "REPLY_GROUP_ID";
    public static final String GROUP_ID_YAML = "group_id";
    public static final String DEFAULT_GROUP_ID = "wecom-reply-service";

    public static final String CONCURRENCY_ENV = "REPLY_CONCURRENCY";
    public static final String CONCURRENCY_YAML = "concurrency";
    /** Enough to keep a WeCom round trip of ~50 ms busy at several hundred sends a second; below 45033's limit. */
    public static final int DEFAULT_CONCURRENCY = 32;

    public static final String MAX_ATTEMPTS_ENV = "REPLY_MAX_ATTEMPTS";
    public static final String MAX_ATTEMPTS_YAML = "max_attempts";
    /** With 0.5 s doubling to 30 s, eight attempts span about a minute and a half of a WeCom hiccup. */
    public static final int DEFAULT_MAX_ATTEMPTS = 8;

    public static final String MAX_RETRY_DURATION_ENV = "REPLY_MAX_RETRY_DURATION";
    public static final String MAX_RETRY_DURATION_YAML = "max_retry_duration";
    /** Long enough for a 45009 block (60 s) and a short outage; beyond it the reply waits in the dead-letter topic. */
    public static final Duration DEFAULT_MAX_RETRY_DURATION = Duration.ofMinutes(5);

    public static final String RETRY_INITIAL_BACKOFF_ENV = "REPLY_RETRY_INITIAL_BACKOFF";
    public static final String RETRY_INITIAL_BACKOFF_YAML = "retry_initial_backoff";
    public static final Duration DEFAULT_RETRY_INITIAL_BACKOFF = Duration.ofMillis(500);

    public static final String RETRY_MAX_BACKOFF_ENV = "REPLY_RETRY_MAX_BACKOFF";
    public static final String RETRY_MAX_BACKOFF_YAML = "retry_max_backoff";
    public static final Duration DEFAULT_RETRY_MAX_BACKOFF = Duration.ofSeconds(30);

    public static final String FREQ_LIMIT_BACKOFF_ENV = "REPLY_FREQ_LIMIT_BACKOFF";
    public static final String FREQ_LIMIT_BACKOFF_YAML = "freq_limit_backoff";
    /** WeCom blocks an API for 60 s after a per-minute limit was exceeded: calling sooner only extends it. */
    public static final Duration DEFAULT_FREQ_LIMIT_BACKOFF = Duration.ofSeconds(60);

    public static final String APP_SENDS_PER_SECOND_ENV = "REPLY_APP_SENDS_PER_SECOND";
    public static final String APP_SENDS_PER_SECOND_YAML = "app_sends_per_second";
    /** Off: WeCom publishes no per-app send rate, only per member. */
    public static final int DEFAULT_APP_SENDS_PER_SECOND = 0;

    public static final String MINUTE_WINDOW_ENV = "REPLY_MINUTE_WINDOW";
    public static final String MINUTE_WINDOW_YAML = "minute_window";
    public static final Duration DEFAULT_MINUTE_WINDOW = Duration.ofMinutes(1);

    public static final String HOUR_WINDOW_ENV = "REPLY_HOUR_WINDOW";
    public static final String HOUR_WINDOW_YAML = "hour_window";
    public static final Duration DEFAULT_HOUR_WINDOW = Duration.ofHours(1);

    public static final String TOKEN_REFRESH_MARGIN_ENV = "REPLY_TOKEN_REFRESH_MARGIN";
    public static final String TOKEN_REFRESH_MARGIN_YAML = "token_refresh_margin";
    /** Renew five minutes early, so no send races a token's last second. */
    public static final Duration DEFAULT_TOKEN_REFRESH_MARGIN = Duration.ofSeconds(300);

    public static final String REQUEST_TIMEOUT_ENV = "REPLY_REQUEST_TIMEOUT";
    public static final String REQUEST_TIMEOUT_YAML = "request_timeout";
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    public static final String SESSION_TIMEOUT_ENV = "REPLY_SESSION_TIMEOUT_MS";
    public static final String SESSION_TIMEOUT_YAML = "session_timeout_ms";
    /** Kafka's own default; the broker accepts 6 s to 30 min by default. */
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(45);

    /** The settings of the first version; everything added since takes its default. */
    public ReplyConfig(int port, String wecomApiBase, int perUserPerMinute, int perUserPerHour, Format format,
                       int maxChunkBytes, Duration duplicateCheckInterval) {
        this(port, wecomApiBase, perUserPerMinute, perUserPerHour, format, maxChunkBytes, duplicateCheckInterval,
                DEFAULT_GROUP_ID, DEFAULT_CONCURRENCY, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_RETRY_DURATION,
                DEFAULT_RETRY_INITIAL_BACKOFF, DEFAULT_RETRY_MAX_BACKOFF, DEFAULT_FREQ_LIMIT_BACKOFF,
                DEFAULT_APP_SENDS_PER_SECOND, DEFAULT_MINUTE_WINDOW, DEFAULT_HOUR_WINDOW, DEFAULT_TOKEN_REFRESH_MARGIN,
                DEFAULT_REQUEST_TIMEOUT, DEFAULT_SESSION_TIMEOUT);
    }

    /** The settings from before the session timeout was configurable; it takes Kafka's default. */
    public ReplyConfig(int port, String wecomApiBase, int perUserPerMinute, int perUserPerHour, Format format,
                       int maxChunkBytes, Duration duplicateCheckInterval, String groupId, int concurrency,
                       int maxAttempts, Duration maxRetryDuration, Duration retryInitialBackoff,
                       Duration retryMaxBackoff, Duration freqLimitBackoff, int appSendsPerSecond,
                       Duration minuteWindow, Duration hourWindow, Duration tokenRefreshMargin,
                       Duration requestTimeout) {
        this(port, wecomApiBase, perUserPerMinute, perUserPerHour, format, maxChunkBytes, duplicateCheckInterval,
                groupId, concurrency, maxAttempts, maxRetryDuration, retryInitialBackoff, retryMaxBackoff,
                freqLimitBackoff, appSendsPerSecond, minuteWindow, hourWindow, tokenRefreshMargin, requestTimeout,
                DEFAULT_SESSION_TIMEOUT);
    }

    public ReplyConfig {
        if (wecomApiBase != null) {
            // Paths are appended as "/cgi-bin/...": a trailing slash would double it.
            wecomApiBase = wecomApiBase.replaceAll("/+$", "");
        }
        List<Problem> out = new ArrayList<>();
        Checks.port(out, key(PORT_YAML), port);
        if (Checks.notBlank(out, key(WECOM_API_BASE_YAML), wecomApiBase) && !Checks.isHttpUrl(wecomApiBase)) {
            out.add(new Problem(key(WECOM_API_BASE_YAML),
                    "must be an http(s) URL like " + DEFAULT_WECOM_API_BASE + ", got '" + wecomApiBase + "'"));
        }
        Checks.atLeast(out, key(PER_USER_PER_MINUTE_YAML), perUserPerMinute, 1);
        Checks.atLeast(out, key(PER_USER_PER_HOUR_YAML), perUserPerHour, 1);
        Checks.present(out, key(FORMAT_YAML), format);
        Checks.range(out, key(MAX_CHUNK_BYTES_YAML), maxChunkBytes, MIN_CHUNK_BYTES, MAX_CHUNK_BYTES_LIMIT);
        Checks.notNegative(out, key(DUPLICATE_CHECK_INTERVAL_YAML), duplicateCheckInterval);
        if (duplicateCheckInterval != null && duplicateCheckInterval.compareTo(MAX_DUPLICATE_CHECK_INTERVAL) > 0) {
            out.add(new Problem(key(DUPLICATE_CHECK_INTERVAL_YAML), "must be at most "
                    + Durations.format(MAX_DUPLICATE_CHECK_INTERVAL) + " (WeCom's limit), got "
                    + Durations.format(duplicateCheckInterval)));
        }
        Checks.notBlank(out, key(GROUP_ID_YAML), groupId);
        Checks.atLeast(out, key(CONCURRENCY_YAML), concurrency, 1);
        Checks.atLeast(out, key(MAX_ATTEMPTS_YAML), maxAttempts, 1);
        Checks.positive(out, key(MAX_RETRY_DURATION_YAML), maxRetryDuration);
        Checks.positive(out, key(RETRY_INITIAL_BACKOFF_YAML), retryInitialBackoff);
        Checks.positive(out, key(RETRY_MAX_BACKOFF_YAML), retryMaxBackoff);
        if (retryInitialBackoff != null && retryMaxBackoff != null && retryMaxBackoff.compareTo(retryInitialBackoff) < 0) {
            out.add(new Problem(key(RETRY_MAX_BACKOFF_YAML), "must be at least " + key(RETRY_INITIAL_BACKOFF_YAML)
                    + " (" + Durations.format(retryInitialBackoff) + "), got " + Durations.format(retryMaxBackoff)));
        }
        Checks.positive(out, key(FREQ_LIMIT_BACKOFF_YAML), freqLimitBackoff);
        Checks.atLeast(out, key(APP_SENDS_PER_SECOND_YAML), appSendsPerSecond, 0);
        Checks.positive(out, key(MINUTE_WINDOW_YAML), minuteWindow);
        Checks.positive(out, key(HOUR_WINDOW_YAML), hourWindow);
        Checks.notNegative(out, key(TOKEN_REFRESH_MARGIN_YAML), tokenRefreshMargin);
        Checks.positive(out, key(REQUEST_TIMEOUT_YAML), requestTimeout);
        Checks.positive(out, key(SESSION_TIMEOUT_YAML), sessionTimeout);
        if (!out.isEmpty()) {
            throw new ConfigException(out);
        }
    }

    /** The defaults of operator-interface.md. */
    public static ReplyConfig defaults() {
        return new ReplyConfig(DEFAULT_PORT, DEFAULT_WECOM_API_BASE, DEFAULT_PER_USER_PER_MINUTE,
                DEFAULT_PER_USER_PER_HOUR, DEFAULT_FORMAT, DEFAULT_MAX_CHUNK_BYTES, DEFAULT_DUPLICATE_CHECK_INTERVAL);
    }

    /** One line for the startup log. */
    public String describe() {
        return "reply: port " + port + ", api " + wecomApiBase + ", format " + format.id()
                + ", limits " + perUserPerMinute + "/min " + perUserPerHour + "/h per user"
                + (minuteWindow.equals(DEFAULT_MINUTE_WINDOW) && hourWindow.equals(DEFAULT_HOUR_WINDOW) ? ""
                        : " (windows " + Durations.format(minuteWindow) + ", " + Durations.format(hourWindow) + ")")
                + ", chunks of " + maxChunkBytes + " B, duplicate check " + Durations.format(duplicateCheckInterval)
                + ", group " + groupId + ", " + concurrency + " calls in flight"
                + ", retries " + maxAttempts + " attempts within " + Durations.format(maxRetryDuration)
                + " (backoff " + Durations.format(retryInitialBackoff) + ".." + Durations.format(retryMaxBackoff)
                + ", 45009 " + Durations.format(freqLimitBackoff) + ")"
                + (appSendsPerSecond > 0 ? ", " + appSendsPerSecond + " sends/s per app" : "")
                + (sessionTimeout.equals(DEFAULT_SESSION_TIMEOUT) ? "" : ", session timeout " + Durations.format(sessionTimeout));
    }

    private static String key(String yamlKey) {
        return YAML_SECTION + "." + yamlKey;
    }
}
