package dev.wecompipeline.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * An agent's answer as published to {@code wecom.replies}, for the reply-service to deliver.
 *
 * @param schemaVersion    {@link #SCHEMA_VERSION} when written
 * @param replyId          the reply's id: the reply-service delivers each id's chunks once. The
 *                         ingress's notices take {@link #replyIdFor} (a WeCom retry republishes the
 *                         same notice); the worker's answers take {@link #asAnswerAt}, its
 *                         progress notices {@link #asProgressNoticeAt}
 * @param inboundMessageId the {@link InboundMessage#messageId()} this answers
 * @param appName          the app whose credentials send it
 * @param corpId           WeCom corp id
 * @param agentId          the app's agent id ({@code agentid} of {@code message/send})
 * @param userId           the recipient
 * @param format           {@code text} or {@code markdown}
 * @param content          the full answer; the reply-service splits it into WeCom-sized chunks
 * @param receivedAtMs     when the ingress received the original callback (for end-to-end latency)
 * @param traceId          the inbound message's trace id
 * @param attachments      images and files the worker uploaded to WeCom, sent after the text's
 *                         chunks in this order; empty (absent in records written before them) for none
 */
public record ReplyMessage(
        int schemaVersion,
        String replyId,
        String inboundMessageId,
        String appName,
        String corpId,
        String agentId,
        String userId,
        String format,
        String content,
        long receivedAtMs,
        String traceId,
        List<Attachment> attachments) {

    public static final int SCHEMA_VERSION = 1;

    public ReplyMessage {
        Objects.requireNonNull(replyId, "replyId");
        Objects.requireNonNull(corpId, "corpId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(content, "content");
        attachments = attachments == null ? List.of() : List.copyOf(attachments);
    }

    /** A reply of text only. */
    public ReplyMessage(int schemaVersion, String replyId, String inboundMessageId, String appName, String corpId,
                        String agentId, String userId, String format, String content, long receivedAtMs,
                        String traceId) {
        this(schemaVersion, replyId, inboundMessageId, appName, corpId, agentId, userId, format, content, receivedAtMs,
                traceId, List.of());
    }

    /**
     * An image or a file uploaded with WeCom's {@code media/upload}: the bytes stay at WeCom, only
     * the id travels. WeCom serves an id for {@link #LIFETIME} after its upload.
     *
     * @param type        {@code image} or {@code file}: the {@code msgtype} it is sent as
     * @param mediaId     WeCom's {@code media_id}
     * @param filename    as uploaded (for logs and the dead-letter reason)
     * @param size        bytes uploaded
     * @param createdAtMs when WeCom created it ({@code created_at}); the id expires {@link #LIFETIME} later
     */
    public record Attachment(String type, String mediaId, String filename, long size, long createdAtMs) {

        public static final String IMAGE = "image";
        public static final String FILE = "file";

        /** How long WeCom keeps temporary media. */
        public static final Duration LIFETIME = Duration.ofDays(3);

        public Attachment {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(mediaId, "mediaId");
        }

        /** When WeCom stops serving the id. */
        public long expiresAtMs() {
            return createdAtMs + LIFETIME.toMillis();
        }
    }

    /**
     * The reply id for an inbound message: a name-based UUID of app, user and message id, so every
     * worker that ever answers the same message computes the same id.
     */
    public static String replyIdFor(InboundMessage inbound) {
        String name = inbound.appName() + '\n' + inbound.userKey() + '\n' + inbound.messageId();
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** A reply to {@code inbound} with the given text, carrying its routing and trace data. */
    public static ReplyMessage answering(InboundMessage inbound, String format, String content) {
        return new ReplyMessage(SCHEMA_VERSION, replyIdFor(inbound), inbound.messageId(), inbound.appName(),
                inbound.corpId(), inbound.agentId(), inbound.userId(), format, content,
                inbound.receivedAtMs(), inbound.traceId());
    }

    /** This reply with these attachments after its text. */
    public ReplyMessage withAttachments(List<Attachment> media) {
        return new ReplyMessage(schemaVersion, replyId, inboundMessageId, appName, corpId, agentId, userId, format,
                content, receivedAtMs, traceId, media);
    }

    /**
     * This reply under the id of one answer: the inbound record's position and the time it was
     * answered. Every answer the worker commits is a new answer to deliver: a replayed copy (another
     * position), or a message read again after its group's offsets were reset (another time). A
     * worker that crashed before committing never made its answer visible, so a redone answer with
     * a new id is still delivered once.
     */
    public ReplyMessage asAnswerAt(String topic, int partition, long offset, long answeredAtMs) {
        String name = replyId + "\nanswer\n" + topic + "-" + partition + "@" + offset + "\n" + answeredAtMs;
        String id = UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
        return new ReplyMessage(schemaVersion, id, inboundMessageId, appName, corpId, agentId, userId, format, content,
                receivedAtMs, traceId, attachments);
    }

    /**
     * This reply as the progress notice of the inbound record at this position: "still working"
     * while the agent thinks. Unlike an answer's, its id does not depend on time: a worker that
     * crashed after committing the notice is replaced by one that runs the agent again and emits
     * the notice again, under the same id, so the reply-service (which delivers each id's chunks
     * once) drops the second copy.
     */
    public ReplyMessage asProgressNoticeAt(String topic, int partition, long offset) {
        String name = replyId + "\nprogress-notice\n" + topic + "-" + partition + "@" + offset;
        String id = UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
        return new ReplyMessage(schemaVersion, id, inboundMessageId, appName, corpId, agentId, userId, format, content,
                receivedAtMs, traceId, attachments);
    }

    @JsonIgnore
    public UserKey userKey() {
        return new UserKey(corpId, userId);
    }
}
