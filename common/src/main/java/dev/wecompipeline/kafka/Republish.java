package dev.wecompipeline.kafka;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A record read from one topic, made into a record for another: same key, same value, the
 * original headers, with headers added, replaced or removed. Dead letters, redrives and replays are
 * all made this way. The copy has no partition and no timestamp: it is partitioned by its key (so
 * it lands on the partition of the same number as its user's other records, when the topics have
 * as many partitions) and stamped when sent.
 *
 * <pre>{@code
 * ProducerRecord<String, byte[]> replay = Republish.of(record).with(RecordHeaders.REPLAY, "true").to(inboundTopic);
 * }</pre>
 */
public final class Republish<K, V> {

    private final ConsumerRecord<K, V> original;
    private final List<String> removed = new ArrayList<>();
    private final Map<String, String> added = new LinkedHashMap<>();

    private Republish(ConsumerRecord<K, V> original) {
        this.original = original;
    }

    public static <K, V> Republish<K, V> of(ConsumerRecord<K, V> original) {
        return new Republish<>(original);
    }

    /** Sets header {@code name} to {@code value} (as UTF-8), replacing any of that name; a null value sets nothing. */
    public Republish<K, V> with(String name, String value) {
        if (value != null) {
            added.put(name, value);
        }
        return this;
    }

    /** Leaves out every original header of these names. */
    public Republish<K, V> without(String... names) {
        removed.addAll(List.of(names));
        return this;
    }

    /** The copy for {@code topic}. */
    public ProducerRecord<K, V> to(String topic) {
        ProducerRecord<K, V> copy = new ProducerRecord<>(topic, null, original.key(), original.value());
        original.headers().forEach(h -> copy.headers().add(h));
        removed.forEach(copy.headers()::remove);
        added.forEach((name, value) -> RecordHeaders.put(copy.headers(), name, value));
        return copy;
    }
}
