package dev.wecompipeline.reply;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.kafka.KafkaConnection;
import dev.wecompipeline.kafka.PartitionReader;
import dev.wecompipeline.kafka.PartitionReader.Start;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The topic of delivery markers: one record per chunk WeCom accepted, key {@code replyId:chunkIndex},
 * written to the same partition number as the reply record it belongs to. So the markers of a
 * replies partition are one partition of this topic, and the service reads exactly that slice when
 * it is assigned the replies partition ({@link #load}): chunks listed there are never sent again,
 * and each user's sends of the last hour count against WeCom's limits on the new owner too.
 *
 * <p>Markers are written in the same Kafka transaction as the reply offsets they go with and read
 * with {@code read_committed}. The topic is compacted and deleted after the horizon (twice the
 * replies' retention): a marker older than that belongs to a reply that can no longer be polled.
 */
final class DeliveryMarkers {

    /** Give up loading a slice that does not arrive in this time; the load fails and is retried. */
    static final Duration LOAD_TIMEOUT = Duration.ofMinutes(2);

    /**
     * The value of a marker.
     *
     * @param replyId       the reply
     * @param chunkIndex    which chunk, from 0
     * @param chunkCount    how many chunks the reply has
     * @param deliveredAtMs when WeCom's acceptance arrived: the time the user's limits count it at
     * @param msgid         WeCom's {@code msgid} for the send
     * @param limitKey      whose limits the send counts against (app and user); null in old markers
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Marker(String replyId, int chunkIndex, int chunkCount, long deliveredAtMs, String msgid, String limitKey) {
    }

    /**
     * What one marker partition says: the chunks delivered (expiring with the horizon) and, per
     * user, when their sends of the last window were accepted. Touched by the loop thread only
     * once installed.
     */
    static final class Slice {
        private final long horizonMs;
        /** Marker key to delivery time, in (roughly) time order. */
        private final LinkedHashMap<String, Long> delivered = new LinkedHashMap<>();
        final Map<String, List<Long>> recentSends = new HashMap<>();
        private long added;

        Slice(long horizonMs) {
            this.horizonMs = horizonMs;
        }

        boolean contains(String key) {
            return delivered.containsKey(key);
        }

        /** Records a delivered chunk; false when it was already recorded. */
        boolean add(String key, long atMs) {
            if (delivered.putIfAbsent(key, atMs) != null) {
                return false;
            }
            if (++added % 10_000 == 0) {
                expire(atMs);
            }
            return true;
        }

        void remove(String key) {
            delivered.remove(key);
        }

        int size() {
            return delivered.size();
        }

        /** Forgets chunks of replies that have left the replies topic: they can never be polled again. */
        void expire(long nowMs) {
            for (Iterator<Long> it = delivered.values().iterator(); it.hasNext(); ) {
                if (it.next() >= nowMs - horizonMs) {
                    break;
                }
                it.remove();
            }
        }
    }

    private final KafkaConnection kafka;
    private final String topic;
    private final Duration horizon;
    private final Duration limitWindow;

    /**
     * @param horizon     markers older than this are not loaded: their reply records have left the
     *                    replies topic by retention, so they can never be polled again
     * @param limitWindow the longest per-user limit window: sends within it are handed to the limiter
     */
    DeliveryMarkers(KafkaConnection kafka, String topic, Duration horizon, Duration limitWindow) {
        this.kafka = kafka;
        this.topic = topic;
        this.horizon = horizon;
        this.limitWindow = limitWindow;
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

    /**
     * Reads the markers of partition {@code partition} written within the horizon (by record time),
     * as far as committed. Runs off the loop thread.
     *
     * @throws IllegalStateException when the slice cannot be read completely in time
     */
    Slice load(int partition, long nowMs) {
        Slice slice = new Slice(horizon.toMillis());
        TopicPartition tp = new TopicPartition(topic, partition);
        // read_committed: the end is the last stable offset, so an open transaction is not waited for.
        try (PartitionReader reader = new PartitionReader(kafka, "wecom-reply-delivered-scan", LOAD_TIMEOUT)) {
            if (!reader.read(tp, Start.atTime(Math.max(0, nowMs - horizon.toMillis())), r -> take(slice, r, nowMs))) {
                throw new IllegalStateException("delivery markers of " + tp + " not read completely in "
                        + LOAD_TIMEOUT.toSeconds() + " s");
            }
        }
        return slice;
    }

    private void take(Slice slice, ConsumerRecord<String, byte[]> r, long nowMs) {
        if (r.key() == null) {
            return;
        }
        if (r.value() == null) {
            slice.remove(r.key());
            return;
        }
        Marker marker;
        try {
            marker = JsonSerde.MAPPER.readValue(r.value(), Marker.class);
        } catch (IOException unreadable) {
            slice.add(r.key(), r.timestamp());
            return;
        }
        slice.add(r.key(), marker.deliveredAtMs());
        if (marker.limitKey() != null && marker.deliveredAtMs() >= nowMs - limitWindow.toMillis()) {
            slice.recentSends.computeIfAbsent(marker.limitKey(), k -> new ArrayList<>()).add(marker.deliveredAtMs());
        }
    }
}
