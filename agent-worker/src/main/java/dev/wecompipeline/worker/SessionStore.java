package dev.wecompipeline.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.worker.agent.Turn;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Conversation history per user ({@code corp_id:user_id}), kept in the compacted sessions topic so
 * it follows the user to whichever worker owns their partition. The sessions topic has as many
 * partitions as the inbound topic and the same keys, so inbound partition {@code p}'s users live in
 * sessions partition {@code p}; taking over a partition reads that slice ({@link #read}, off the
 * loop thread) and installs it ({@link #install}). Updates are written in the same transaction as
 * the reply. A session record stays under a byte cap (oldest turns go first), so it can always be
 * produced. Only the loop thread calls the other methods.
 *
 * <p>For agents whose server keeps the conversation ({@link dev.wecompipeline.worker.agent.Agent#keepsSessions()})
 * a user's record is instead {@code {"generation":N}}: how many times they said {@code /reset}, so
 * the session id the agent uses moves on and survives restarts and rebalances. A record written
 * as a list of turns reads as generation 0, and the other way round as no history.
 */
final class SessionStore {

    private static final Logger LOG = LoggerFactory.getLogger(SessionStore.class);
    private static final TypeReference<List<Turn>> TURNS = new TypeReference<>() { };
    private static final String GENERATION = "generation";

    private final String topic;
    private final int maxTurns;
    private final int maxBytes;
    private final Map<String, List<Turn>> history = new HashMap<>();
    private final Map<String, Integer> generations = new HashMap<>();

    /** One partition's sessions as read from the topic. */
    record Slice(Map<String, List<Turn>> history, Map<String, Integer> generations) {
    }
    private final Map<Integer, Set<String>> usersByPartition = new HashMap<>();

    SessionStore(String topic, int maxTurns, int maxBytes) {
        this.topic = topic;
        this.maxTurns = maxTurns;
        this.maxBytes = maxBytes;
    }

    /**
     * Reads the sessions of inbound partition {@code partition} from the compacted topic.
     *
     * @throws IllegalStateException when the slice cannot be read completely in time
     */
    Slice read(int partition, PartitionHistory history) {
        Map<String, List<Turn>> slice = new HashMap<>();
        Map<String, Integer> gens = new HashMap<>();
        boolean complete = history.readAll(new TopicPartition(topic, partition), r -> {
            String user = r.key();
            slice.remove(user);
            gens.remove(user);
            if (r.value() == null) {
                return;
            }
            try {
                JsonNode node = JsonSerde.MAPPER.readTree(r.value());
                if (node.isObject()) {
                    gens.put(user, node.path(GENERATION).asInt(0));
                } else {
                    slice.put(user, JsonSerde.MAPPER.convertValue(node, TURNS));
                }
            } catch (IOException | IllegalArgumentException e) {
                LOG.warn("Unreadable session of {} on {}-{} skipped: {}", user, topic, partition, e.getMessage());
            }
        });
        if (!complete) {
            throw new IllegalStateException("sessions of partition " + partition + " not read completely in time");
        }
        return new Slice(slice, gens);
    }

    /** Makes a slice read by {@link #read} the partition's sessions. */
    void install(int partition, Slice slice) {
        unload(partition);
        history.putAll(slice.history());
        generations.putAll(slice.generations());
        Set<String> users = new HashSet<>(slice.history().keySet());
        users.addAll(slice.generations().keySet());
        usersByPartition.put(partition, users);
    }

    /** Forgets the sessions of a partition this worker no longer owns. */
    void unload(int partition) {
        Set<String> users = usersByPartition.remove(partition);
        if (users != null) {
            users.forEach(history::remove);
            users.forEach(generations::remove);
        }
    }

    /** How many times the user started a new session at an agent that keeps sessions. */
    int generation(String userKey) {
        return generations.getOrDefault(userKey, 0);
    }

    /** Moves the user to their next session ({@code /reset}) and returns the record that persists it. */
    ProducerRecord<String, byte[]> nextGeneration(int partition, String userKey) {
        int next = generation(userKey) + 1;
        generations.put(userKey, next);
        usersByPartition.computeIfAbsent(partition, p -> new HashSet<>()).add(userKey);
        byte[] value = JsonSerde.MAPPER.createObjectNode().put(GENERATION, next).toString()
                .getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, partition, userKey, value);
    }

    List<Turn> history(String userKey) {
        return history.getOrDefault(userKey, List.of());
    }

    /** Appends a turn (keeping the last turns that fit both caps) and returns the record that persists it. */
    ProducerRecord<String, byte[]> append(int partition, String userKey, Turn turn) {
        List<Turn> turns = new ArrayList<>(history(userKey));
        turns.add(turn);
        if (turns.size() > maxTurns) {
            turns = new ArrayList<>(turns.subList(turns.size() - maxTurns, turns.size()));
        }
        byte[] value = serialise(userKey, turns);
        while (value.length > maxBytes && turns.size() > 1) {
            turns.remove(0);
            value = serialise(userKey, turns);
        }
        if (value.length > maxBytes) {
            // Even the newest turn alone is too large: keep no history rather than an unproducible record.
            turns.clear();
            value = serialise(userKey, turns);
        }
        history.put(userKey, List.copyOf(turns));
        usersByPartition.computeIfAbsent(partition, p -> new HashSet<>()).add(userKey);
        return new ProducerRecord<>(topic, partition, userKey, value);
    }

    private static byte[] serialise(String userKey, List<Turn> turns) {
        try {
            return JsonSerde.MAPPER.writeValueAsBytes(turns);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot serialise session of " + userKey, e);
        }
    }

    /** Clears a user's history ({@code /reset}) and returns the tombstone that persists it. */
    ProducerRecord<String, byte[]> reset(int partition, String userKey) {
        history.remove(userKey);
        return new ProducerRecord<>(topic, partition, userKey, null);
    }
}
