package dev.wecompipeline.reply;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits, in ONE Kafka transaction, the staged delivery markers and dead letters of the given
 * partitions together with their progress (offset of the contiguous finished prefix, finished
 * records beyond it in the metadata), with the consumer's group metadata so that an instance that
 * lost its partitions cannot commit for them (KIP-447). Used by the poll thread only.
 */
final class ReplyCommitter {

    private static final Logger LOG = LoggerFactory.getLogger(ReplyCommitter.class);

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
        try {
            producer.beginTransaction();
            for (ReplyWork.PartitionState s : dirty) {
                for (ProducerRecord<String, byte[]> r : s.staged) {
                    producer.send(r);
                }
                OffsetAndMetadata commit = s.progress.toCommit();
                if (commit != null) {
                    offsets.put(s.tp, commit);
                }
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction();
        } catch (ProducerFencedException | InvalidProducerEpochException | AuthorizationException fatal) {
            throw fatal;
        } catch (KafkaException e) {
            // Nothing of it is visible; the staged records stay and go out with the next transaction.
            LOG.warn("reply: commit failed, will retry: {}", e.toString());
            try {
                producer.abortTransaction();
            } catch (KafkaException abortFailed) {
                LOG.warn("reply: abort failed: {}", abortFailed.toString());
            }
            return;
        }
        for (ReplyWork.PartitionState s : dirty) {
            s.staged.clear();
            s.dirty = false;
        }
        metrics.committed();
    }
}
