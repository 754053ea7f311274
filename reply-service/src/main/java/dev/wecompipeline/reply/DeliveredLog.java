package dev.wecompipeline.reply;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.kafka.KafkaClientSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compacted topic of delivery markers: one record per chunk WeCom accepted, key
 * {@code replyId:chunkIndex}, written to the same partition number as the reply record it belongs
 * to. So the markers of a replies partition are one partition of this topic, and the service
 * loads exactly that slice when it is assigned the replies partition: chunks listed there are
 * never sent again, not after a restart, a rebalance or a redrive.
 *
 * <p>Markers are written in the same Kafka transaction as the reply offsets they go with and read
 * with {@code read_committed}: a marker of an aborted transaction does not count (the chunk is
 * sent again, and WeCom's duplicate check absorbs the resend).
 */
final class DeliveredLog {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveredLog.class);
    /** Give up loading a slice that does not arrive in this time; it is then partial (logged). */
    static final Duration LOAD_TIMEOUT = Duration.ofSeconds(30);

    /**
     * The value of a marker.
     *
     * @param replyId       the reply
     * @param chunkIndex    which chunk, from 0
     * @param chunkCount    how many chunks the reply has
     * @param deliveredAtMs when WeCom's acceptance arrived
     * @param msgid         WeCom's {@code msgid} for the send
     */
    record Marker(String replyId, int chunkIndex, int chunkCount, long deliveredAtMs, String msgid) {
    }

    private final String bootstrapServers;
    private final String topic;
    private final Duration horizon;

    /**
     * @param horizon markers older than this are not loaded: their reply records have left the
     *                replies topic by retention, so they can never be polled again
     */
    DeliveredLog(String bootstrapServers, String topic, Duration horizon) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.horizon = horizon;
    }

    static String key(String replyId, int chunkIndex) {
        return replyId + ":" + chunkIndex;
    }

    ProducerRecord<String, byte[]> record(int partition, Marker marker) {
        try {
            return new ProducerRecord<>(topic, partition, key(marker.replyId(), marker.chunkIndex()),
                    JsonSerde.MAPPER.writeValueAsBytes(marker));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The marker keys of partition {@code partition}, as far as committed. */
    Set<String> load(int partition) {
        Set<String> keys = new HashSet<>();
        TopicPartition tp = new TopicPartition(topic, partition);
        Map<String, Object> settings = KafkaClientSettings.consumer(bootstrapServers, "unused", "wecom-reply-delivered-scan");
        settings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(settings, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            // read_committed: the end is the last stable offset, so an open transaction is not waited for.
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            OffsetAndTimestamp from = consumer.offsetsForTimes(Map.of(tp, System.currentTimeMillis() - horizon.toMillis()))
                    .get(tp);
            long start = from == null ? end : from.offset();
            if (start >= end) {
                return keys;
            }
            consumer.seek(tp, start);
            long deadline = System.nanoTime() + LOAD_TIMEOUT.toNanos();
            while (consumer.position(tp) < end) {
                if (System.nanoTime() > deadline) {
                    LOG.warn("reply: delivered markers of {} only partly loaded ({} so far): chunks may be sent again, "
                            + "relying on WeCom's duplicate check", tp, keys.size());
                    break;
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && r.value() != null) {
                        keys.add(r.key());
                    } else if (r.key() != null) {
                        keys.remove(r.key());
                    }
                }
            }
        }
        return keys;
    }
}
