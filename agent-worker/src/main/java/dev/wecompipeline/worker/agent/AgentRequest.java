package dev.wecompipeline.worker.agent;

import java.util.List;

import dev.wecompipeline.kafka.InboundMessage;

/**
 * What an agent gets: the message and, for agents that {@link Agent#usesHistory() use it}, the
 * user's earlier turns, oldest first.
 *
 * @param message           the user's message
 * @param history           earlier turns, for agents that use history; empty otherwise
 * @param requestId         a stable id of this inbound message: the same whenever any worker
 *                          processes the same record again (after a crash, a rebalance), so an
 *                          agent server that deduplicates by it (Hermes' {@code Idempotency-Key})
 *                          runs the task once; {@code null} when not known (unit tests)
 * @param sessionGeneration for agents that {@link Agent#keepsSessions() keep sessions}: how many
 *                          times the user has said {@code /reset}, so the agent addresses a new
 *                          session after each
 */
public record AgentRequest(InboundMessage message, List<Turn> history, String requestId, int sessionGeneration) {

    public AgentRequest {
        history = history == null ? List.of() : List.copyOf(history);
    }

    /** A request without an id, in the user's first session. */
    public AgentRequest(InboundMessage message, List<Turn> history) {
        this(message, history, null, 0);
    }

    /**
     * The user's session at an agent server that keeps them: {@code wecom:<corp_id>:<agent_id>:<user_id>},
     * followed by {@code :<generation>} after a {@code /reset}. Stable per user of one app, distinct
     * across corps and apps.
     */
    public String sessionId() {
        String base = "wecom:" + message.corpId() + ":" + message.agentId() + ":" + message.userId();
        return sessionGeneration == 0 ? base : base + ":" + sessionGeneration;
    }
}
