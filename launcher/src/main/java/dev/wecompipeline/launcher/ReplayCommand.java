package dev.wecompipeline.launcher;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;

import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.KafkaConnection;
import dev.wecompipeline.kafka.RecordHeaders;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wecom-pipeline replay}: re-runs inbound messages of a time window. The inbound topic is
 * the replay log; replayed copies carry the {@code wecom-replay} header, which the worker's dedupe
 * lets through, so the user gets a fresh answer.
 */
@Command(name = "replay",
        mixinStandardHelpOptions = true,
        description = {
                "Re-publishes inbound messages of a time window (marked as replays) so they are answered again.",
                "--dry-run lists them only. The other route, resetting the worker group's offsets with",
                "kafka-consumer-groups.sh, is described in the README."})
final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--from", required = true, description = "Start of the window (ISO-8601, e.g. 2026-11-25T08:00:00Z).")
    Instant from;

    @Option(names = "--to", description = "End of the window, exclusive (default: now).")
    Instant to;

    @Option(names = "--user", description = "Only this user (bare id or corp_id:user_id).")
    String user;

    @Option(names = "--app", description = "Only this app.")
    String app;

    @Option(names = "--dry-run", description = "List the messages; publish nothing.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        PipelineConfig config = ServiceStartup.loadConfig();
        KafkaConnection kafka = KafkaConnection.of(ServiceStartup.requireExternalKafka(config), config.kafka());
        String topic = config.kafka().inboundTopic();
        Instant end = to == null ? Instant.now() : to;
        List<ConsumerRecord<String, byte[]>> chosen = new ArrayList<>();
        Map<String, Object> c = KafkaClientSettings.consumer(kafka, "x", "wecom-replay");
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            Map<TopicPartition, Long> query = new HashMap<>();
            parts.forEach(tp -> query.put(tp, from.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query);
            Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
            for (TopicPartition tp : parts) {
                OffsetAndTimestamp s = starts.get(tp);
                consumer.seek(tp, s == null ? ends.get(tp) : s.offset());
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))
                            && r.timestamp() < end.toEpochMilli() && matches(r)) {
                        chosen.add(r);
                    }
                }
            }
        }
        try (KafkaProducer<String, byte[]> producer = dryRun ? null : new KafkaProducer<>(
                KafkaClientSettings.producer(kafka, "wecom-replay"), new StringSerializer(), new ByteArraySerializer())) {
            List<Future<?>> sent = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> r : chosen) {
                InboundMessage m = JsonSerde.inbound().deserialize(topic, r.value());
                System.out.printf("replay: %s %s %s@%d %s %s%n", Instant.ofEpochMilli(r.timestamp()), r.key(),
                        r.topic(), r.offset(), m.msgType(), m.messageId());
                if (producer != null) {
                    ProducerRecord<String, byte[]> copy = new ProducerRecord<>(topic, r.key(), r.value());
                    r.headers().forEach(h -> copy.headers().add(h));
                    RecordHeaders.put(copy.headers(), RecordHeaders.REPLAY, "true");
                    sent.add(producer.send(copy));
                }
            }
            for (Future<?> f : sent) {
                f.get();
            }
        }
        System.out.printf("replay: %d messages %s%n", chosen.size(), dryRun ? "match (dry run, nothing published)" : "re-published as replays");
        return 0;
    }

    private boolean matches(ConsumerRecord<String, byte[]> r) {
        try {
            if (JsonSerde.inbound().deserialize(r.topic(), r.value()) == null) {
                return false;
            }
        } catch (SerializationException unreadable) {
            // Unreadable records went to the dead-letter topic the first time; replaying them helps nobody.
            return false;
        }
        if (app != null && !RecordHeaders.get(r.headers(), RecordHeaders.APP).map(app::equals).orElse(false)) {
            return false;
        }
        if (user != null) {
            String key = r.key() == null ? "" : r.key();
            return key.equals(user) || key.endsWith(":" + user);
        }
        return true;
    }
}
