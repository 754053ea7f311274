package dev.wecompipeline.worker.agent;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;

import dev.wecompipeline.config.CommandAgentConfig;
import dev.wecompipeline.config.ConfigException;
import dev.wecompipeline.config.HermesConfig;
import dev.wecompipeline.config.MediaConfig;
import dev.wecompipeline.config.OpenAiConfig;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.config.WorkerConfig;

/**
 * Builds the agent {@link WorkerConfig#agent()} names, checking that its settings are there.
 *
 * <pre>{@code
 * PipelineConfig config = ConfigLoader.load(System.getenv());
 * try (Agent agent = Agents.create(config)) {   // ConfigException if AGENT=openai lacks OPENAI_BASE_URL
 *     ...
 * }
 * }</pre>
 */
public final class Agents {

    /** How a missing base URL is named: either place can fix it. */
    static final String OPENAI_BASE_URL_KEY = OpenAiConfig.BASE_URL.env() + " (or " + OpenAiConfig.BASE_URL.yamlKey()
            + ")";

    /** Connecting is quick when the server is up; a model's thinking time is the request timeout's business. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private Agents() {
    }

    /**
     * The agent {@code config} selects, with an HTTP client of its own for the {@code openai} agent.
     *
     * @throws ConfigException if a setting the agent needs is missing
     */
    public static Agent create(PipelineConfig config) {
        return create(config.worker(), config.openai(), config.hermes(), null, config.media());
    }

    /**
     * The agent {@code worker} selects; {@code hermes} at its defaults.
     *
     * @param http the client of the {@code openai} agent; {@code null} builds one
     * @throws ConfigException if a setting the agent needs is missing
     */
    public static Agent create(WorkerConfig worker, OpenAiConfig openai, HttpClient http) {
        return create(worker, openai, HermesConfig.defaults(), http, MediaConfig.defaults());
    }

    /**
     * The agent {@code worker} selects.
     *
     * @param http  the client of the {@code openai} and {@code hermes} agents; {@code null} builds one
     * @param media {@code OPENAI_VISION} for the {@code openai} agent, and what every agent may answer
     *              with: the attachment caps, {@code AGENT_MEDIA_HOSTS}, {@code AGENT_MEDIA_FETCH_TIMEOUT}
     * @throws ConfigException if a setting the agent needs is missing
     */
    public static Agent create(WorkerConfig worker, OpenAiConfig openai, HermesConfig hermes, HttpClient http,
                               MediaConfig media) {
        Objects.requireNonNull(worker, "worker");
        Objects.requireNonNull(media, "media");
        return switch (worker.agent()) {
            case ECHO -> new EchoAgent(worker.echoDelay());
            case OPENAI -> {
                Objects.requireNonNull(openai, "openai");
                if (openai.baseUrl() == null) {
                    throw new ConfigException(OPENAI_BASE_URL_KEY, "is required when " + WorkerConfig.AGENT.env()
                            + " is " + WorkerConfig.Agent.OPENAI.id());
                }
                yield new OpenAiAgent(openai, http != null ? http : httpClient(), media);
            }
            case COMMAND -> new CommandAgent(CommandAgentConfig.of(worker), media);
            case HERMES -> new HermesAgent(Objects.requireNonNull(hermes, "hermes"), worker.agentTimeout(),
                    http != null ? http : httpClient(), HermesAgent.Backoff.DEFAULT, media);
        };
    }

    /** A client suited to model servers. */
    public static HttpClient httpClient() {
        return HttpClient.newBuilder()
                // HTTP/1.1: the h2c upgrade HTTP/2 attempts on plain http confuses some local servers.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .build();
    }
}
