package dev.wecompipeline.worker.agent;

import java.util.List;

import dev.wecompipeline.kafka.InboundMessage;

/**
 * What an agent gets: the message, for agents that {@link Agent#usesHistory() use it} the user's
 * earlier turns (oldest first), and for image, voice, video and file messages the media the worker
 * fetched from WeCom (or why it could not: an agent is told, never failed, when a {@code MediaId}
 * has expired). The media's files exist for the duration of the call only.
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
 * @param media             what the worker fetched for a media message; empty otherwise
 */
public record AgentRequest(InboundMessage message, List<Turn> history, String requestId, int sessionGeneration,
                           List<FetchedMedia> media) {

    public AgentRequest {
        history = history == null ? List.of() : List.copyOf(history);
        media = media == null ? List.of() : List.copyOf(media);
    }

    /** A request without an id or media, in the user's first session. */
    public AgentRequest(InboundMessage message, List<Turn> history) {
        this(message, history, null, 0, List.of());
    }

    /** A request with media, without an id, in the user's first session. */
    public AgentRequest(InboundMessage message, List<Turn> history, List<FetchedMedia> media) {
        this(message, history, null, 0, media);
    }

    /** A request without media. */
    public AgentRequest(InboundMessage message, List<Turn> history, String requestId, int sessionGeneration) {
        this(message, history, requestId, sessionGeneration, List.of());
    }

    /** The same request with the media the worker fetched. */
    public AgentRequest withMedia(List<FetchedMedia> fetched) {
        return new AgentRequest(message, history, requestId, sessionGeneration, fetched);
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
