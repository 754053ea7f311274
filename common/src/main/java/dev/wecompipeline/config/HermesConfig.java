package dev.wecompipeline.config;

import static java.time.temporal.ChronoUnit.MILLIS;

import dev.wecompipeline.config.ConfigException.Problem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How the {@code hermes} agent reaches Hermes' API server ({@code API_SERVER_ENABLED=true} in
 * Hermes). {@link #toString()} and {@link #describe()} mask the API key.
 *
 * <p>YAML keys live under {@value #YAML_SECTION}. The run's time limit is the worker's
 * {@code AGENT_TIMEOUT}; there is no second one here.
 *
 * @param baseUrl      server root, e.g. {@code http://127.0.0.1:8642} (a trailing {@code /v1} is accepted)
 * @param apiKey       Hermes' {@code API_SERVER_KEY}, sent as {@code Authorization: Bearer ...}; it
 *                     gives terminal-level power over the Hermes host (secret). {@code null} for a
 *                     server without a key, which then refuses the session header
 * @param pollInterval how often a run's status is asked for while it runs
 */
public record HermesConfig(String baseUrl, String apiKey, Duration pollInterval) {

    /** The section's key inside {@value WorkerConfig#YAML_SECTION}. */
    public static final String SECTION_YAML = "hermes";
    public static final String YAML_SECTION = WorkerConfig.YAML_SECTION + "." + SECTION_YAML;

    /** Faster polling only loads the server. */
    public static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(10);
    private static final String S = YAML_SECTION;

    /** Where Hermes' API server binds by default. */
    public static final Setting<String> BASE_URL = Setting.text("HERMES_BASE_URL", S, "base_url", "http://127.0.0.1:8642")
            .validatedBy(Validators.httpUrl("http://127.0.0.1:8642"))
            .doc("Hermes' API server (with or without `/v1`); in Docker, the Hermes host as the container sees it");
    public static final Setting<String> API_KEY = Setting.secret("HERMES_API_KEY", S, "api_key")
            .doc("Hermes' `API_SERVER_KEY`, sent as `Authorization: Bearer`; never given to the `command` agent. "
                    + "Needed for the session header");
    /** A status read is cheap; a second is well below the minutes a Hermes task takes. */
    public static final Setting<Duration> POLL_INTERVAL = Setting.duration("HERMES_POLL_INTERVAL", S, "poll_interval",
                    Duration.ofSeconds(1), MILLIS)
            .validatedBy(Validators.present())
            .doc("how often a run's status is read (at least 10 ms). The run's limit is `AGENT_TIMEOUT`");

    /** Every setting of this section, in the README's order. */
    public static final List<Setting<?>> SETTINGS = List.of(BASE_URL, API_KEY, POLL_INTERVAL);

    public HermesConfig {
        if (baseUrl != null) {
            // Paths are appended as "/v1/...": a trailing slash would double it.
            baseUrl = baseUrl.strip().replaceAll("/+$", "");
        }
        List<Problem> out = new ArrayList<>();
        BASE_URL.check(out, baseUrl);
        POLL_INTERVAL.check(out, pollInterval);
        if (pollInterval != null && pollInterval.compareTo(MIN_POLL_INTERVAL) < 0) {
            out.add(new Problem(POLL_INTERVAL.yamlKey(), "must be at least " + Durations.format(MIN_POLL_INTERVAL)
                    + ", got " + Durations.format(pollInterval)));
        }
        if (!out.isEmpty()) {
            throw new ConfigException(out);
        }
    }

    /** The record of {@code v}'s values. */
    public static HermesConfig from(SettingValues v) {
        return new HermesConfig(v.get(BASE_URL), v.get(API_KEY), v.get(POLL_INTERVAL));
    }

    /** The defaults: Hermes on this host, no key, polling every second. */
    public static HermesConfig defaults() {
        return from(SettingValues.DEFAULTS);
    }

    /** This configuration talking to {@code url}, e.g. a test stand-in. */
    public HermesConfig withBaseUrl(String url) {
        return new HermesConfig(url, apiKey, pollInterval);
    }

    /** This configuration with API key {@code key}. */
    public HermesConfig withApiKey(String key) {
        return new HermesConfig(baseUrl, key, pollInterval);
    }

    /** This configuration polling every {@code interval}. */
    public HermesConfig withPollInterval(Duration interval) {
        return new HermesConfig(baseUrl, apiKey, interval);
    }

    /** Whether requests carry an {@code Authorization} header. */
    public boolean hasApiKey() {
        return apiKey != null && !apiKey.isBlank();
    }

    /** One line for the startup log, the API key masked. */
    public String describe() {
        return "hermes: " + baseUrl + ", api key " + API_KEY.show(apiKey) + ", poll every "
                + Durations.format(pollInterval);
    }

    @Override
    public String toString() {
        return "HermesConfig[baseUrl=" + baseUrl + ", apiKey=" + API_KEY.show(apiKey) + ", pollInterval="
                + pollInterval + "]";
    }
}
