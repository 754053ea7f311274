package dev.wecompipeline.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Names of the Kafka record headers the pipeline writes, and helpers to read them as text.
 * Headers duplicate a few value fields so that tools (replay, redrive, kcat) can filter without
 * parsing JSON.
 */
public final class RecordHeaders {

    /** Configured app name that received the message. */
    public static final String APP = "wecom-app";
    /** Stable WeCom message id (see {@link InboundMessage#messageId()}). */
    public static final String MESSAGE_ID = "wecom-message-id";
    /** Epoch milliseconds when the ingress received the callback. */
    public static final String RECEIVED_AT = "wecom-received-at";
    /** Trace id logged by every stage. */
    public static final String TRACE_ID = "trace-id";
    /** Present ("true") on records re-published by {@code replay}; the worker's dedupe lets them through. */
    public static final String REPLAY = "wecom-replay";
    /** Reply id on {@code wecom.replies} records. */
    public static final String REPLY_ID = "wecom-reply-id";

    private RecordHeaders() {
    }

    public static void put(Headers headers, String name, String value) {
        if (value != null) {
            headers.remove(name);
            headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    public static Optional<String> get(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? Optional.empty()
                : Optional.of(new String(h.value(), StandardCharsets.UTF_8));
    }
}
