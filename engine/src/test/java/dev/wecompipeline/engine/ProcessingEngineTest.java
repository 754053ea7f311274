package dev.wecompipeline.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The engine driven round by round with Kafka's mock clients and a hand-moved clock: scheduling,
 * held-back records, abortable and fatal commit failures, revocation with work in flight, honest
 * readiness, and outputs that cannot be produced.
 */
class ProcessingEngineTest {

    private static final String TOPIC = "in";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
    private final List<MockProducer<String, byte[]>> producers = new ArrayList<>();
    private final List<Throwable> deaths = new CopyOnWriteArrayList<>();
    private final Scripted processor = new Scripted();

    /** Finishes "auto" records at once; holds the rest until the test finishes them. */
    static final class Scripted implements Processor<ConsumerRecord<String, byte[]>> {
        final Map<Long, TaskHandle> running = new HashMap<>();
        final List<String> started = new ArrayList<>();
        final List<Long> cancelled = new ArrayList<>();
        int outputBytes = 10;

        @Override
        public Intake<ConsumerRecord<String, byte[]>> intake(ConsumerRecord<String, byte[]> record) {
            return Intake.queue(record.key(), record);
        }

        @Override
        public void start(ConsumerRecord<String, byte[]> task, TaskHandle handle) {
            String value = new String(task.value(), StandardCharsets.UTF_8);
            started.add(value);
            if (value.startsWith("auto")) {
                handle.finish("done", () -> List.of(output(task)));
            } else {
                running.put(task.offset(), handle);
            }
        }

        ProducerRecord<String, byte[]> output(ConsumerRecord<String, byte[]> task) {
            byte[] body = new byte[new String(task.value(), StandardCharsets.UTF_8).contains("big") ? outputBytes : 10];
            return new ProducerRecord<>("out", task.key(), body);
        }

        @Override
        public void cancel(ConsumerRecord<String, byte[]> task) {
            cancelled.add(task.offset());
        }

