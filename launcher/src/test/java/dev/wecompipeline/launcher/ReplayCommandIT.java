package dev.wecompipeline.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.RecordHeaders;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaBrokerExtension.class)
class ReplayCommandIT {

    @TempDir
    Path workDir;

    @Test
    void replay_lists_with_dry_run_and_republishes_the_window_marked_as_replays(KafkaBroker kafka) throws Exception {
        String topic = "replay.inbound." + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = Admin.create(KafkaClientSettings.admin(kafka.bootstrapServers(), "it"))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
        }
        Instant from = Instant.now().minusSeconds(5);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(KafkaClientSettings.producer(kafka.bootstrapServers(), "it"),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 6; i++) {
                String user = i % 2 == 0 ? "alice" : "bob";
                InboundMessage m = new InboundMessage(1, "rp-" + i, "default", "wwcorp", "1000002", user, "text",
                        Instant.now().getEpochSecond(), "text " + i, Map.of(), System.currentTimeMillis(), "t" + i);
                ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, m.userKey().toString(), JsonSerde.inbound().serialize(topic, m));
                RecordHeaders.put(r.headers(), RecordHeaders.APP, "default");
                p.send(r).get();
            }
        }
        Map<String, String> env = Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(), "KAFKA_TOPIC_INBOUND", topic);
        try (LauncherProcess dry = LauncherProcess.start(workDir, env, "replay", "--from", from.toString(), "--user", "alice", "--dry-run")) {
            assertEquals(0, dry.waitFor(Duration.ofSeconds(60)), dry.output());
            assertTrue(dry.output().contains("replay: 3 messages match (dry run"), dry.output());
        }
        assertEquals(6, readAll(kafka.bootstrapServers(), topic, 6).size(), "a dry run publishes nothing");
        try (LauncherProcess real = LauncherProcess.start(workDir, env, "replay", "--from", from.toString(), "--user", "alice")) {
            assertEquals(0, real.waitFor(Duration.ofSeconds(60)), real.output());
        }
        List<ConsumerRecord<String, byte[]>> all = readAll(kafka.bootstrapServers(), topic, 9);
        List<ConsumerRecord<String, byte[]>> replays = all.stream()
                .filter(r -> RecordHeaders.get(r.headers(), RecordHeaders.REPLAY).isPresent()).toList();
        assertEquals(3, replays.size());
        assertTrue(replays.stream().allMatch(r -> r.key().equals("wwcorp:alice")));
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic, int expected) {
        Map<String, Object> c = KafkaClientSettings.consumer(bootstrap, "x", "it-reader");
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
                return out.size() >= expected;
            });
            long quiet = System.nanoTime() + Duration.ofMillis(300).toNanos();
            while (System.nanoTime() < quiet) {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
            }
        }
        return out;
    }
}
