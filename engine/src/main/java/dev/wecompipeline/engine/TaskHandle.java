package dev.wecompipeline.engine;

import java.util.List;
import java.util.function.Supplier;

import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * How a started task reports back; callable from any thread. The suppliers run later on the
 * engine's loop thread, and only while the task's partition is still owned by this assignment,
 * so a late result of a partition that moved on is dropped without touching processor state.
 */
public interface TaskHandle {

    /**
     * Outputs that hold whatever happens to the record later (a delivery marker of a chunk WeCom
     * accepted): committed with the next transaction, before the record itself is finished.
     */
    void emit(Supplier<List<ProducerRecord<String, byte[]>>> outputs);

    /** The record is done: its outputs are committed in the same transaction as its offset. Once. */
    void finish(String outcome, Supplier<List<ProducerRecord<String, byte[]>>> outputs);

    /** The task stopped without finishing (cancelled): the record is left to the next owner. Once. */
    void abandon();
}
