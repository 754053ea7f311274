package dev.wecompipeline.kafka;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consume-transform-produce commit: the records a poll loop staged and the consumed offsets,
 * in one Kafka transaction. The worker (replies, sessions, dead letters) and the reply-service
 * (delivery markers, dead letters) both commit this way.
 *
 * <p>Failure handling follows the producer's contract: a fenced or unauthorised producer is fatal
 * and rethrown; a {@code commitTransaction} that times out is retried as is (the commit may still
 * complete, and aborting then would be an error the client cannot recover from); anything else
 * aborts, and the caller keeps its records staged for the next attempt.
 */
public final class TransactionalCommit {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionalCommit.class);
    /** Attempts at a commit that keeps timing out before the transaction is given up (the client then needs a restart). */
    static final int COMMIT_ATTEMPTS = 5;

    private TransactionalCommit() {
    }

    /**
     * @return true when the transaction committed; false when it was aborted (nothing visible)
     * @throws ProducerFencedException and the other fatal errors: the caller must stop
     */
    public static boolean commit(Producer<String, byte[]> producer, List<ProducerRecord<String, byte[]>> records,
                                 Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group,
                                 String who) {
        try {
            producer.beginTransaction();
            for (ProducerRecord<String, byte[]> r : records) {
                producer.send(r);
            }
            producer.sendOffsetsToTransaction(offsets, group);
        } catch (ProducerFencedException | InvalidProducerEpochException | AuthorizationException fatal) {
            throw fatal;
        } catch (KafkaException e) {
            abort(producer, who, records.size(), e);
            return false;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                producer.commitTransaction();
                return true;
            } catch (ProducerFencedException | InvalidProducerEpochException | AuthorizationException fatal) {
                throw fatal;
            } catch (TimeoutException e) {
                if (attempt >= COMMIT_ATTEMPTS) {
                    throw new IllegalStateException(who + ": commit of " + records.size()
                            + " records timed out " + attempt + " times; Kafka unreachable", e);
                }
                LOG.warn("{}: commit timed out (attempt {} of {}), retrying it: {}", who, attempt, COMMIT_ATTEMPTS,
                        e.getMessage());
            } catch (KafkaException e) {
                abort(producer, who, records.size(), e);
                return false;
            }
        }
    }

    private static void abort(Producer<String, byte[]> producer, String who, int records, KafkaException cause) {
        LOG.warn("{}: commit of {} records failed, will retry: {}", who, records, cause.toString());
        try {
            producer.abortTransaction();
        } catch (KafkaException abortFailed) {
            LOG.warn("{}: abort failed: {}", who, abortFailed.toString());
        }
    }
}