        @Override
        public ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
            return new ProducerRecord<>("dlq", record.key(), reason.getBytes(StandardCharsets.UTF_8));
        }
    }

    private ProcessingEngine<ConsumerRecord<String, byte[]>> engine(EngineSettings settings) {
        ProcessingEngine.Clients clients = new ProcessingEngine.Clients() {
            @Override
            public org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer() {
                return consumer;
            }

            @Override
            public Producer<String, byte[]> producer() {
                MockProducer<String, byte[]> p = new MockProducer<>(true, null, new StringSerializer(),
                        new ByteArraySerializer());
                producers.add(p);
                return p;
            }
        };
        ProcessingEngine<ConsumerRecord<String, byte[]>> e = new ProcessingEngine<>(settings, processor, List.of(TOPIC),
                clients, new SimpleMeterRegistry(), clock::get, deaths::add);
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        e.subscribe();
        consumer.rebalance(List.of(P0, P1));
        // Assignment reads the commits, loads, then resumes the partitions: a few rounds.
        rounds(e, 3);
        return e;
    }

    private static EngineSettings settings() {
        return EngineSettings.defaults("test", 16).withRevokeGrace(Duration.ZERO);
    }

    private void add(TopicPartition tp, long offset, String key, String value) {
        consumer.addRecord(new ConsumerRecord<>(tp.topic(), tp.partition(), offset, key,
                value.getBytes(StandardCharsets.UTF_8)));
    }

    /** Runs rounds with the clock moving past the retry interval of a failed commit each time. */
    private void rounds(ProcessingEngine<?> e, int n) {
        for (int i = 0; i < n; i++) {
            clock.addAndGet(Duration.ofMillis(150).toNanos());
            e.round();
        }
    }

    private MockProducer<String, byte[]> producer() {
        return producers.get(producers.size() - 1);
    }

    private List<String> committedKeys(String topic) {
        List<String> out = new ArrayList<>();
        for (MockProducer<String, byte[]> p : producers) {
            p.history().stream().filter(r -> r.topic().equals(topic)).forEach(r -> out.add(r.key()));
        }
        return out;
    }

    private OffsetAndMetadata lastCommitted(TopicPartition tp) {
        OffsetAndMetadata last = null;
        for (MockProducer<String, byte[]> p : producers) {
            for (var byGroup : p.consumerGroupOffsetsHistory()) {
                for (var offsets : byGroup.values()) {
                    if (offsets.containsKey(tp)) {
                        last = offsets.get(tp);
                    }
                }
            }
        }
        return last;
    }

    @Test
    void per_key_order_and_one_transaction_for_outputs_and_offsets() {
        var e = engine(settings());
        add(P0, 0, "a", "a-first");
        add(P0, 1, "a", "auto a-second");
        add(P0, 2, "b", "auto b");
        rounds(e, 3);
        assertEquals(List.of("a-first", "auto b"), processor.started, "a's second waits for its first");
        processor.running.get(0L).finish("done", () -> List.of(new ProducerRecord<>("out", "a", new byte[1])));
        rounds(e, 3);
        assertEquals(List.of("a-first", "auto b", "auto a-second"), processor.started);
        assertEquals(3, committedKeys("out").size(), "one output per record");
        assertEquals(3, lastCommitted(P0).offset());
        assertTrue(e.isReady());
    }

    @Test
    void a_record_held_back_while_thousands_pass_never_stops_commits() {
        var e = engine(EngineSettings.defaults("test", 1_000).withRevokeGrace(Duration.ZERO));
        add(P0, 0, "slow", "held");
        for (int i = 1; i <= 30_000; i++) {
            add(P0, i, "k" + (i % 500), "auto " + i);
        }
        rounds(e, 200);
        assertEquals(30_000, committedKeys("out").size(), "every other record committed");
        OffsetAndMetadata c = lastCommitted(P0);
        assertEquals(0, c.offset(), "the held record keeps the offset");
        assertTrue(c.metadata().length() < settings().metadataHighWater(), "metadata " + c.metadata().length());
        assertTrue(e.isReady());
        processor.running.get(0L).finish("done", List::of);
        rounds(e, 2);
        assertEquals(30_001, lastCommitted(P0).offset());
    }

    @Test
    void near_the_metadata_cap_records_beyond_the_done_span_wait_and_commits_go_on() {
        var e = engine(settings().withMetadataMaxBytes(200));
        // Every other record is held: the done set alternates, the worst case for the encoding.
        for (int i = 0; i < 2_000; i++) {
            add(P0, i, "k" + i, (i % 2 == 0 ? "held " : "auto ") + i);
        }
        rounds(e, 50);
        OffsetAndMetadata c = lastCommitted(P0);
        assertTrue(c.metadata().length() <= 200, "never over the cap: " + c.metadata().length());
        int started = processor.started.size();
        assertTrue(started < 2_000, "records beyond the done span stopped starting: " + started);
        assertTrue(e.isReady(), "a crowded partition is not a stalled loop");
        // Finishing the held ones lets the rest through.
        for (int round = 0; round < 100 && processor.started.size() < 2_000; round++) {
            new ArrayList<>(processor.running.values()).forEach(h -> h.finish("done", List::of));
            processor.running.clear();
            rounds(e, 2);
        }
        new ArrayList<>(processor.running.values()).forEach(h -> h.finish("done", List::of));
        rounds(e, 3);
        assertEquals(2_000, processor.started.size());
        assertEquals(2_000, lastCommitted(P0).offset());
        assertEquals(1_000, committedKeys("out").size(), "the auto ones produced once each");
    }

    @Test
    void an_aborted_commit_is_redone_and_produces_once() {
        var e = engine(settings());
        rounds(e, 1);
        producer().commitTransactionException = new KafkaException("broker said no");
        add(P0, 0, "a", "auto 0");
        rounds(e, 2);
        assertTrue(producer().transactionAborted());
        producer().commitTransactionException = null;
        rounds(e, 2);
        assertEquals(List.of("a"), committedKeys("out"));
        assertEquals(1, lastCommitted(P0).offset());
        assertEquals(1, producers.size(), "an abortable error keeps the producer");
    }

    @Test
    void finished_work_commits_in_the_next_round_and_a_failed_commit_waits_before_it_is_tried_again() {
        var e = engine(settings());
        add(P0, 0, "a", "slow");
        add(P0, 1, "b", "slow");
        e.round();
        // The clock stands still from here: nothing waits for an interval to pass.
        processor.running.get(0L).finish("done", () -> List.of(new ProducerRecord<>("out", "a", new byte[1])));
        e.round();
        assertEquals(List.of("a"), committedKeys("out"), "committed in the round that saw it finish");
        processor.running.get(1L).finish("done", () -> List.of(new ProducerRecord<>("out", "b", new byte[1])));
        e.round();
        assertEquals(List.of("a", "b"), committedKeys("out"), "and the next right after it");
        producer().commitTransactionException = new KafkaException("broker said no");
        add(P0, 2, "c", "auto c");
        e.round();
        assertTrue(producer().transactionAborted());
        producer().commitTransactionException = null;
        for (int i = 0; i < 10; i++) {
            e.round();
        }
        assertEquals(List.of("a", "b"), committedKeys("out"), "a failed commit is not retried round after round");
        clock.addAndGet(CommitCycle.RETRY_INTERVAL.toNanos());
        e.round();
        assertEquals(List.of("a", "b", "c"), committedKeys("out"));
        assertEquals(3, lastCommitted(P0).offset());
    }

    @Test
    void a_fenced_producer_is_rebuilt_and_work_is_redone_from_the_commit() {
        var e = engine(settings());
        add(P0, 0, "a", "auto 0");
        rounds(e, 2);
        assertEquals(1, lastCommitted(P0).offset());
        consumer.commitSync(Map.of(P0, lastCommitted(P0)));
        add(P0, 1, "a", "auto 1");
        producer().fenceProducer();
        rounds(e, 2);
        assertEquals(2, producers.size(), "a new producer after the fatal error");
        // The consumer was sent back to the commit: a real broker delivers record 1 again.
        add(P0, 1, "a", "auto 1");
        rounds(e, 4);
        assertEquals(List.of("a", "a"), committedKeys("out"), "record 1 produced once, by the new producer");
        assertEquals(2, lastCommitted(P0).offset());
        assertTrue(deaths.isEmpty());
    }

    @Test
    void revocation_cancels_work_in_flight_commits_what_finished_and_drops_late_results() {
        var e = engine(settings());
        add(P0, 0, "a", "slow");
        add(P0, 1, "b", "auto 1");
        rounds(e, 1);
        consumer.rebalance(List.of(P1));
        assertEquals(List.of(0L), processor.cancelled);
        assertEquals(List.of("b"), committedKeys("out"), "finished work committed at revocation");
        assertEquals(0, lastCommitted(P0).offset());
        processor.running.get(0L).finish("done", () -> List.of(new ProducerRecord<>("out", "late", new byte[1])));
        rounds(e, 2);
        assertEquals(List.of("b"), committedKeys("out"), "the late result of a revoked partition is dropped");
        assertEquals(1.0, e.recordCount("discarded"));
    }

    @Test
    void a_loop_that_cannot_commit_turns_unready_and_ready_again_when_it_can() {
        var e = engine(settings().withStallTimeout(Duration.ofSeconds(60)));
        rounds(e, 1);
        producer().commitTransactionException = new KafkaException("still failing");
        add(P0, 0, "a", "auto 0");
        rounds(e, 2);
        assertTrue(e.isReady(), "a failure or two is not a stall");
        for (int i = 0; i < 500; i++) {
            rounds(e, 1);
        }
        assertFalse(e.isReady(), "75 s without a commit");
        producer().commitTransactionException = null;
        rounds(e, 2);
        assertTrue(e.isReady());
        assertEquals(List.of("a"), committedKeys("out"));
    }

    @Test
    void an_output_too_large_to_produce_becomes_a_dead_letter_and_the_rest_commits() {
        var e = engine(settings());
        processor.outputBytes = settings().maxRecordBytes() + 1;
        add(P0, 0, "big", "auto big");
        rounds(e, 1);
        add(P0, 1, "small", "auto small");
        rounds(e, 2);
        assertEquals(List.of("small"), committedKeys("out"));
        assertEquals(List.of("big"), committedKeys("dlq"));
        assertEquals(2, lastCommitted(P0).offset());
    }

    @Test
    void a_busy_key_is_bounded_and_does_not_hold_back_another_key() {
        var e = engine(settings().withQueueBounds(5, 1_000));
        for (int i = 0; i < 2_000; i++) {
            add(P0, i, "busy", "slow " + i);
        }
        add(P0, 2_000, "other", "auto other");
        rounds(e, 2);
        assertTrue(processor.started.contains("auto other"), "the other key started at once");
        assertEquals(1, processor.running.size(), "the busy key runs one at a time");
        assertEquals(List.of("other"), committedKeys("out"));
        assertEquals(0, lastCommitted(P0).offset(), "the deferred records keep the offset");
    }

    @Test
    void a_loop_that_dies_reports_it_and_commits_nothing_more() {
        ProcessingEngine<ConsumerRecord<String, byte[]>> e = engine(settings());
        consumer.setPollException(new KafkaException("poll broke for good"));
        Thread t = new Thread(e);
        t.start();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !deaths.isEmpty());
        assertEquals(1, deaths.size());
        assertFalse(e.isRunning());
        assertFalse(e.isReady());
    }
}
