package dev.wecompipeline.engine;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * What a service plugs into the {@link ProcessingEngine}: what to do with a record and what to
 * produce when it is done. Everything else (the consumer, the transactional producer, progress,
 * per-key order, backpressure, rebalances, commits, shutdown) is the engine's.
 *
 * <p>{@link #intake}, {@link #start}, {@link #cancel}, {@link #unload} and the suppliers given to a
 * {@link TaskHandle} run on the engine's loop thread, so a processor's own per-partition state
 * needs no locking. {@link #load} runs wherever its future completes.
 *
 * @param <T> the processor's task: what {@link #intake} queues and {@link #start} starts
 */
public interface Processor<T> {

    /** Decides what a polled record needs: nothing more ({@link Intake#done}) or a task under a key. */
    Intake<T> intake(ConsumerRecord<String, byte[]> record);

    /**
     * Starts a task whose key has nothing else in flight. Must not block: long work runs elsewhere
     * and reports through {@code handle}, exactly once with finish or abandon.
     */
    void start(T task, TaskHandle handle);

    /** The task's partition is going away: stop at the next step if possible (its result will be dropped). */
    default void cancel(T task) {
    }

    /**
     * Builds what the processor needs before it takes records of {@code partition} (indexes read
     * from other topics), off the loop thread, while the engine keeps that partition paused. The
     * returned action installs the result and runs on the loop thread, only if the partition is
     * still owned. A failed future is retried.
     *
     * @param committedOffset the partition's committed offset, or -1 when it has none
     */
    default CompletableFuture<Runnable> load(TopicPartition partition, long committedOffset) {
        return CompletableFuture.completedFuture(() -> { });
    }

    /** Forgets what {@link #load} built: the partition was revoked, lost or reset. */
    default void unload(TopicPartition partition) {
    }

    /** The record that stands for {@code record} in the dead-letter topic, saying why. */
    ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<String, byte[]> record, String reason);

    /**
     * What {@link #intake} decided.
     *
     * @param key     the scheduling key (one task in flight per key, in record order); null when done
     * @param task    the task to start; null when done
     * @param outputs for a record done at intake: what to produce with its offset
     * @param outcome a word for logs and metrics
     */
    record Intake<T>(String key, T task, List<ProducerRecord<String, byte[]>> outputs, String outcome) {

        public static <T> Intake<T> queue(String key, T task) {
            return new Intake<>(key, task, List.of(), "queued");
        }

        public static <T> Intake<T> done(String outcome, List<ProducerRecord<String, byte[]>> outputs) {
            return new Intake<>(null, null, outputs, outcome);
        }

        boolean isDone() {
            return task == null;
        }
    }
}
