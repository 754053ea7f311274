package dev.wecompipeline.worker.agent;

import java.util.List;

/**
 * What an agent answers: text, and attachments that follow it, in order. The reply-service sends
 * the text's chunks first, then each attachment as an {@code image} or {@code file} message.
 *
 * @param text  the answer's text; blank for none
 * @param media attachments, in the order the user should see them; empty for none
 */
public record AgentAnswer(String text, List<OutgoingMedia> media) {

    public AgentAnswer {
        text = text == null ? "" : text;
        media = media == null ? List.of() : List.copyOf(media);
    }

    /** An answer of text only. */
    public static AgentAnswer text(String text) {
        return new AgentAnswer(text, List.of());
    }

    /** Nothing to say: no text and no attachment, so no reply is sent. */
    public boolean isEmpty() {
        return text.isBlank() && media.isEmpty();
    }
}
