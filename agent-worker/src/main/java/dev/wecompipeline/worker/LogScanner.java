package dev.wecompipeline.worker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.KafkaConnection;
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

    /**
     * Give up on a slice that does not arrive in this time. Scans run off the loop thread while the
     * partition waits, so this bounds a broken broker, not a large partition's normal load.
     */
    static final Duration SCAN_TIMEOUT = Duration.ofMinutes(2);

    private final KafkaConnection kafka;

    LogScanner(KafkaConnection kafka) {
        this.kafka = kafka;
    }

    /**
     * Feeds every record of {@code tp} before {@code toOffset} written within {@code spanMs} of record
     * time before the last of them: the span is measured from the records' own time, so a worker
     * that lags reads what the messages' neighbours were, not what the clock says.
     *
     * @return false when the scan timed out before reaching {@code toOffset}
     */
    boolean scanBefore(TopicPartition tp, long toOffset, long spanMs, Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        long lastTime;
        try (KafkaConsumer<byte[], byte[]> consumer = open()) {
            consumer.assign(List.of(tp));
            long begin = consumer.beginningOffsets(List.of(tp)).get(tp);
            if (toOffset <= begin) {
                return true;
            }
            consumer.seek(tp, toOffset - 1);
            long deadline = System.nanoTime() + SCAN_TIMEOUT.toNanos();
            List<ConsumerRecord<byte[], byte[]>> got = List.of();
            while (got.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                got = consumer.poll(Duration.ofMillis(200)).records(tp);
            }
            // The last record before the offset, or (when that offset holds a transaction marker) the next one.
            lastTime = got.get(0).timestamp();
        }
        return scan(tp, Math.max(0, lastTime - spanMs), toOffset, sink);
    }

    private KafkaConsumer<byte[], byte[]> open() {
        Map<String, Object> settings = KafkaClientSettings.consumer(kafka, "unused", "wecom-worker-scan");
        settings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        settings.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        return new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
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
        try (KafkaConsumer<byte[], byte[]> consumer = open()) {
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
