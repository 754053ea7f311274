package dev.wecompipeline.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * One consume-transform-produce transaction, with its failures sorted as Kafka's producer sorts
 * them (see {@code KafkaProducer}'s transactional example):
 * <ul>
 *   <li><b>fatal</b>: fenced, out of order, unsupported, unauthorised, or any state in which the
 *       producer cannot even abort. The producer must be closed and a new one built; the work
 *       since the last commit is redone from what is committed.</li>
 *   <li><b>abortable</b>: everything else. The transaction is aborted and the same outputs are
 *       committed again in the next one. A send that failed for its own record (too large,
 *       invalid) is reported, so that record's outputs can be replaced by a dead letter.</li>
 *   <li><b>pending</b>: {@code commitTransaction} timed out. It may still complete and must not be
 *       aborted: the next attempt calls {@code commitTransaction} again.</li>
 * </ul>
 * Stateless: the caller keeps the producer and the outputs.
 */
final class TransactionalCommitter {

    enum Result { COMMITTED, ABORTED, PENDING, FATAL }

    /**
     * @param poisoned indexes of records whose own send failed and can never succeed
     */
    record Attempt(Result result, RuntimeException cause, List<Integer> poisoned) {
        static Attempt of(Result result, RuntimeException cause) {
            return new Attempt(result, cause, List.of());
        }
    }

    private TransactionalCommitter() {
    }

    static Attempt commit(Producer<String, byte[]> producer, List<ProducerRecord<String, byte[]>> records,
                          Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        List<Future<RecordMetadata>> sends = new ArrayList<>(records.size());
        try {
            producer.beginTransaction();
            for (ProducerRecord<String, byte[]> r : records) {
                sends.add(producer.send(r));
            }
            if (!offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(offsets, group);
            }
        } catch (KafkaException e) {
            return isFatal(e) ? Attempt.of(Result.FATAL, e) : abort(producer, e, sends);
        } catch (IllegalStateException e) {
            return Attempt.of(Result.FATAL, e);
        }
        return finish(producer, sends);
    }

    /** Commits the open transaction, or retries a commit that timed out. */
    static Attempt finish(Producer<String, byte[]> producer, List<Future<RecordMetadata>> sends) {
        try {
            producer.commitTransaction();
            return Attempt.of(Result.COMMITTED, null);
        } catch (TimeoutException e) {
            return Attempt.of(Result.PENDING, e);
        } catch (KafkaException e) {
            return isFatal(e) ? Attempt.of(Result.FATAL, e) : abort(producer, e, sends);
        } catch (IllegalStateException e) {
            return Attempt.of(Result.FATAL, e);
        }
    }

    static boolean isFatal(Throwable e) {
        return e instanceof ProducerFencedException || e instanceof OutOfOrderSequenceException
                || e instanceof UnsupportedVersionException || e instanceof AuthorizationException
                || e instanceof FencedInstanceIdException;
    }

    private static Attempt abort(Producer<String, byte[]> producer, KafkaException cause,
                                 List<Future<RecordMetadata>> sends) {
        try {
            producer.abortTransaction();
        } catch (KafkaException | IllegalStateException abortFailed) {
            // A producer that cannot abort is in a fatal state, whatever the first error looked like.
            cause.addSuppressed(abortFailed);
            return Attempt.of(Result.FATAL, cause);
        }
        return new Attempt(Result.ABORTED, cause, poisoned(sends));
    }

    private static List<Integer> poisoned(List<Future<RecordMetadata>> sends) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < sends.size(); i++) {
            Future<RecordMetadata> f = sends.get(i);
            if (!f.isDone()) {
                continue;
            }
            try {
                f.get();
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RecordTooLargeException || c instanceof RecordBatchTooLargeException
                        || c instanceof InvalidRecordException || c instanceof SerializationException) {
                    out.add(i);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException ignored) {
                // Cancelled or aborted with the transaction: not this record's own fault.
            }
        }
        return out;
    }
}
