package dev.wecompipeline.config;

import static java.time.temporal.ChronoUnit.SECONDS;

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

    /** OpenAI's accepted range; other servers accept at least this. */
    public static final double MAX_TEMPERATURE = 2.0;
    private static final String S = YAML_SECTION;

    public static final Setting<String> BASE_URL = Setting.text("OPENAI_BASE_URL", S, "base_url", null)
            .validatedBy(Validators.httpUrlIfSet("https://api.openai.com or http://localhost:11434/v1"))
            .defaultShownAs("none (required for `openai`)")
            .doc("OpenAI-compatible server, with or without `/v1` (OpenAI, vLLM, Ollama, llama.cpp)");
    public static final Setting<String> MODEL = Setting.text("OPENAI_MODEL", S, "model", "gpt-4o-mini")
            .validatedBy(Validators.notBlank()).doc("model name");
    /** Local servers (Ollama, vLLM, llama.cpp) usually need none. */
    public static final Setting<String> API_KEY = Setting.secret("OPENAI_API_KEY", S, "api_key")
            .doc("sent as `Authorization: Bearer`; servers without auth need none");
    /** Answers end up in a chat window on a phone: short and plain beats long and formatted. */
    public static final Setting<String> SYSTEM_PROMPT = Setting.text("OPENAI_SYSTEM_PROMPT", S, "system_prompt",
                    "You are a helpful assistant answering in a WeCom chat. Keep answers concise and use plain text.")
            .defaultShownAs("a short helpful-assistant prompt")
            .doc("first message of every conversation");
    public static final Setting<Double> TEMPERATURE = Setting.decimal("OPENAI_TEMPERATURE", S, "temperature", 0.7)
            .doc("sampling temperature, `0` to `2`");
    public static final Setting<Integer> MAX_TOKENS = Setting.integer("OPENAI_MAX_TOKENS", S, "max_tokens", 1024)
            .validatedBy(Validators.atLeast(1)).doc("most tokens of one answer");
    /** Long enough for a slow local model, well below the worker's {@code AGENT_TIMEOUT}. */
    public static final Setting<Duration> TIMEOUT = Setting.duration("OPENAI_TIMEOUT", S, "timeout",
                    Duration.ofMinutes(5), SECONDS)
            .validatedBy(Validators.positive()).doc("one request taking longer fails (and the user gets the apology)");

    /** Every setting of this section, in the README's order. */
    public static final List<Setting<?>> SETTINGS = List.of(BASE_URL, MODEL, API_KEY, SYSTEM_PROMPT, TEMPERATURE,
            MAX_TOKENS, TIMEOUT);

    public OpenAiConfig {
        if (baseUrl != null) {
            // Paths are appended as "/v1/...": a trailing slash would double it.
            baseUrl = baseUrl.strip().replaceAll("/+$", "");
        }
        List<Problem> out = new ArrayList<>();
        BASE_URL.check(out, baseUrl);
        MODEL.check(out, model);
        // Written as "not (in range)" so that NaN is refused too.
        if (!(temperature >= 0 && temperature <= MAX_TEMPERATURE)) {
            out.add(new Problem(TEMPERATURE.yamlKey(), "must be between 0 and " + MAX_TEMPERATURE + ", got " + temperature));
        }
        MAX_TOKENS.check(out, maxTokens);
        TIMEOUT.check(out, timeout);
        if (!out.isEmpty()) {
            throw new ConfigException(out);
        }
    }

    /** The record of {@code v}'s values. */
    public static OpenAiConfig from(SettingValues v) {
        return new OpenAiConfig(v.get(BASE_URL), v.get(MODEL), v.get(API_KEY), v.get(SYSTEM_PROMPT), v.get(TEMPERATURE),
                v.get(MAX_TOKENS), v.get(TIMEOUT));
    }

    /** The defaults of operator-interface.md: everything but the base URL. */
    public static OpenAiConfig defaults() {
        return from(SettingValues.DEFAULTS);
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
                + ", api key " + API_KEY.show(apiKey) + ", temperature " + temperature + ", max tokens " + maxTokens
                + ", timeout " + Durations.format(timeout);
    }

    @Override
    public String toString() {
        return "OpenAiConfig[baseUrl=" + baseUrl + ", model=" + model + ", apiKey=" + API_KEY.show(apiKey)
                + ", systemPrompt=" + systemPrompt + ", temperature=" + temperature + ", maxTokens=" + maxTokens
                + ", timeout=" + timeout + "]";
    }
}
