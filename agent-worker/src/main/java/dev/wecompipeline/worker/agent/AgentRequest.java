package dev.wecompipeline.worker.agent;

import java.util.List;

import dev.wecompipeline.kafka.InboundMessage;

/**
 * What an agent gets: the message, for agents that {@link Agent#usesHistory() use it} the user's
 * earlier turns (oldest first), and for image, voice, video and file messages the media the worker
 * fetched from WeCom (or why it could not: an agent is told, never failed, when a {@code MediaId}
 * has expired). The media's files exist for the duration of the call only.
 */
public record AgentRequest(InboundMessage message, List<Turn> history, List<FetchedMedia> media) {

    public AgentRequest {
        history = history == null ? List.of() : List.copyOf(history);
        media = media == null ? List.of() : List.copyOf(media);
    }

    /** A request without media. */
    public AgentRequest(InboundMessage message, List<Turn> history) {
        this(message, history, List.of());
    }
}
