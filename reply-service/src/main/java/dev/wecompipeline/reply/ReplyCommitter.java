package dev.wecompipeline.reply;

import dev.wecompipeline.kafka.TransactionalCommit;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Commits, in ONE Kafka transaction, the staged delivery markers and dead letters of the given
 * partitions together with their progress (offset of the contiguous finished prefix, finished
 * records beyond it in the metadata), with the consumer's group metadata so that an instance that
 * lost its partitions cannot commit for them (KIP-447). Used by the poll thread only.
 */
final class ReplyCommitter {


    private final Producer<String, byte[]> producer;
    private final Consumer<String, byte[]> consumer;
    private final ReplyMetrics metrics;

    ReplyCommitter(Producer<String, byte[]> producer, Consumer<String, byte[]> consumer, ReplyMetrics metrics) {
        this.producer = producer;
        this.consumer = consumer;
        this.metrics = metrics;
    }

    /** Markers go to the replies partition's number in the delivered topic: it needs at least as many partitions. */
    void requireMarkerPartitions(String repliesTopic, String deliveredTopic) {
        int replies = consumer.partitionsFor(repliesTopic).size();
        int markers = producer.partitionsFor(deliveredTopic).size();
        if (markers < replies) {
            throw new IllegalStateException(deliveredTopic + " has " + markers + " partitions, fewer than the "
                    + replies + " of " + repliesTopic + "; give it at least as many");
        }
    }

    /**
     * Commits the dirty ones of {@code states}. On a fenced or unauthorised producer it throws (the
     * loop stops); on any other failure it aborts and keeps everything staged for the next attempt.
     */
    void commit(Collection<ReplyWork.PartitionState> states) {
        List<ReplyWork.PartitionState> dirty = states.stream().filter(s -> s.dirty).toList();
        if (dirty.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        List<ProducerRecord<String, byte[]>> records = new java.util.ArrayList<>();
        for (ReplyWork.PartitionState s : dirty) {
            records.addAll(s.staged);
            OffsetAndMetadata commit = s.progress.toCommit();
            if (commit != null) {
                offsets.put(s.tp, commit);
            }
        }
        if (!TransactionalCommit.commit(producer, records, offsets, consumer.groupMetadata(), "reply")) {
            return;
        }
        for (ReplyWork.PartitionState s : dirty) {
            s.staged.clear();
            s.dirty = false;
        }
        metrics.committed();
    }
}
