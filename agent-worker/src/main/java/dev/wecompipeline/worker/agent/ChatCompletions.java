package dev.wecompipeline.worker.agent;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The wire bodies of an OpenAI-compatible {@code POST /v1/chat/completions}: the subset every
 * compatible server (OpenAI, vLLM, Ollama, llama.cpp) understands. Unknown response fields are
 * ignored by {@link dev.wecompipeline.kafka.JsonSerde#MAPPER}.
 */
final class ChatCompletions {

    static final String SYSTEM = "system";
    static final String USER = "user";
    static final String ASSISTANT = "assistant";

    private ChatCompletions() {
    }

    /** One message of the conversation. */
    record Message(String role, String content) {
    }

    /** A user message with content parts (text and images), for servers with vision. */
    record PartsMessage(String role, List<Part> content) {
    }

    /** One content part: {@code {"type":"text","text":...}} or {@code {"type":"image_url","image_url":{"url":...}}}. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record Part(String type, String text, @JsonProperty("image_url") ImageUrl imageUrl) {
        static Part text(String text) {
            return new Part("text", text, null);
        }

        static Part image(String dataUrl) {
            return new Part("image_url", null, new ImageUrl(dataUrl));
        }
    }

    record ImageUrl(String url) {
    }

    /** The request body; messages are {@link Message}s or {@link PartsMessage}s. */
    record Request(String model, List<Object> messages, double temperature,
                   @JsonProperty("max_tokens") int maxTokens) {
    }

    /** The response body; only the first choice's message is used. */
    record Response(List<Choice> choices) {
    }

    record Choice(Message message) {
    }
}
