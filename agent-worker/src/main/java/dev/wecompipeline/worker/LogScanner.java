package dev.wecompipeline.worker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.wecompipeline.kafka.KafkaClientSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a slice of one partition with a throwaway, group-less consumer: how the worker rebuilds
 * state that lives in the topics themselves (recent message ids for dedupe, conversation history
 * from the compacted sessions topic) when it takes over a partition.
 */
final class LogScanner {

    /** Give up on a slice that does not arrive in this time; state is then rebuilt partially (logged). */
    static final Duration SCAN_TIMEOUT = Duration.ofSeconds(30);

    private final String bootstrapServers;

    LogScanner(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Feeds every record of {@code tp} from the first one at or after {@code fromTimestampMs} (or
     * the beginning, when negative) up to, not including, {@code toOffset} (or the current end,
     * when negative).
     *
     * @return false when the scan timed out before reaching the end
     */
    boolean scan(TopicPartition tp, long fromTimestampMs, long toOffset,
                 Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        Map<String, Object> settings = KafkaClientSettings.consumer(bootstrapServers, "unused", "wecom-worker-scan");
        settings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        settings.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            long end = toOffset >= 0 ? toOffset : consumer.endOffsets(List.of(tp)).get(tp);
            long start;
            if (fromTimestampMs < 0) {
                start = consumer.beginningOffsets(List.of(tp)).get(tp);
            } else {
                OffsetAndTimestamp found = consumer.offsetsForTimes(Map.of(tp, fromTimestampMs)).get(tp);
                start = found == null ? end : found.offset();
            }
            if (start >= end) {
                return true;
            }
            consumer.seek(tp, start);
            long deadline = System.nanoTime() + SCAN_TIMEOUT.toNanos();
            while (consumer.position(tp) < end) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end) {
                        sink.accept(r);
                    }
                }
            }
            return true;
        }
    }
}
