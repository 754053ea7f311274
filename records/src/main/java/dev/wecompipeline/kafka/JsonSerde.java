package dev.wecompipeline.kafka;

import java.io.IOException;
import java.util.Map;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * JSON (de)serialisation of the pipeline's Kafka records with Jackson.
 *
 * <p>Unknown fields are ignored so that an older worker can read what a newer ingress writes; a
 * record with a newer {@code schemaVersion} than the reader knows is refused with a
 * {@link SerializationException}, which consumers route to a dead-letter topic.
 */
public final class JsonSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {

    /** Shared, thread-safe mapper for every JSON record and API body of the pipeline. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final Class<T> type;
    private final int maxSchemaVersion;

    private JsonSerde(Class<T> type, int maxSchemaVersion) {
        this.type = type;
        this.maxSchemaVersion = maxSchemaVersion;
    }

    public static JsonSerde<InboundMessage> inbound() {
        return new JsonSerde<>(InboundMessage.class, InboundMessage.SCHEMA_VERSION);
    }

    public static JsonSerde<ReplyMessage> replies() {
        return new JsonSerde<>(ReplyMessage.class, ReplyMessage.SCHEMA_VERSION);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        try {
            return MAPPER.writeValueAsBytes(data);
        } catch (IOException e) {
            throw new SerializationException("Cannot write " + type.getSimpleName() + " for " + topic, e);
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            JsonNode tree = MAPPER.readTree(data);
            int version = tree.path("schemaVersion").asInt(0);
            if (version > maxSchemaVersion) {
                throw new SerializationException(type.getSimpleName() + " schema version " + version
                        + " is newer than this reader's " + maxSchemaVersion);
            }
            return MAPPER.treeToValue(tree, type);
        } catch (IOException | RuntimeException e) {
            if (e instanceof SerializationException se) {
                throw se;
            }
            throw new SerializationException("Unreadable " + type.getSimpleName() + " on " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // Configured by construction: nothing to read from client properties.
    }

    @Override
    public void close() {
        // Stateless: nothing to release.
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }
}
