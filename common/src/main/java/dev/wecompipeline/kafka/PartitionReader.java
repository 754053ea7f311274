package dev.wecompipeline.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads partitions from a start (the beginning, an offset or a time) to their end as of the call,
 * with a group-less {@code read_committed} consumer and a deadline per read, handing each record
 * to a callback. This is how state that lives in the topics is read back (the worker's dedupe
 * history and sessions, the reply-service's delivery markers) and how the tools read a topic
 * (redrive, replay).
 *
 * <p>The end is the end offset when the read starts; under {@code read_committed} that is the last
 * stable offset, so an open transaction is not waited for and records written meanwhile are not
 * read. A read that does not reach its end before the deadline returns false: the caller decides
 * whether what it got is usable (it usually is not).
 *
 * <pre>{@code
 * try (PartitionReader reader = new PartitionReader(kafka, "wecom-redrive", Duration.ofSeconds(60))) {
 *     boolean complete = reader.readTopic("wecom.replies.dlq", PartitionReader.Start.BEGINNING, records::add);
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one reader per thread, like the consumer it wraps.
 */
public final class PartitionReader implements AutoCloseable {

    /** Where a read starts. */
    public sealed interface Start {
        /** The first offset still in the partition. */
        Start BEGINNING = new Beginning();

        /** At this offset. */
        static Start atOffset(long offset) {
            return new AtOffset(offset);
        }

        /** At the first record whose timestamp is at or after {@code epochMs} (the end when there is none). */
        static Start atTime(long epochMs) {
            return new AtTime(epochMs);
        }

        record Beginning() implements Start {
        }

        record AtOffset(long offset) implements Start {
        }

        record AtTime(long epochMs) implements Start {
        }
    }

    /** A poll's longest wait: short, so the deadline is checked often. */
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Duration timeout;

    /**
     * @param clientId names the reader in the broker's logs and metrics
     * @param timeout  how long each read may take, offset lookups included
     */
    public PartitionReader(KafkaConnection kafka, String clientId, Duration timeout) {
        this(settings(kafka, clientId), timeout);
    }

    /**
     * A reader with settings of the caller's making, e.g. {@link #settings} with another isolation
     * level for a test that looks at aborted records.
     */
    public PartitionReader(Map<String, Object> consumerSettings, Duration timeout) {
        this.consumer = new KafkaConsumer<>(consumerSettings, new StringDeserializer(), new ByteArrayDeserializer());
        this.timeout = timeout;
    }

    /** The reader's consumer settings: the pipeline's consumer defaults (so {@code read_committed}), no group. */
    public static Map<String, Object> settings(KafkaConnection kafka, String clientId) {
        Map<String, Object> settings = KafkaClientSettings.consumer(kafka, "unused", clientId);
        // Assigned, never subscribed: a group would only add a coordinator and offsets nobody reads.
        settings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        // Large batches: a read runs to the end in one go, and without a group there is no poll interval to keep.
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        return settings;
    }

    /**
     * Reads {@code tp} from {@code start} to its end as of the call.
     *
     * @return false when the end was not reached before the deadline
     */
    public boolean read(TopicPartition tp, Start start, Consumer<ConsumerRecord<String, byte[]>> sink) {
        return read(List.of(tp), start, null, sink);
    }

    /**
     * Reads {@code tp} from {@code start} up to, not including, {@code toOffset}. The offset is not
     * capped at the end: a read to an offset that is not (yet) readable, such as one inside an open
     * transaction, runs until the deadline.
     *
     * @return false when {@code toOffset} was not reached before the deadline
     */
    public boolean read(TopicPartition tp, Start start, long toOffset, Consumer<ConsumerRecord<String, byte[]>> sink) {
        return read(List.of(tp), start, toOffset, sink);
    }

    /**
     * Reads every partition of {@code topic} from {@code start} to its end as of the call, the
     * partitions interleaved (each in its own order).
     *
     * @return false when some partition's end was not reached before the deadline
     */
    public boolean readTopic(String topic, Start start, Consumer<ConsumerRecord<String, byte[]>> sink) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            List<TopicPartition> parts = consumer.partitionsFor(topic, left(deadline)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            return readUntil(parts, start, null, deadline, sink);
        } catch (TimeoutException e) {
            return false;
        }
    }

    private boolean read(List<TopicPartition> parts, Start start, Long toOffset,
                         Consumer<ConsumerRecord<String, byte[]>> sink) {
        try {
            return readUntil(parts, start, toOffset, System.nanoTime() + timeout.toNanos(), sink);
        } catch (TimeoutException e) {
            return false;
        }
    }

    /** Reads {@code parts} to {@code toOffset}, or each to its end when null; offset lookups may time out. */
    private boolean readUntil(List<TopicPartition> parts, Start start, Long toOffset, long deadline,
                              Consumer<ConsumerRecord<String, byte[]>> sink) {
        Map<TopicPartition, Long> ends = new HashMap<>();
        if (toOffset == null) {
            ends.putAll(consumer.endOffsets(parts, left(deadline)));
        } else {
            parts.forEach(tp -> ends.put(tp, toOffset));
        }
        Map<TopicPartition, Long> starts = starts(parts, start, ends, deadline);
        List<TopicPartition> open = new ArrayList<>();
        for (TopicPartition tp : parts) {
            if (starts.get(tp) < ends.get(tp)) {
                open.add(tp);
            }
        }
        consumer.assign(open);
        if (open.isEmpty()) {
            return true;
        }
        open.forEach(tp -> consumer.seek(tp, starts.get(tp)));
        while (open.stream().anyMatch(tp -> consumer.position(tp, left(deadline)) < ends.get(tp))) {
            Duration left = left(deadline);
            if (left.isZero()) {
                return false;
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(left.compareTo(POLL) < 0 ? left : POLL)) {
                if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
                    sink.accept(r);
                }
            }
        }
        return true;
    }

    private Map<TopicPartition, Long> starts(Collection<TopicPartition> parts, Start start,
                                             Map<TopicPartition, Long> ends, long deadline) {
        if (start instanceof Start.AtOffset at) {
            Map<TopicPartition, Long> starts = new HashMap<>();
            parts.forEach(tp -> starts.put(tp, at.offset()));
            return starts;
        }
        if (start instanceof Start.AtTime at) {
            Map<TopicPartition, Long> query = new HashMap<>();
            parts.forEach(tp -> query.put(tp, at.epochMs()));
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, left(deadline));
            Map<TopicPartition, Long> starts = new HashMap<>();
            // No record at or after the time: nothing to read.
            parts.forEach(tp -> starts.put(tp, found.get(tp) == null ? ends.get(tp) : found.get(tp).offset()));
            return starts;
        }
        return consumer.beginningOffsets(parts, left(deadline));
    }

    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    @Override
    public void close() {
        consumer.close();
    }
}
