package dev.wecompipeline.worker.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.wecompipeline.config.ConfigException;
import dev.wecompipeline.config.MediaConfig;
import dev.wecompipeline.config.OpenAiConfig;
import dev.wecompipeline.kafka.JsonSerde;

/**
 * Answers with a model behind an OpenAI-compatible chat completions endpoint: OpenAI itself, vLLM,
 * Ollama, llama.cpp's server and the like.
 *
 * <p>Each request is {@code POST {baseUrl}/v1/chat/completions} (the {@code /v1} is not doubled
 * when the base URL already ends with it) carrying the system prompt, the user's earlier turns in
 * order, then the new message (non-text messages as their {@link MessageDescriber description}),
 * with the configured model, temperature and {@code max_tokens}. The answer is
 * {@code choices[0].message.content}, stripped of surrounding whitespace; {@link #answer} turns its
 * markdown images (data URLs, links to {@code AGENT_MEDIA_HOSTS}) into attachments ({@link AnswerImages}).
 *
 * <pre>{@code
 * OpenAiConfig config = OpenAiConfig.defaults().withBaseUrl("http://localhost:11434/v1");
 * Agent agent = new OpenAiAgent(config, HttpClient.newHttpClient());
 * }</pre>
 *
 * <p>Failures are {@link AgentException}s: a non-2xx status (carried in {@link AgentException#status()}),
 * a body that is not a completion, an unreachable server, or {@link AgentTimeoutException} when no
 * answer came within {@link OpenAiConfig#timeout()}. Their messages never contain the API key.
 */
public final class OpenAiAgent implements Agent {

    private final OpenAiConfig config;
    private final HttpClient client;
    private final URI endpoint;
    private final boolean vision;
    private final AnswerImages images;

    /**
     * @param config with a base URL
     * @param client shared, caller-owned; one per process is enough
     * @throws ConfigException if {@code config} has no base URL
     */
    public OpenAiAgent(OpenAiConfig config, HttpClient client) {
        this(config, client, false);
    }

    /** @param vision send fetched images as {@code image_url} parts ({@code OPENAI_VISION}) */
    public OpenAiAgent(OpenAiConfig config, HttpClient client, boolean vision) {
        this(config, client, MediaConfig.defaults().withOpenaiVision(vision));
    }

    /**
     * @param media {@code OPENAI_VISION}, and what the answer's images may be: the image cap,
     *              {@code AGENT_MEDIA_HOSTS}, {@code AGENT_MEDIA_FETCH_TIMEOUT}
     */
    public OpenAiAgent(OpenAiConfig config, HttpClient client, MediaConfig media) {
        this.vision = media.openaiVision();
        this.images = new AnswerImages(media);
        this.config = Objects.requireNonNull(config, "config");
        this.client = Objects.requireNonNull(client, "client");
        if (config.baseUrl() == null) {
            throw new ConfigException(Agents.OPENAI_BASE_URL_KEY, "is required for the openai agent");
        }
        this.endpoint = endpoint(config.baseUrl());
    }

    /** {@code {baseUrl}/v1/chat/completions}, or {@code {baseUrl}/chat/completions} if it ends with {@code /v1}. */
    static URI endpoint(String baseUrl) {
        String root = baseUrl.replaceAll("/+$", "");
        return URI.create(root + (root.endsWith("/v1") ? "" : "/v1") + "/chat/completions");
    }

    /** The model's text with its images as attachments. */
    @Override
    public AgentAnswer answer(AgentRequest request) throws AgentException, InterruptedException {
        return images.toAnswer(reply(request));
    }

