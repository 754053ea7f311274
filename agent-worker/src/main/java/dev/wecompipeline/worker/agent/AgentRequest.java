package dev.wecompipeline.worker.agent;

import java.util.List;

import dev.wecompipeline.kafka.InboundMessage;

/**
 * What an agent gets: the message and, for agents that {@link Agent#usesHistory() use it}, the
 * user's earlier turns, oldest first.
 */
public record AgentRequest(InboundMessage message, List<Turn> history) {

    public AgentRequest {
        history = history == null ? List.of() : List.copyOf(history);
    }
}
