package dev.wecompipeline.reply;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.kafka.KafkaConnection;
import dev.wecompipeline.kafka.PartitionReader;
import dev.wecompipeline.kafka.RecordHeaders;
import dev.wecompipeline.kafka.Republish;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Puts dead letters back: reads {@code wecom.replies.dlq} up to its current end, picks the
 * records matching a {@link Filter}, and publishes them to {@code wecom.replies} with their key,
 * value and original headers (the failure headers removed, {@link DeadLetters#REDRIVEN_FROM} added).
 *
 * <p>Safe to repeat: a reply id dead-lettered several times is redriven once per run (its latest
 * dead letter), and the reply-service skips every chunk it has a delivery marker for, so a reply
 * redriven twice is still delivered once. A redriven reply is delivered again although its id was
 * seen before: it was never (fully) delivered, so only its undelivered chunks have no marker.
 *
 * <pre>{@code
 * Redrive.Result r = Redrive.run(config, bootstrap, Redrive.Filter.ALL.withErrcode("60020"), false, System.out);
 * }</pre>
 */
public final class Redrive {

    /** How long to wait for the dead-letter topic to be read and for Kafka to acknowledge the redriven records. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    /**
     * Which dead letters to redrive; a null field matches everything.
     *
     * @param app     app name ({@code wecom-app} header or the reply's app)
     * @param user    {@code corp_id:user_id}, or a bare user id matching that user in every corp
     * @param errcode the {@link DeadLetters#ERRCODE} header, e.g. {@code 60020} or {@code unknown_app}
     * @param from    dead-lettered at or after (record timestamp)
     * @param to      dead-lettered before
     */
    public record Filter(String app, String user, String errcode, Instant from, Instant to) {

        public static final Filter ALL = new Filter(null, null, null, null, null);

        public Filter withApp(String value) {
            return new Filter(value, user, errcode, from, to);
        }

        public Filter withUser(String value) {
            return new Filter(app, value, errcode, from, to);
        }

        public Filter withErrcode(String value) {
            return new Filter(app, user, value, from, to);
        }

        public Filter between(Instant fromInclusive, Instant toExclusive) {
            return new Filter(app, user, errcode, fromInclusive, toExclusive);
        }

        boolean matches(ConsumerRecord<String, byte[]> r) {
            String key = r.key() == null ? "" : r.key();
            String bareUser = key.indexOf(':') >= 0 ? key.substring(key.indexOf(':') + 1) : key;
            return (app == null || app.equals(appOf(r)))
                    && (user == null || user.equals(key) || user.equals(bareUser))
                    && (errcode == null || errcode.equals(header(r, DeadLetters.ERRCODE).orElse(null)))
                    && (from == null || r.timestamp() >= from.toEpochMilli())
                    && (to == null || r.timestamp() < to.toEpochMilli());
        }
    }

    /**
     * @param examined  dead letters read
     * @param matched   of those, matching the filter
     * @param redriven  published back to the replies topic (0 on a dry run; matches of the same
     *                  reply id count once)
     */
    public record Result(int examined, int matched, int redriven) {
    }

    private Redrive() {
    }

    /**
     * Redrives the dead letters matching {@code filter}, listing each on {@code out}.
     *
     * @param dryRun list only, publish nothing
     * @throws IllegalStateException when Kafka does not answer within {@link #TIMEOUT}
     */
    public static Result run(PipelineConfig config, String bootstrapServers, Filter filter, boolean dryRun,
                             PrintStream out) {
        String dlq = config.kafka().repliesDlqTopic();
        KafkaConnection kafka = KafkaConnection.of(bootstrapServers, config.kafka());
        List<ConsumerRecord<String, byte[]>> all = readAll(kafka, dlq);
        // The latest dead letter of each reply id: one redrive per reply, however often it failed.
        Map<String, ConsumerRecord<String, byte[]>> chosen = new LinkedHashMap<>();
        int matched = 0;
        for (ConsumerRecord<String, byte[]> r : all) {
            if (filter.matches(r)) {
                matched++;
                String id = header(r, RecordHeaders.REPLY_ID).orElse(r.topic() + "-" + r.partition() + "@" + r.offset());
                chosen.remove(id);
                chosen.put(id, r);
            }
        }
        for (ConsumerRecord<String, byte[]> r : chosen.values()) {
            out.printf("%s %s-%d@%d app=%s user=%s errcode=%s attempts=%s reply=%s errmsg=%s%n",
                    dryRun ? "would redrive" : "redrive", r.topic(), r.partition(), r.offset(),
                    header(r, RecordHeaders.APP).orElse("?"), r.key(), header(r, DeadLetters.ERRCODE).orElse("?"),
                    header(r, DeadLetters.ATTEMPTS).orElse("?"), header(r, RecordHeaders.REPLY_ID).orElse("?"),
                    header(r, DeadLetters.ERRMSG).orElse(""));
        }
        int redriven = dryRun ? 0 : publish(kafka, config.kafka().repliesTopic(), chosen.values());
        out.printf("%d dead letters examined, %d matched, %d %s%n", all.size(), matched,
                dryRun ? chosen.size() : redriven, dryRun ? "would be redriven (dry run)" : "redriven");
        return new Result(all.size(), matched, redriven);
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(KafkaConnection kafka, String topic) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (PartitionReader reader = new PartitionReader(kafka, "wecom-redrive", TIMEOUT)) {
            if (!reader.readTopic(topic, PartitionReader.Start.BEGINNING, out::add)) {
                throw new IllegalStateException("could not read " + topic + " to its end within "
                        + TIMEOUT.toSeconds() + " s");
            }
        }
        return out;
    }

    private static int publish(KafkaConnection kafka, String topic,
                               Collection<ConsumerRecord<String, byte[]>> records) {
        List<ProducerRecord<String, byte[]>> back = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            // Keyed as before, so it lands on the partition whose delivery markers it needs.
            back.add(Republish.of(r)
                    .without(DeadLetters.ERRCODE, DeadLetters.ERRMSG, DeadLetters.ATTEMPTS, DeadLetters.CHUNK)
                    .with(DeadLetters.REDRIVEN_FROM, r.topic() + "-" + r.partition() + "@" + r.offset())
                    .to(topic));
        }
        return OneOffProducer.sendAll(kafka, "redrive", back, TIMEOUT);
    }

    /** The {@code wecom-app} header, or the app named in the reply itself. */
    private static String appOf(ConsumerRecord<String, byte[]> r) {
        return header(r, RecordHeaders.APP).orElseGet(() -> {
            try {
                return JsonSerde.replies().deserialize(r.topic(), r.value()).appName();
            } catch (RuntimeException unreadable) {
                return null;
            }
        });
    }

    private static Optional<String> header(ConsumerRecord<String, byte[]> r, String name) {
        return RecordHeaders.get(r.headers(), name);
    }
}
