package dev.wecompipeline.config;

import dev.wecompipeline.config.ConfigException.Problem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How the {@code openai} agent reaches an OpenAI-compatible chat completions endpoint (OpenAI,
 * vLLM, Ollama, llama.cpp, ...). {@link #toString()} and {@link #describe()} mask the API key.
 *
 * <p>YAML keys live under {@value #YAML_SECTION}. Every setting has a default except the base
 * URL: it is needed only when {@code AGENT=openai}, which the agent factory checks.
 *
 * @param baseUrl      server root, with or without a trailing {@code /v1}, e.g. {@code https://api.openai.com}
 *                     or {@code http://localhost:11434/v1}; {@code null} when not configured
 * @param model        the {@code model} of every request
 * @param apiKey       sent as {@code Authorization: Bearer ...}; {@code null} for servers without auth (secret)
 * @param systemPrompt first message of every conversation; {@code null} or blank sends none
 * @param temperature  sampling temperature, 0 to 2
 * @param maxTokens    most tokens of one answer
 * @param timeout      one request taking longer fails (and the user gets the apology)
 */
public record OpenAiConfig(String baseUrl, String model, String apiKey, String systemPrompt, double temperature,
                           int maxTokens, Duration timeout) {

    /** The section's key inside {@value WorkerConfig#YAML_SECTION}. */
    public static final String SECTION_YAML = "openai";
    public static final String YAML_SECTION = WorkerConfig.YAML_SECTION + "." + SECTION_YAML;

    public static final String BASE_URL_ENV = "OPENAI_BASE_URL";
    public static final String BASE_URL_YAML = "base_url";
    public static final String DEFAULT_BASE_URL = null;

    public static final String MODEL_ENV = "OPENAI_MODEL";
    public static final String MODEL_YAML = "model";
    public static final String DEFAULT_MODEL = "gpt-4o-mini";

    public static final String API_KEY_ENV = "OPENAI_API_KEY";
    public static final String API_KEY_YAML = "api_key";
    /** Local servers (Ollama, vLLM, llama.cpp) usually need none. */
    public static final String DEFAULT_API_KEY = null;

    public static final String SYSTEM_PROMPT_ENV = "OPENAI_SYSTEM_PROMPT";
    public static final String SYSTEM_PROMPT_YAML = "system_prompt";
    /** Answers end up in a chat window on a phone: short and plain beats long and formatted. */
    public static final String DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant answering in a WeCom chat. "
            + "Keep answers concise and use plain text.";

    public static final String TEMPERATURE_ENV = "OPENAI_TEMPERATURE";
    public static final String TEMPERATURE_YAML = "temperature";
    public static final double DEFAULT_TEMPERATURE = 0.7;
    /** OpenAI's accepted range; other servers accept at least this. */
    public static final double MAX_TEMPERATURE = 2.0;

    public static final String MAX_TOKENS_ENV = "OPENAI_MAX_TOKENS";
    public static final String MAX_TOKENS_YAML = "max_tokens";
    public static final int DEFAULT_MAX_TOKENS = 1024;

    public static final String TIMEOUT_ENV = "OPENAI_TIMEOUT";
    public static final String TIMEOUT_YAML = "timeout";
    /** Long enough for a slow local model, well below the worker's {@code AGENT_TIMEOUT}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    public OpenAiConfig {
        if (baseUrl != null) {
            // Paths are appended as "/v1/...": a trailing slash would double it.
            baseUrl = baseUrl.strip().replaceAll("/+$", "");
        }
        List<Problem> out = new ArrayList<>();
        if (baseUrl != null && !Checks.isHttpUrl(baseUrl)) {
            out.add(new Problem(key(BASE_URL_YAML),
                    "must be an http(s) URL like https://api.openai.com or http://localhost:11434/v1, got '"
                            + baseUrl + "'"));
        }
        Checks.notBlank(out, key(MODEL_YAML), model);
        // Written as "not (in range)" so that NaN is refused too.
        if (!(temperature >= 0 && temperature <= MAX_TEMPERATURE)) {
            out.add(new Problem(key(TEMPERATURE_YAML), "must be between 0 and " + MAX_TEMPERATURE + ", got " + temperature));
        }
        Checks.atLeast(out, key(MAX_TOKENS_YAML), maxTokens, 1);
        Checks.positive(out, key(TIMEOUT_YAML), timeout);
        if (!out.isEmpty()) {
            throw new ConfigException(out);
        }
    }

    /** The defaults of operator-interface.md: everything but the base URL. */
    public static OpenAiConfig defaults() {
        return new OpenAiConfig(DEFAULT_BASE_URL, DEFAULT_MODEL, DEFAULT_API_KEY, DEFAULT_SYSTEM_PROMPT,
                DEFAULT_TEMPERATURE, DEFAULT_MAX_TOKENS, DEFAULT_TIMEOUT);
    }

    /** This configuration talking to {@code url}, e.g. a test stand-in. */
    public OpenAiConfig withBaseUrl(String url) {
        return new OpenAiConfig(url, model, apiKey, systemPrompt, temperature, maxTokens, timeout);
    }

    /** Whether requests carry an {@code Authorization} header. */
    public boolean hasApiKey() {
        return apiKey != null && !apiKey.isBlank();
    }

    /** One line for the startup log, the API key masked. */
    public String describe() {
        return "openai: " + (baseUrl == null ? "(no base url)" : baseUrl) + ", model " + model
                + ", api key " + Secrets.mask(apiKey) + ", temperature " + temperature + ", max tokens " + maxTokens
                + ", timeout " + Durations.format(timeout);
    }

    @Override
    public String toString() {
        return "OpenAiConfig[baseUrl=" + baseUrl + ", model=" + model + ", apiKey=" + Secrets.mask(apiKey)
                + ", systemPrompt=" + systemPrompt + ", temperature=" + temperature + ", maxTokens=" + maxTokens
                + ", timeout=" + timeout + "]";
    }

    private static String key(String yamlKey) {
        return YAML_SECTION + "." + yamlKey;
    }
}
