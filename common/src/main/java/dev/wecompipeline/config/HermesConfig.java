package dev.wecompipeline.config;

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

    public static final String BASE_URL_ENV = "HERMES_BASE_URL";
    public static final String BASE_URL_YAML = "base_url";
    /** Where Hermes' API server binds by default. */
    public static final String DEFAULT_BASE_URL = "http://127.0.0.1:8642";

    public static final String API_KEY_ENV = "HERMES_API_KEY";
    public static final String API_KEY_YAML = "api_key";
    public static final String DEFAULT_API_KEY = null;

    public static final String POLL_INTERVAL_ENV = "HERMES_POLL_INTERVAL";
    public static final String POLL_INTERVAL_YAML = "poll_interval";
    /** A status read is cheap; a second is well below the minutes a Hermes task takes. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    /** Faster polling only loads the server. */
    public static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(10);

    public HermesConfig {
        if (baseUrl != null) {
            // Paths are appended as "/v1/...": a trailing slash would double it.
            baseUrl = baseUrl.strip().replaceAll("/+$", "");
        }
        List<Problem> out = new ArrayList<>();
        if (Checks.notBlank(out, key(BASE_URL_YAML), baseUrl) && !Checks.isHttpUrl(baseUrl)) {
            out.add(new Problem(key(BASE_URL_YAML), "must be an http(s) URL like " + DEFAULT_BASE_URL + ", got '"
                    + baseUrl + "'"));
        }
        if (Checks.present(out, key(POLL_INTERVAL_YAML), pollInterval) && pollInterval.compareTo(MIN_POLL_INTERVAL) < 0) {
            out.add(new Problem(key(POLL_INTERVAL_YAML), "must be at least " + Durations.format(MIN_POLL_INTERVAL)
                    + ", got " + Durations.format(pollInterval)));
        }
        if (!out.isEmpty()) {
            throw new ConfigException(out);
        }
    }

    /** The defaults: Hermes on this host, no key, polling every second. */
    public static HermesConfig defaults() {
        return new HermesConfig(DEFAULT_BASE_URL, DEFAULT_API_KEY, DEFAULT_POLL_INTERVAL);
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
        return "hermes: " + baseUrl + ", api key " + Secrets.mask(apiKey) + ", poll every "
                + Durations.format(pollInterval);
    }

    @Override
    public String toString() {
        return "HermesConfig[baseUrl=" + baseUrl + ", apiKey=" + Secrets.mask(apiKey) + ", pollInterval="
                + pollInterval + "]";
    }

    private static String key(String yamlKey) {
        return YAML_SECTION + "." + yamlKey;
    }
}
