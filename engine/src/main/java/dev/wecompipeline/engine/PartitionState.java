package dev.wecompipeline.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * What the engine holds for one partition it owns; a new instance on every (re)assignment, so
 * late news about an old one is recognised by identity and dropped. Loop thread only.
 */
final class PartitionState {

    final TopicPartition tp;
    PartitionProgress progress;
    /** Outputs of done records, by offset: committed with the offset that covers them. */
    final TreeMap<Long, List<ProducerRecord<String, byte[]>>> staged = new TreeMap<>();
    /** Outputs true whatever happens to their record (delivery markers): committed with the next transaction. */
    final List<ProducerRecord<String, byte[]>> loose = new ArrayList<>();
    /** Waiting for the committed offset and the processor's load; fetch is paused meanwhile. */
    boolean loading = true;
    long loadRetryAtNanos;
    long committedAtLoad = -1;
    /** A record that arrived while loading: read again from here once loaded. */
    long reReadFrom = -1;
    /** The offset metadata reached the high-water mark: no record beyond the done span starts. */
    boolean crowded;
    boolean paused;
    int inFlight;
    /** When the oldest uncommitted output or done record appeared; -1 when there is none. */
    long dirtySinceNanos = -1;
    /** Something finished since the last commit took this partition's work: a commit is due at once. */
    boolean fresh;

    PartitionState(TopicPartition tp) {
        this.tp = tp;
    }

    void loaded(OffsetAndMetadata committed) {
        progress = new PartitionProgress(committed);
    }

    boolean dirty() {
        return progress != null && (progress.hasNewlyDone() || !loose.isEmpty());
    }

    void markDirty(long nowNanos) {
        fresh = true;
        if (dirtySinceNanos < 0) {
            dirtySinceNanos = nowNanos;
        }
    }
}
