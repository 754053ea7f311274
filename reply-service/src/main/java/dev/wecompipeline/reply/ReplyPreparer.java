package dev.wecompipeline.reply;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.wecompipeline.config.AppConfig;
import dev.wecompipeline.config.ReplyConfig;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.wecom.PermanentWeComException;
import dev.wecompipeline.wecom.WeComException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Turns a reply record into what a delivery needs: the message, its app's credentials and its
 * parts (the text's chunks, then each attachment); or the reason it can never be sent
 * (unreadable, unknown app, a recipient that is not exactly one user: see {@link Recipients}).
 * Splitting is deterministic, so a reply prepared again after a restart has the same parts, and
 * a part's index names the same message to WeCom in every delivery marker.
 */
final class ReplyPreparer {

    /** The outcome: either {@code refusal} is set, or the rest is. */
    record Prepared(ReplyMessage message, AppConfig app, List<Part> parts, WeComException refusal) {
        static Prepared refused(WeComException refusal) {
            return new Prepared(null, null, List.of(), refusal);
        }
    }

    /**
     * One WeCom message of a reply.
     *
     * @param msgtype    {@code text}, {@code markdown}, {@code image} or {@code file}
     * @param content    the chunk's text, or the attachment's {@code media_id}
     * @param attachment the attachment this part sends; null for a text chunk
     */
    record Part(String msgtype, String content, ReplyMessage.Attachment attachment) {
        static Part chunk(String msgtype, String text) {
            return new Part(msgtype, text, null);
        }

        static Part of(ReplyMessage.Attachment attachment) {
            String type = ReplyMessage.Attachment.FILE.equals(attachment.type()) ? attachment.type()
                    : ReplyMessage.Attachment.IMAGE;
            return new Part(type, attachment.mediaId(), attachment);
        }
    }

    private final Map<String, AppConfig> apps;
    private final ReplyConfig.Format defaultFormat;
    private final ReplySplitter text;
    private final ReplySplitter markdown;
    private final JsonSerde<ReplyMessage> serde = JsonSerde.replies();

    ReplyPreparer(List<AppConfig> apps, ReplyConfig reply) {
        this.apps = apps.stream().collect(Collectors.toMap(AppConfig::name, Function.identity()));
        this.defaultFormat = reply.format();
        this.text = new ReplySplitter(reply.maxChunkBytes(), false);
        this.markdown = new ReplySplitter(reply.maxChunkBytes(), true);
    }

    Prepared prepare(ConsumerRecord<String, byte[]> record) {
        ReplyMessage message;
        try {
            message = serde.deserialize(record.topic(), record.value());
            if (message == null) {
                throw new SerializationException("empty record value");
            }
        } catch (SerializationException e) {
            return Prepared.refused(new PermanentWeComException(DeadLetters.UNREADABLE, String.valueOf(e.getMessage())));
        }
        AppConfig app = message.appName() == null ? null : apps.get(message.appName());
        if (app == null) {
            return Prepared.refused(new PermanentWeComException(DeadLetters.UNKNOWN_APP,
                    "no app named '" + message.appName() + "' is configured"));
        }
        if (!app.corpId().equals(message.corpId())) {
            return Prepared.refused(new PermanentWeComException(DeadLetters.UNKNOWN_APP, "app '" + app.name()
                    + "' belongs to corp " + app.corpId() + ", the reply to corp " + message.corpId()));
        }
        // Whatever is on the topic: a reply never goes to @all or to a list of users.
        if (!Recipients.isSingleUser(message.userId())) {
            return Prepared.refused(new PermanentWeComException(DeadLetters.INVALID_RECIPIENT,
                    Recipients.refusal(message.userId())));
        }
        String msgtype = msgtype(message.format());
        List<Part> parts = new ArrayList<>();
        for (String chunk : ("markdown".equals(msgtype) ? markdown : text).split(message.content())) {
            parts.add(Part.chunk(msgtype, chunk));
        }
        message.attachments().forEach(a -> parts.add(Part.of(a)));
        return new Prepared(message, app, List.copyOf(parts), null);
    }

    /** The reply's own format when it names one WeCom knows, else {@code REPLY_FORMAT}. */
    private String msgtype(String format) {
        if (format != null) {
            String f = format.strip().toLowerCase(Locale.ROOT);
            if (f.equals(ReplyConfig.Format.TEXT.id()) || f.equals(ReplyConfig.Format.MARKDOWN.id())) {
                return f;
            }
        }
        return defaultFormat.id();
    }
}
