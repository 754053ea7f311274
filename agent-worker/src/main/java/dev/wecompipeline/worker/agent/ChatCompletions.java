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

    /** The request body. */
    record Request(String model, List<Message> messages, double temperature,
                   @JsonProperty("max_tokens") int maxTokens) {
    }

    /** The response body; only the first choice's message is used. */
    record Response(List<Choice> choices) {
    }

    record Choice(Message message) {
    }
}