    /** The model's text as it answered, image links and all. */
    @Override
    public String reply(AgentRequest request) throws AgentException, InterruptedException {
        HttpRequest.Builder http = HttpRequest.newBuilder(endpoint)
                .timeout(config.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(request)));
        if (config.hasApiKey()) {
            http.header("Authorization", "Bearer " + config.apiKey());
        }
        HttpResponse<String> response;
        try {
            response = client.send(http.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new AgentTimeoutException("POST " + endpoint, config.timeout(), e);
        } catch (IOException e) {
            throw new AgentException("POST " + endpoint + " failed: " + redact(String.valueOf(e.getMessage())), e);
        }
        return answer(response);
    }

    /**
     * The new message: its text or description, plus one line per fetched medium; with vision on,
     * fetched images go as {@code image_url} parts holding data URLs instead.
     */
    private Object userMessage(AgentRequest request) {
        StringBuilder text = new StringBuilder(MessageDescriber.describe(request.message()));
        List<ChatCompletions.Part> images = new ArrayList<>();
        for (FetchedMedia m : request.media()) {
            if (vision && m.fetched() && "image".equals(m.type())) {
                images.add(ChatCompletions.Part.image("data:" + m.contentType() + ";base64,"
                        + java.util.Base64.getEncoder().encodeToString(m.bytes())));
            } else {
                text.append('\n').append(Character.toUpperCase(m.describe().charAt(0))).append(m.describe().substring(1));
            }
        }
        if (images.isEmpty()) {
            return new ChatCompletions.Message(ChatCompletions.USER, text.toString());
        }
        List<ChatCompletions.Part> parts = new ArrayList<>();
        parts.add(ChatCompletions.Part.text(text.toString()));
        parts.addAll(images);
        return new ChatCompletions.PartsMessage(ChatCompletions.USER, parts);
    }

    private byte[] body(AgentRequest request) throws AgentException {
        List<Object> messages = new ArrayList<>();
        if (config.systemPrompt() != null && !config.systemPrompt().isBlank()) {
            messages.add(new ChatCompletions.Message(ChatCompletions.SYSTEM, config.systemPrompt()));
        }
        for (Turn turn : request.history()) {
            // A turn may lack one side (say the agent failed); sending null content breaks some servers.
            if (turn.user() != null) {
                messages.add(new ChatCompletions.Message(ChatCompletions.USER, turn.user()));
            }
            if (turn.assistant() != null) {
                messages.add(new ChatCompletions.Message(ChatCompletions.ASSISTANT, turn.assistant()));
            }
        }
        messages.add(userMessage(request));
        try {
            return JsonSerde.MAPPER.writeValueAsBytes(new ChatCompletions.Request(config.model(), messages,
                    config.temperature(), config.maxTokens()));
        } catch (JsonProcessingException e) {
            throw new AgentException("cannot write the chat completions request: " + e.getOriginalMessage(), e);
        }
    }

    private String answer(HttpResponse<String> response) throws AgentException {
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            throw new AgentException("POST " + endpoint + " answered " + status + ": " + quote(response.body()),
                    status, null);
        }
        ChatCompletions.Response completion;
        try {
            completion = JsonSerde.MAPPER.readValue(response.body(), ChatCompletions.Response.class);
        } catch (JsonProcessingException e) {
            throw new AgentException("POST " + endpoint + " answered " + status + " with a body that is not a chat "
                    + "completion: " + quote(response.body()), status, e);
        }
        if (completion == null || completion.choices() == null || completion.choices().isEmpty()
                || completion.choices().get(0) == null || completion.choices().get(0).message() == null
                || completion.choices().get(0).message().content() == null) {
            throw new AgentException("POST " + endpoint + " answered " + status + " without choices[0].message.content: "
                    + quote(response.body()), status, null);
        }
        return completion.choices().get(0).message().content().strip();
    }

    private String quote(String body) {
        return ErrorBody.quote(body, config.hasApiKey() ? config.apiKey() : null);
    }

    private String redact(String text) {
        return ErrorBody.redact(text, config.hasApiKey() ? config.apiKey() : null);
    }

    @Override
    public boolean usesHistory() {
        return true;
    }

    @Override
    public String name() {
        return "openai";
    }
}
