package dev.wecompipeline.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.wecompipeline.config.AppConfig;
import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.wecom.PermanentWeComException;
import dev.wecompipeline.wecom.TokenCache;
import dev.wecompipeline.wecom.WeComApi.UploadAnswer;
import dev.wecompipeline.wecom.WeComClient;
import dev.wecompipeline.wecom.WeComException;
import dev.wecompipeline.worker.agent.AgentAnswer;
import dev.wecompipeline.worker.agent.OutgoingMedia;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads an answer's attachments with WeCom's {@code media/upload} (the app's token, the
 * reply-service's retry rules: {@link WeComCalls}), so that the reply record carries only
 * {@code media_id}s. Runs on the agent's thread, inside the agent timeout, before the answer is
 * committed: a worker that crashes after an upload redoes it, leaving an unused id at WeCom that
 * expires in three days, and the user still gets each attachment once.
 *
 * <p>An attachment that cannot be uploaded does not fail the answer: the text gets a line saying
 * which one was not sent and why, and the rest goes out.
 */
final class MediaUploader {

    private static final Logger LOG = LoggerFactory.getLogger(MediaUploader.class);
    /** Appended to the answer's text for an attachment that could not be uploaded: type, filename, reason. */
    static final String NOT_SENT_NOTE = "[%s %s not sent: %s]";
    private static final String NO_CREDENTIALS = "no_credentials";

    /** An answer ready for the reply topic: its text (with a note per attachment not sent) and the uploaded ids. */
    record Answer(String text, List<ReplyMessage.Attachment> attachments) {
        boolean isEmpty() {
            return (text == null || text.isBlank()) && attachments.isEmpty();
        }
    }

    /** An uploader for a worker without WeCom credentials: every attachment is noted as not sent. */
    static final MediaUploader NONE = new MediaUploader(List.of(), null, null);

    private final Map<String, AppConfig> apps;
    private final WeComClient client;
    private final WeComCalls calls;

    MediaUploader(List<AppConfig> apps, WeComClient client, TokenCache tokens) {
        this.apps = apps.stream().filter(a -> a.corpSecret() != null)
                .collect(Collectors.toUnmodifiableMap(AppConfig::name, a -> a));
        this.client = client;
        this.calls = client == null ? null : new WeComCalls(client, tokens);
    }

    /** Uploads the answer's attachments, in order. */
    Answer upload(InboundMessage message, AgentAnswer answer) throws InterruptedException {
        if (answer.media().isEmpty()) {
            return new Answer(answer.text(), List.of());
        }
        List<ReplyMessage.Attachment> uploaded = new ArrayList<>();
        StringBuilder text = new StringBuilder(answer.text());
        for (OutgoingMedia media : answer.media()) {
            String problem;
            try {
                ReplyMessage.Attachment attachment = upload(message, media);
                uploaded.add(attachment);
                LOG.debug("Uploaded {} {} of {} bytes for message {} (trace {})", media.type(), media.filename(),
                        media.bytes().length, message.messageId(), message.traceId());
                continue;
            } catch (WeComException e) {
                problem = NO_CREDENTIALS.equals(e.code()) ? e.errmsg()
                        : e.errcode() != WeComException.NO_ERRCODE ? "WeCom refused it (" + e.code() + " " + e.errmsg() + ")"
                        : "WeCom did not take it (" + e.code() + ")";
            }
            LOG.warn("Attachment {} {} of message {} (trace {}) not sent: {}", media.type(), media.filename(),
                    message.messageId(), message.traceId(), problem);
            if (!text.isEmpty()) {
                text.append("\n\n");
            }
            text.append(String.format(NOT_SENT_NOTE, media.type(), media.filename(), problem));
        }
        return new Answer(text.toString(), List.copyOf(uploaded));
    }

    private ReplyMessage.Attachment upload(InboundMessage message, OutgoingMedia media) throws InterruptedException {
        AppConfig app = message.appName() == null ? null : apps.get(message.appName());
        if (app == null || calls == null) {
            throw new PermanentWeComException(NO_CREDENTIALS,
                    "the worker has no WeCom credentials for app " + message.appName());
        }
        WeComCalls.Outcome<UploadAnswer> outcome = calls.call(app,
                token -> client.mediaUpload(token, media.type(), media.filename(), media.contentType(), media.bytes()));
        if (!outcome.ok()) {
            throw outcome.failure();
        }
        UploadAnswer answer = outcome.answer();
        if (answer.mediaId() == null || answer.mediaId().isBlank()) {
            throw new PermanentWeComException("bad_answer", "media/upload answered ok without a media_id");
        }
        return new ReplyMessage.Attachment(media.type(), answer.mediaId(), media.filename(), media.bytes().length,
                createdAtMs(answer.createdAt()));
    }

    /**
     * WeCom's {@code created_at} (seconds, as text), or now when that is missing, unreadable or
     * later: the id's three days are counted from the earlier of the two clocks, so a clock of
     * WeCom's that runs ahead never makes the reply-service send an id WeCom already dropped.
     */
    private static long createdAtMs(String createdAt) {
        long now = System.currentTimeMillis();
        try {
            return Math.min(now, Long.parseLong(createdAt.strip()) * 1000);
        } catch (RuntimeException e) {
            return now;
        }
    }
}
