package dev.wecompipeline.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.wecompipeline.kafka.PartitionReader.Start;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link PartitionReader} against a real broker: where a read starts, where it ends, and its deadline. */
@ExtendWith(KafkaBrokerExtension.class)
class PartitionReaderTest {

    private static final Duration GENEROUS = Duration.ofSeconds(30);

    @Test
    void reads_to_the_end_as_of_the_call_not_what_is_written_meanwhile(KafkaBroker kafka) throws Exception {
        TopicPartition tp = new TopicPartition(topic(kafka, 1), 0);
        try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
            send(producer, tp, 0, 5);
            List<String> read = new ArrayList<>();
            try (PartitionReader reader = reader(kafka, GENEROUS)) {
                boolean complete = reader.read(tp, Start.BEGINNING, r -> {
                    if (read.isEmpty()) {
                        // Written after the read started: beyond the end it reads to.
                        send(producer, tp, 5, 3);
                    }
                    read.add(text(r));
                });
                assertTrue(complete);
            }
            assertEquals(List.of("v0", "v1", "v2", "v3", "v4"), read);
        }
    }

    @Test
    void starts_at_an_offset_or_at_a_time_and_stops_before_a_given_offset(KafkaBroker kafka) throws Exception {
        TopicPartition tp = new TopicPartition(topic(kafka, 1), 0);
        try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
            for (int i = 0; i < 5; i++) {
                // Record times 1000, 2000, ... 5000.
                producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), (i + 1) * 1000L, "k", value(i))).get();
            }
        }
        try (PartitionReader reader = reader(kafka, GENEROUS)) {
            assertEquals(List.of("v2", "v3", "v4"), readAll(reader, tp, Start.atOffset(2)));
            assertEquals(List.of("v2", "v3", "v4"), readAll(reader, tp, Start.atTime(2500)));
            assertEquals(List.of(), readAll(reader, tp, Start.atTime(9000)), "nothing at or after the time");
            List<String> head = new ArrayList<>();
            assertTrue(reader.read(tp, Start.BEGINNING, 2, r -> head.add(text(r))));
            assertEquals(List.of("v0", "v1"), head);
        }
    }

    @Test
    void reads_every_partition_of_a_topic(KafkaBroker kafka) throws Exception {
        String topic = topic(kafka, 3);
        try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
            for (int p = 0; p < 3; p++) {
                send(producer, new TopicPartition(topic, p), p * 10, 2);
            }
        }
        List<String> read = new ArrayList<>();
        try (PartitionReader reader = reader(kafka, GENEROUS)) {
            assertTrue(reader.readTopic(topic, Start.BEGINNING, r -> read.add(text(r))));
        }
        assertEquals(List.of("v0", "v1", "v10", "v11", "v20", "v21"), read.stream().sorted().toList());
    }

    @Test
    void does_not_wait_for_an_open_transaction_but_cannot_read_into_it(KafkaBroker kafka) throws Exception {
        TopicPartition tp = new TopicPartition(topic(kafka, 1), 0);
        try (KafkaProducer<String, byte[]> plain = producer(kafka);
             KafkaProducer<String, byte[]> open = transactional(kafka)) {
            send(plain, tp, 0, 3);
            open.initTransactions();
            open.beginTransaction();
            open.send(new ProducerRecord<>(tp.topic(), tp.partition(), "k", value(3))).get();
            open.send(new ProducerRecord<>(tp.topic(), tp.partition(), "k", value(4))).get();

            try (PartitionReader reader = reader(kafka, Duration.ofSeconds(2))) {
                // read_committed: the end is the last stable offset, before the open transaction.
                assertEquals(List.of("v0", "v1", "v2"), readAll(reader, tp, Start.BEGINNING));
                List<String> read = new ArrayList<>();
                boolean complete = assertTimeoutPreemptively(GENEROUS,
                        () -> reader.read(tp, Start.BEGINNING, 5, r -> read.add(text(r))));
                assertFalse(complete, "offset 5 lies behind the open transaction: the deadline ends the read");
                assertEquals(List.of("v0", "v1", "v2"), read);
            }
            open.abortTransaction();
        }
    }

    @Test
    void an_offset_beyond_the_end_is_never_reached_the_deadline_says_so(KafkaBroker kafka) throws Exception {
        TopicPartition tp = new TopicPartition(topic(kafka, 1), 0);
        try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
            send(producer, tp, 0, 2);
        }
        try (PartitionReader reader = reader(kafka, Duration.ofMillis(500))) {
            List<String> read = new ArrayList<>();
            boolean complete = assertTimeoutPreemptively(GENEROUS,
                    () -> reader.read(tp, Start.BEGINNING, Long.MAX_VALUE, r -> read.add(text(r))));
            assertFalse(complete);
            assertEquals(List.of("v0", "v1"), read, "what there was is still handed over");
        }
    }

    private static List<String> readAll(PartitionReader reader, TopicPartition tp, Start start) {
        List<String> out = new ArrayList<>();
        assertTrue(reader.read(tp, start, r -> out.add(text(r))));
        return out;
    }

    private static String topic(KafkaBroker kafka, int partitions) throws Exception {
        String topic = "reader-" + UUID.randomUUID();
        try (Admin admin = Admin.create(KafkaClientSettings.admin(kafka.bootstrapServers(), "reader-test-admin"))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
        return topic;
    }

    private static PartitionReader reader(KafkaBroker kafka, Duration timeout) {
        return new PartitionReader(KafkaConnection.plain(kafka.bootstrapServers()), "reader-test", timeout);
    }

    private static KafkaProducer<String, byte[]> producer(KafkaBroker kafka) {
        return new KafkaProducer<>(KafkaClientSettings.producer(kafka.bootstrapServers(), "reader-test-producer"),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaProducer<String, byte[]> transactional(KafkaBroker kafka) {
        Map<String, Object> p = KafkaClientSettings.transactionalProducer(
                KafkaConnection.plain(kafka.bootstrapServers()), "reader-test-tx-" + UUID.randomUUID(), 60_000);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Sends values {@code v<from>} .. {@code v<from+count-1>} and waits for each acknowledgement. */
    private static void send(KafkaProducer<String, byte[]> producer, TopicPartition tp, int from, int count) {
        try {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), "k", value(i))).get();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] value(int i) {
        return ("v" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static String text(ConsumerRecord<String, byte[]> r) {
        return new String(r.value(), StandardCharsets.UTF_8);
    }
}
