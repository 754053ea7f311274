package dev.wecompipeline.reply;

import dev.wecompipeline.kafka.Republish;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Records of {@code wecom.replies.dlq}: the original reply record (key, value and headers
 * unchanged) plus why it failed. A reply that was partly delivered keeps its delivered chunks
 * recorded; redriving it sends only the rest.
 */
public final class DeadLetters {

    /** WeCom's errcode, or {@code unknown_app}, {@code unreadable}, {@code invalid_recipient}, {@code media_expired}, {@code io}, {@code timeout}, {@code http_5xx}. */
    public static final String ERRCODE = "errcode";
    /** WeCom's errmsg or a description of the failure; never a token or secret. */
    public static final String ERRMSG = "errmsg";
    /** Attempts made for the failing chunk (0 when it was refused before any call). */
    public static final String ATTEMPTS = "attempts";
    /** Index of the chunk that failed (-1 when none was tried). */
    public static final String CHUNK = "wecom-dlq-chunk";
    /** On records put back by {@link Redrive}: {@code topic-partition@offset} of the dead letter. */
    public static final String REDRIVEN_FROM = "wecom-redriven-from";

    /** Codes of refusals decided before any WeCom call. */
    public static final String UNKNOWN_APP = "unknown_app";
    public static final String UNREADABLE = "unreadable";
    /** {@code touser} is not exactly one WeCom user id ({@code @all}, a {@code |} list, empty, ...). */
    public static final String INVALID_RECIPIENT = "invalid_recipient";
    /** An attachment's {@code media_id} expired (WeCom keeps uploaded media three days) before its turn came. */
    public static final String MEDIA_EXPIRED = "media_expired";

    private DeadLetters() {
    }

    static ProducerRecord<String, byte[]> record(String topic, ConsumerRecord<String, byte[]> original, String errcode,
                                                 String errmsg, int attempts, int chunk) {
        // Keyed like the reply: a redrive puts it back on the same replies partition, where its markers are.
        return Republish.of(original).with(ERRCODE, errcode).with(ERRMSG, errmsg == null ? "" : errmsg)
                .with(ATTEMPTS, Integer.toString(attempts)).with(CHUNK, Integer.toString(chunk)).to(topic);
    }
}
