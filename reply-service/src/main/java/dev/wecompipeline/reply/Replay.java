package dev.wecompipeline.reply;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.kafka.KafkaConnection;
import dev.wecompipeline.kafka.PartitionReader;
import dev.wecompipeline.kafka.RecordHeaders;
import dev.wecompipeline.kafka.Republish;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Re-runs inbound messages of a time window: reads {@code wecom.inbound} from the window's start to
 * its current end, picks the readable messages matching a {@link Filter}, and publishes copies to
 * the same topic with their key, value and original headers plus {@link RecordHeaders#REPLAY}. The
 * inbound topic is the replay log; the worker's dedupe lets a replayed copy through, so the user
 * gets a fresh answer. The counterpart of {@link Redrive}, which puts failed replies back.
 *
 * <pre>{@code
 * Replay.Result r = Replay.run(config, bootstrap, new Replay.Filter(from, null, "zhangsan", null), false, System.out);
 * }</pre>
 */
public final class Replay {

    /** How long to wait for the inbound topic to be read and for Kafka to acknowledge the copies. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    /**
     * Which inbound messages to replay; a null field other than {@code from} matches everything.
     *
     * @param from start of the window (the first record at or after it, by record timestamp)
     * @param to   end of the window, exclusive; null for the time of the run
     * @param user {@code corp_id:user_id}, or a bare user id matching that user in every corp
     * @param app  the {@code wecom-app} header
     */
    public record Filter(Instant from, Instant to, String user, String app) {

        public Filter {
            Objects.requireNonNull(from, "from");
        }

        boolean matches(ConsumerRecord<String, byte[]> r) {
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

    /**
     * @param matched   messages in the window matching the filter
     * @param published copies published (0 on a dry run)
     * @param complete  false when the topic could not be read to its end in time: only what was
     *                  read is replayed
     */
    public record Result(int matched, int published, boolean complete) {
    }

    private Replay() {
    }

    /**
     * Replays the inbound messages matching {@code filter}, listing each on {@code out}.
     *
     * @param dryRun list only, publish nothing
     * @throws IllegalStateException when Kafka does not acknowledge the copies within {@link #TIMEOUT}
     */
    public static Result run(PipelineConfig config, String bootstrapServers, Filter filter, boolean dryRun,
                             PrintStream out) {
        KafkaConnection kafka = KafkaConnection.of(bootstrapServers, config.kafka());
        String topic = config.kafka().inboundTopic();
        long endMs = (filter.to() == null ? Instant.now() : filter.to()).toEpochMilli();
        List<ConsumerRecord<String, byte[]>> chosen = new ArrayList<>();
        boolean complete;
        try (PartitionReader reader = new PartitionReader(kafka, "wecom-replay", TIMEOUT)) {
            complete = reader.readTopic(topic, PartitionReader.Start.atTime(filter.from().toEpochMilli()), r -> {
                if (r.timestamp() < endMs && filter.matches(r)) {
                    chosen.add(r);
                }
            });
        }
        List<ProducerRecord<String, byte[]>> copies = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : chosen) {
            InboundMessage m = JsonSerde.inbound().deserialize(topic, r.value());
            out.printf("replay: %s %s %s@%d %s %s%n", Instant.ofEpochMilli(r.timestamp()), r.key(),
                    r.topic(), r.offset(), m.msgType(), m.messageId());
            copies.add(Republish.of(r).with(RecordHeaders.REPLAY, "true").to(topic));
        }
        int published = dryRun ? 0 : OneOffProducer.sendAll(kafka, "replay", copies, TIMEOUT);
        return new Result(chosen.size(), published, complete);
    }
}
