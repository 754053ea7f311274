package dev.wecompipeline.worker;

import java.time.Duration;
import java.util.function.Consumer;

import dev.wecompipeline.kafka.KafkaConnection;
import dev.wecompipeline.kafka.PartitionReader;
import dev.wecompipeline.kafka.PartitionReader.Start;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * What the worker reads back when it takes over a partition, state that lives in the topics
 * themselves: the inbound records before the committed offset (recent message ids for dedupe) and
 * the partition's slice of the compacted sessions topic (conversation history). Both reads run off
 * the loop thread while the partition waits.
 */
final class PartitionHistory {

    /**
     * Give up on a read that does not finish in this time. It bounds a broken broker, not a large
     * partition's normal load.
     */
    static final Duration READ_TIMEOUT = Duration.ofMinutes(2);

    private final KafkaConnection kafka;

    PartitionHistory(KafkaConnection kafka) {
        this.kafka = kafka;
    }

    /**
     * Feeds every record of {@code tp} before {@code toOffset} written within {@code spanMs} of record
     * time before the last of them: the span is measured from the records' own time, so a worker
     * that lags reads what the messages' neighbours were, not what the clock says.
     *
     * @return false when the read timed out before reaching {@code toOffset}
     */
    boolean readBefore(TopicPartition tp, long toOffset, long spanMs, Consumer<ConsumerRecord<String, byte[]>> sink) {
        try (PartitionReader reader = reader()) {
            long[] lastTime = {-1};
            if (!reader.read(tp, Start.atOffset(toOffset - 1), toOffset, r -> lastTime[0] = r.timestamp())) {
                return false;
            }
            // No record there (deleted by retention, or a transaction marker): everything before the offset.
            Start from = lastTime[0] < 0 ? Start.BEGINNING : Start.atTime(Math.max(0, lastTime[0] - spanMs));
            return reader.read(tp, from, toOffset, sink);
        }
    }

    /**
     * Feeds every record of {@code tp} as far as committed when called.
     *
     * @return false when the read timed out before reaching the end
     */
    boolean readAll(TopicPartition tp, Consumer<ConsumerRecord<String, byte[]>> sink) {
        try (PartitionReader reader = reader()) {
            return reader.read(tp, Start.BEGINNING, sink);
        }
    }

    private PartitionReader reader() {
        return new PartitionReader(kafka, "wecom-worker-scan", READ_TIMEOUT);
    }
}
