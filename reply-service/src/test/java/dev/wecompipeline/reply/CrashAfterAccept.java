package dev.wecompipeline.reply;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import dev.wecompipeline.engine.Processor;
import dev.wecompipeline.engine.TaskHandle;
import dev.wecompipeline.testkit.CrashSwitch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * A test decorator of the reply processor: once armed, the loop dies when it takes the news of a
 * chunk WeCom accepted, before the chunk's marker is even staged. The worst moment to die.
 * {@link #acceptsBeforeCrash} lets that many acceptances through first.
 */
final class CrashAfterAccept implements UnaryOperator<Processor<ReplyWork>> {

    volatile boolean armed;
    /** Acceptances recorded normally before the armed crash. */
    final AtomicInteger acceptsBeforeCrash = new AtomicInteger();

    @Override
    public Processor<ReplyWork> apply(Processor<ReplyWork> real) {
        return new Processor<>() {
            @Override
            public Intake<ReplyWork> intake(ConsumerRecord<String, byte[]> record) {
                return real.intake(record);
            }

            @Override
            public void start(ReplyWork task, TaskHandle handle) {
                real.start(task, new TaskHandle() {
                    @Override
                    public void emit(Supplier<List<ProducerRecord<String, byte[]>>> outputs) {
                        handle.emit(() -> {
                            if (armed && acceptsBeforeCrash.getAndDecrement() <= 0) {
                                throw new CrashSwitch.SimulatedCrash("after WeCom accepted a chunk, before its marker");
                            }
                            return outputs.get();
                        });
                    }

                    @Override
                    public void finish(String outcome, Supplier<List<ProducerRecord<String, byte[]>>> outputs) {
                        handle.finish(outcome, outputs);
                    }

                    @Override
                    public void abandon() {
                        handle.abandon();
                    }
                });
            }

            @Override
            public void cancel(ReplyWork task) {
                real.cancel(task);
            }

            @Override
            public CompletableFuture<Runnable> load(TopicPartition partition, long committedOffset) {
                return real.load(partition, committedOffset);
            }

            @Override
            public void unload(TopicPartition partition) {
                real.unload(partition);
            }

            @Override
            public ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
                return real.deadLetter(record, reason);
            }
        };
    }
}
