package dev.wecompipeline.ingress;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.kafka.RecordHeaders;
import dev.wecompipeline.kafka.ReplyMessage;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes inbound messages to {@code wecom.inbound} (and the optional "no access" replies to
 * {@code wecom.replies}) and reports each send as a future that completes only once Kafka has the
 * record with {@code acks=all}.
 */
final class InboundPublisher implements AutoCloseable {

    /**
     * How long {@code send()} may block waiting for metadata while Kafka is unreachable. The ack
     * timeout bounds the whole request anyway; a short block keeps Jetty threads free to answer 503.
     */
    static final int MAX_BLOCK_MS = 1_000;
    /**
     * How long a record may keep retrying. The caller gave up after its ack timeout (3 s) and
     * answered 503, and WeCom retries the callback; a partition that keeps refusing sends (a leader
     * not yet serving, an out-of-sequence idempotent producer) must not hold its users' callbacks
     * for the default minute: after this the batch expires and the producer resets its sequence.
     */
    static final int DELIVERY_TIMEOUT_MS = 10_000;
    /** One produce request; Kafka requires delivery timeout >= linger (1 ms) + request timeout. */
    static final int REQUEST_TIMEOUT_MS = 5_000;

    private final Producer<String, byte[]> producer;
    private final String inboundTopic;
    private final String repliesTopic;
    private final JsonSerde<InboundMessage> inboundSerde = JsonSerde.inbound();
    private final JsonSerde<ReplyMessage> replySerde = JsonSerde.replies();

    InboundPublisher(Map<String, Object> producerSettings, String inboundTopic, String repliesTopic) {
        Map<String, Object> settings = new java.util.HashMap<>(producerSettings);
        settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK_MS);
        settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, DELIVERY_TIMEOUT_MS);
        settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS);
        this.producer = new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer());
        this.inboundTopic = inboundTopic;
        this.repliesTopic = repliesTopic;
    }

    /** Sends the message keyed {@code corp_id:user_id} with app, id, received-at and trace headers. */
    CompletableFuture<RecordMetadata> publish(InboundMessage message) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(inboundTopic, message.userKey().toString(),
                inboundSerde.serialize(inboundTopic, message));
        RecordHeaders.put(record.headers(), RecordHeaders.APP, message.appName());
        RecordHeaders.put(record.headers(), RecordHeaders.MESSAGE_ID, message.messageId());
        RecordHeaders.put(record.headers(), RecordHeaders.RECEIVED_AT, Long.toString(message.receivedAtMs()));
        RecordHeaders.put(record.headers(), RecordHeaders.TRACE_ID, message.traceId());
        return send(record);
    }

    /** Sends a reply straight to the reply topic (the "no access" notice; no agent involved). */
    CompletableFuture<RecordMetadata> publishReply(ReplyMessage reply) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(repliesTopic, reply.userKey().toString(),
                replySerde.serialize(repliesTopic, reply));
        RecordHeaders.put(record.headers(), RecordHeaders.APP, reply.appName());
        RecordHeaders.put(record.headers(), RecordHeaders.REPLY_ID, reply.replyId());
        RecordHeaders.put(record.headers(), RecordHeaders.TRACE_ID, reply.traceId());
        return send(record);
    }

    private CompletableFuture<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    result.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            // send() throws, rather than calling back, when metadata is unavailable within max.block.ms.
            result.completeExceptionally(e);
        }
        return result;
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
