package dev.wecompipeline.worker.agent;

import java.util.List;
import java.util.Map;

import dev.wecompipeline.kafka.InboundMessage;

/** Inbound messages and requests for the agent tests. */
final class Messages {

    private Messages() {
    }

    static InboundMessage text(String content) {
        return message("text", content, Map.of());
    }

    static InboundMessage of(String msgType, Map<String, String> fields) {
        return message(msgType, null, fields);
    }

    static AgentRequest request(InboundMessage message, Turn... history) {
        return new AgentRequest(message, List.of(history));
    }

    private static InboundMessage message(String msgType, String content, Map<String, String> fields) {
        return new InboundMessage(InboundMessage.SCHEMA_VERSION, "msg-1", "default", "ww_corp", "1000002", "alice",
                msgType, 1_700_000_000L, content, fields, 1_700_000_000_123L, "trace-1");
    }
}
