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
 */
public record ReplyConfig(int port, String wecomApiBase, int perUserPerMinute, int perUserPerHour, Format format,
                          int maxChunkBytes, Duration duplicateCheckInterval) {

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

    public static final String DUPLICATE_CHECK_INTERVAL_ENV = "REPLY_DUPLICATE_CHECK_INTERVAL_SECONDS";
    public static final String DUPLICATE_CHECK_INTERVAL_YAML = "duplicate_check_interval_seconds";
    /** WeCom's default for {@code duplicate_check_interval}. */
    public static final Duration DEFAULT_DUPLICATE_CHECK_INTERVAL = Duration.ofSeconds(1800);
    /** WeCom rejects {@code duplicate_check_interval} above 4 hours. */
    public static final Duration MAX_DUPLICATE_CHECK_INTERVAL = Duration.ofHours(4);

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
        Checks.range(out, key(MAX_CHUNK_BYTES_YAML), maxChunkBytes, 1, MAX_CHUNK_BYTES_LIMIT);
        Checks.notNegative(out, key(DUPLICATE_CHECK_INTERVAL_YAML), duplicateCheckInterval);
        if (duplicateCheckInterval != null && duplicateCheckInterval.compareTo(MAX_DUPLICATE_CHECK_INTERVAL) > 0) {
            out.add(new Problem(key(DUPLICATE_CHECK_INTERVAL_YAML), "must be at most "
                    + Durations.format(MAX_DUPLICATE_CHECK_INTERVAL) + " (WeCom's limit), got "
                    + Durations.format(duplicateCheckInterval)));
        }
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
                + ", chunks of " + maxChunkBytes + " B, duplicate check " + Durations.format(duplicateCheckInterval);
    }

    private static String key(String yamlKey) {
        return YAML_SECTION + "." + yamlKey;
    }
}
