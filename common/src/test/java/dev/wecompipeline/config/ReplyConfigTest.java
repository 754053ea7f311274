package dev.wecompipeline.config;

import static dev.wecompipeline.config.Fixtures.singleAppEnv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The reply-service settings added for delivery: read from the environment, defaulted, validated. */
class ReplyConfigTest {

    @Test
    void reply_delivery_settings_come_from_their_variables() {
        Map<String, String> env = new HashMap<>(singleAppEnv());
        env.putAll(Map.of("REPLY_GROUP_ID", "replies-eu", "REPLY_CONCURRENCY", "8", "REPLY_MAX_ATTEMPTS", "4",
                "REPLY_MAX_RETRY_DURATION", "90", "REPLY_RETRY_INITIAL_BACKOFF", "250", "REPLY_RETRY_MAX_BACKOFF", "10s",
                "REPLY_FREQ_LIMIT_BACKOFF", "1s", "REPLY_APP_SENDS_PER_SECOND", "20", "REPLY_MINUTE_WINDOW", "2s",
                "REPLY_HOUR_WINDOW", "1m"));
        env.put("REPLY_TOKEN_REFRESH_MARGIN", "60");
        env.put("REPLY_REQUEST_TIMEOUT", "3s");

        ReplyConfig reply = ConfigLoader.load(env, Optional.empty()).reply();

        assertEquals(new ReplyConfig(ReplyConfig.PORT.defaultValue(), ReplyConfig.WECOM_API_BASE.defaultValue(), 30, 1000,
                ReplyConfig.Format.TEXT, 2048, Duration.ofSeconds(1800), "replies-eu", 8, 4, Duration.ofSeconds(90),
                Duration.ofMillis(250), Duration.ofSeconds(10), Duration.ofSeconds(1), 20, Duration.ofSeconds(2),
                Duration.ofMinutes(1), Duration.ofSeconds(60), Duration.ofSeconds(3),
                ReplyConfig.SESSION_TIMEOUT.defaultValue()), reply);
    }

    @Test
    void settings_not_given_take_their_declared_defaults() {
        ReplyConfig old = ReplyConfig.from(SettingValues.DEFAULTS.with(ReplyConfig.PORT, 8647));

        assertEquals(ReplyConfig.defaults(), old);
        assertEquals("wecom-reply-service", old.groupId());
        assertEquals(Duration.ofSeconds(60), old.freqLimitBackoff());
        assertEquals(0, old.appSendsPerSecond());
    }

    @Test
    void a_max_backoff_below_the_initial_one_is_refused_naming_both() {
        Map<String, String> env = new HashMap<>(singleAppEnv());
        env.put("REPLY_RETRY_INITIAL_BACKOFF", "5000");
        env.put("REPLY_RETRY_MAX_BACKOFF", "1");

        List<String> problems = assertThrows(ConfigException.class, () -> ConfigLoader.load(env, Optional.empty())).problems();

        assertEquals(List.of("REPLY_RETRY_MAX_BACKOFF: must be at least reply.retry_initial_backoff (5s), got 1s"), problems);
    }

    @Test
    void chunks_smaller_than_one_code_point_are_refused() {
        Map<String, String> env = new HashMap<>(singleAppEnv());
        env.put("REPLY_MAX_CHUNK_BYTES", "3");

        List<String> problems = assertThrows(ConfigException.class, () -> ConfigLoader.load(env, Optional.empty())).problems();

        assertEquals(List.of("REPLY_MAX_CHUNK_BYTES: must be between 4 and 2048, got 3"), problems);
    }
}
