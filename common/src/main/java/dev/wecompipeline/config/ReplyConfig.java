package dev.wecompipeline.config;

import static java.time.temporal.ChronoUnit.MILLIS;
import static java.time.temporal.ChronoUnit.SECONDS;

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
    private static final String S = YAML_SECTION;

    /** WeCom truncates text and markdown content beyond 2048 bytes. */
    public static final int MAX_CHUNK_BYTES_LIMIT = 2048;
    /** The longest UTF-8 code point: a smaller chunk could not hold every character. */
    public static final int MIN_CHUNK_BYTES = 4;
    /** WeCom rejects {@code duplicate_check_interval} above 4 hours. */
    public static final Duration MAX_DUPLICATE_CHECK_INTERVAL = Duration.ofHours(4);

    public static final Setting<Integer> PORT = Setting.integer("REPLY_PORT", S, "port", 8647)
            .validatedBy(Validators.port()).doc("`/health`, `/ready`, `/metrics` of a reply-service run alone");
    public static final Setting<String> WECOM_API_BASE = Setting.text("WECOM_API_BASE", S, "wecom_api_base",
                    "https://qyapi.weixin.qq.com")
            .validatedBy(Validators.httpUrl("https://qyapi.weixin.qq.com")).doc("WeCom server API");
    /** WeCom's own limit on messages from one app to one member is 30 per minute. */
    public static final Setting<Integer> PER_USER_PER_MINUTE = Setting.integer("REPLY_PER_USER_PER_MINUTE", S,
                    "per_user_per_minute", 30)
            .validatedBy(Validators.atLeast(1)).doc("messages to one user per minute (WeCom's own limit)");
    /** WeCom's own limit on messages from one app to one member is 1000 per hour. */
    public static final Setting<Integer> PER_USER_PER_HOUR = Setting.integer("REPLY_PER_USER_PER_HOUR", S,
                    "per_user_per_hour", 1000)
            .validatedBy(Validators.atLeast(1)).doc("messages to one user per hour (WeCom's own limit)");
    public static final Setting<Format> FORMAT = Setting.choice("REPLY_FORMAT", S, "format", Format.TEXT, Format.class)
            .validatedBy(Validators.present()).doc("message type of answers whose own format is neither");
    public static final Setting<Integer> MAX_CHUNK_BYTES = Setting.integer("REPLY_MAX_CHUNK_BYTES", S,
                    "max_chunk_bytes", MAX_CHUNK_BYTES_LIMIT)
            .validatedBy(Validators.range(MIN_CHUNK_BYTES, MAX_CHUNK_BYTES_LIMIT))
            .doc("longer replies are split into messages of at most this many UTF-8 bytes (4 to 2048)");
    /** WeCom's default for {@code duplicate_check_interval}. */
    public static final Setting<Duration> DUPLICATE_CHECK_INTERVAL = Setting.duration(
                    "REPLY_DUPLICATE_CHECK_INTERVAL_SECONDS", S, "duplicate_check_interval_seconds",
                    Duration.ofSeconds(1800), SECONDS)
            .validatedBy(Validators.notNegative())
            .doc("WeCom's duplicate check: an identical message within this is not delivered again (at most 4h)");
    public static final Setting<String> GROUP_ID = Setting.text("REPLY_GROUP_ID", S, "group_id", "wecom-reply-service")
            .validatedBy(Validators.notBlank()).doc("consumer group of the reply-service processes");
    /** Enough to keep a WeCom round trip of ~50 ms busy at several hundred sends a second; below 45033's limit. */
    public static final Setting<Integer> CONCURRENCY = Setting.integer("REPLY_CONCURRENCY", S, "concurrency", 32)
            .validatedBy(Validators.atLeast(1)).doc("WeCom API calls in flight per process (waits hold none)");
    /** With 0.5 s doubling to 30 s, eight attempts span about a minute and a half of a WeCom hiccup. */
    public static final Setting<Integer> MAX_ATTEMPTS = Setting.integer("REPLY_MAX_ATTEMPTS", S, "max_attempts", 8)
            .validatedBy(Validators.atLeast(1)).doc("attempts per chunk (the first included) before its dead letter");
    /** Long enough for a 45009 block (60 s) and a short outage; beyond it the reply waits in the dead-letter topic. */
    public static final Setting<Duration> MAX_RETRY_DURATION = Setting.duration("REPLY_MAX_RETRY_DURATION", S,
                    "max_retry_duration", Duration.ofMinutes(5), SECONDS)
            .validatedBy(Validators.positive()).doc("retries of one chunk stop this long after its first failure");
    public static final Setting<Duration> RETRY_INITIAL_BACKOFF = Setting.duration("REPLY_RETRY_INITIAL_BACKOFF", S,
                    "retry_initial_backoff", Duration.ofMillis(500), MILLIS)
            .validatedBy(Validators.positive()).doc("first wait before a retry; doubles per attempt, with jitter");
    public static final Setting<Duration> RETRY_MAX_BACKOFF = Setting.duration("REPLY_RETRY_MAX_BACKOFF", S,
                    "retry_max_backoff", Duration.ofSeconds(30), SECONDS)
            .validatedBy(Validators.positive()).doc("longest wait between two retries");
    /** WeCom blocks an API for 60 s after a per-minute limit was exceeded: calling sooner only extends it. */
    public static final Setting<Duration> FREQ_LIMIT_BACKOFF = Setting.duration("REPLY_FREQ_LIMIT_BACKOFF", S,
                    "freq_limit_backoff", Duration.ofSeconds(60), SECONDS)
            .validatedBy(Validators.positive()).doc("pause of an app's sends after WeCom answered 45009");
    /** Off: WeCom publishes no per-app send rate, only per member. */
    public static final Setting<Integer> APP_SENDS_PER_SECOND = Setting.integer("REPLY_APP_SENDS_PER_SECOND", S,
                    "app_sends_per_second", 0)
            .validatedBy(Validators.atLeast(0)).doc("cap on one app's sends per second, all users together; `0`: off");
    public static final Setting<Duration> MINUTE_WINDOW = Setting.duration("REPLY_MINUTE_WINDOW", S, "minute_window",
                    Duration.ofMinutes(1), SECONDS)
            .validatedBy(Validators.positive()).doc("length of the window the per-minute limit counts in (shorter in tests)");
    public static final Setting<Duration> HOUR_WINDOW = Setting.duration("REPLY_HOUR_WINDOW", S, "hour_window",
                    Duration.ofHours(1), SECONDS)
            .validatedBy(Validators.positive()).doc("length of the window the per-hour limit counts in (shorter in tests)");
    /** Renew five minutes early, so no send races a token's last second. */
    public static final Setting<Duration> TOKEN_REFRESH_MARGIN = Setting.duration("REPLY_TOKEN_REFRESH_MARGIN", S,
                    "token_refresh_margin", Duration.ofSeconds(300), SECONDS)
            .validatedBy(Validators.notNegative()).doc("an access token is renewed this long before it expires");
    public static final Setting<Duration> REQUEST_TIMEOUT = Setting.duration("REPLY_REQUEST_TIMEOUT", S,
                    "request_timeout", Duration.ofSeconds(10), SECONDS)
            .validatedBy(Validators.positive())
            .doc("one whole WeCom call, answer body included (answers over 64 KiB are refused); a timeout is retried");
    /** Kafka's own default; the broker accepts 6 s to 30 min by default. */
    public static final Setting<Duration> SESSION_TIMEOUT = Setting.duration("REPLY_SESSION_TIMEOUT_MS", S,
                    "session_timeout_ms", Duration.ofSeconds(45), MILLIS)
            .validatedBy(Validators.positive())
            .doc("like `WORKER_SESSION_TIMEOUT_MS`, for reply-service instances");

    /** Every setting of this section, in the README's order. */
    public static final List<Setting<?>> SETTINGS = List.of(PORT, WECOM_API_BASE, PER_USER_PER_MINUTE,
            PER_USER_PER_HOUR, FORMAT, MAX_CHUNK_BYTES, DUPLICATE_CHECK_INTERVAL, GROUP_ID, CONCURRENCY, MAX_ATTEMPTS,
            MAX_RETRY_DURATION, RETRY_INITIAL_BACKOFF, RETRY_MAX_BACKOFF, FREQ_LIMIT_BACKOFF, APP_SENDS_PER_SECOND,
            MINUTE_WINDOW, HOUR_WINDOW, TOKEN_REFRESH_MARGIN, REQUEST_TIMEOUT, SESSION_TIMEOUT);

    public ReplyConfig {
        if (wecomApiBase != null) {
            // Paths are appended as "/cgi-bin/...": a trailing slash would double it.
            wecomApiBase = wecomApiBase.replaceAll("/+$", "");
        }
        List<Problem> out = new ArrayList<>();
        PORT.check(out, port);
        WECOM_API_BASE.check(out, wecomApiBase);
        PER_USER_PER_MINUTE.check(out, perUserPerMinute);
        PER_USER_PER_HOUR.check(out, perUserPerHour);
        FORMAT.check(out, format);
        MAX_CHUNK_BYTES.check(out, maxChunkBytes);
        DUPLICATE_CHECK_INTERVAL.check(out, duplicateCheckInterval);
        if (duplicateCheckInterval != null && duplicateCheckInterval.compareTo(MAX_DUPLICATE_CHECK_INTERVAL) > 0) {
            out.add(new Problem(DUPLICATE_CHECK_INTERVAL.yamlKey(), "must be at most "
                    + Durations.format(MAX_DUPLICATE_CHECK_INTERVAL) + " (WeCom's limit), got "
                    + Durations.format(duplicateCheckInterval)));
        }
        GROUP_ID.check(out, groupId);
        CONCURRENCY.check(out, concurrency);
        MAX_ATTEMPTS.check(out, maxAttempts);
        MAX_RETRY_DURATION.check(out, maxRetryDuration);
        RETRY_INITIAL_BACKOFF.check(out, retryInitialBackoff);
        RETRY_MAX_BACKOFF.check(out, retryMaxBackoff);
        if (retryInitialBackoff != null && retryMaxBackoff != null && retryMaxBackoff.compareTo(retryInitialBackoff) < 0) {
            out.add(new Problem(RETRY_MAX_BACKOFF.yamlKey(), "must be at least " + RETRY_INITIAL_BACKOFF.yamlKey()
                    + " (" + Durations.format(retryInitialBackoff) + "), got " + Durations.format(retryMaxBackoff)));
        }
        FREQ_LIMIT_BACKOFF.check(out, freqLimitBackoff);
        APP_SENDS_PER_SECOND.check(out, appSendsPerSecond);
        MINUTE_WINDOW.check(out, minuteWindow);
        HOUR_WINDOW.check(out, hourWindow);
        TOKEN_REFRESH_MARGIN.check(out, tokenRefreshMargin);
        REQUEST_TIMEOUT.check(out, requestTimeout);
        SESSION_TIMEOUT.check(out, sessionTimeout);
        if (!out.isEmpty()) {
            throw new ConfigException(out);
        }
    }

    /** The record of {@code v}'s values. */
    public static ReplyConfig from(SettingValues v) {
        return new ReplyConfig(v.get(PORT), v.get(WECOM_API_BASE), v.get(PER_USER_PER_MINUTE), v.get(PER_USER_PER_HOUR),
                v.get(FORMAT), v.get(MAX_CHUNK_BYTES), v.get(DUPLICATE_CHECK_INTERVAL), v.get(GROUP_ID),
                v.get(CONCURRENCY), v.get(MAX_ATTEMPTS), v.get(MAX_RETRY_DURATION), v.get(RETRY_INITIAL_BACKOFF),
                v.get(RETRY_MAX_BACKOFF), v.get(FREQ_LIMIT_BACKOFF), v.get(APP_SENDS_PER_SECOND), v.get(MINUTE_WINDOW),
                v.get(HOUR_WINDOW), v.get(TOKEN_REFRESH_MARGIN), v.get(REQUEST_TIMEOUT), v.get(SESSION_TIMEOUT));
    }

    /** The defaults of operator-interface.md. */
    public static ReplyConfig defaults() {
        return from(SettingValues.DEFAULTS);
    }

    /** One line for the startup log. */
    public String describe() {
        return "reply: port " + port + ", api " + wecomApiBase + ", format " + format.id()
                + ", limits " + perUserPerMinute + "/min " + perUserPerHour + "/h per user"
                + (minuteWindow.equals(MINUTE_WINDOW.defaultValue()) && hourWindow.equals(HOUR_WINDOW.defaultValue()) ? ""
                        : " (windows " + Durations.format(minuteWindow) + ", " + Durations.format(hourWindow) + ")")
                + ", chunks of " + maxChunkBytes + " B, duplicate check " + Durations.format(duplicateCheckInterval)
                + ", group " + groupId + ", " + concurrency + " calls in flight"
                + ", retries " + maxAttempts + " attempts within " + Durations.format(maxRetryDuration)
                + " (backoff " + Durations.format(retryInitialBackoff) + ".." + Durations.format(retryMaxBackoff)
                + ", 45009 " + Durations.format(freqLimitBackoff) + ")"
                + (appSendsPerSecond > 0 ? ", " + appSendsPerSecond + " sends/s per app" : "")
                + (sessionTimeout.equals(SESSION_TIMEOUT.defaultValue()) ? "" : ", session timeout " + Durations.format(sessionTimeout));
    }
}
