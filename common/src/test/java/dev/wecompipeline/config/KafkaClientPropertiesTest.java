package dev.wecompipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.KafkaConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client properties from YAML and variables: read the strimzi way, the pipeline's own refused, secrets masked. */
class KafkaClientPropertiesTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"wecom\" password=\"hunter2-very-secret\";";

    @TempDir
    Path dir;

    private PipelineConfig load(Map<String, String> extraEnv, String yaml) throws Exception {
        Map<String, String> env = Fixtures.singleAppEnv();
        env.put("KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9093");
        env.putAll(extraEnv);
        Path file = Files.writeString(dir.resolve("config.yaml"), yaml);
        return ConfigLoader.load(env, Optional.of(file));
    }

    @Test
    void variables_and_yaml_reach_every_client_and_a_variable_wins_over_the_same_key() throws Exception {
        PipelineConfig config = load(Map.of(
                        "KAFKA_PROPERTIES_SECURITY_PROTOCOL", "SASL_SSL",
                        "KAFKA_PROPERTIES_SASL_JAAS_CONFIG", JAAS,
                        "KAFKA_PROPERTIES_LINGER_MS", "5"),
                """
                kafka:
                  properties:
                    sasl.mechanism: SCRAM-SHA-512
                    security.protocol: PLAINTEXT
                    ssl.endpoint.identification.algorithm: ""
                    fetch.max.wait.ms: 100
                """);
        KafkaConnection kafka = KafkaConnection.of(config.kafka().bootstrapServers(), config.kafka());
        Map<String, Object> producer = KafkaClientSettings.producer(kafka, "p");
        Map<String, Object> consumer = KafkaClientSettings.consumer(kafka, "g", "c");
        Map<String, Object> admin = KafkaClientSettings.admin(kafka, "a");
        for (Map<String, Object> client : java.util.List.of(producer, consumer, admin)) {
            assertEquals("SASL_SSL", client.get("security.protocol"), "the variable wins: " + client);
            assertEquals("SCRAM-SHA-512", client.get("sasl.mechanism"));
            assertEquals(JAAS, client.get("sasl.jaas.config"));
            assertEquals("", client.get("ssl.endpoint.identification.algorithm"), "an empty YAML value is a value");
            assertEquals("kafka-1:9093", client.get("bootstrap.servers"));
        }
        assertEquals("5", producer.get("linger.ms"));
        assertFalse(consumer.containsKey("linger.ms"), "a producer setting is not given to consumers (no unused-config warnings)");
        assertEquals("100", consumer.get("fetch.max.wait.ms"));
        assertFalse(producer.containsKey("fetch.max.wait.ms"));
        assertEquals("all", producer.get("acks"), "the pipeline's own settings stay");
        assertEquals("read_committed", consumer.get("isolation.level"));
    }

    @Test
    void transactional_producers_retry_a_busy_coordinator_after_10_ms_unless_the_operator_says_otherwise() throws Exception {
        KafkaConnection plain = KafkaConnection.of("k:1", load(Map.of(), "").kafka());
        assertEquals(KafkaClientSettings.TRANSACTION_RETRY_BACKOFF_MS,
                KafkaClientSettings.transactionalProducer(plain, "t", 30_000).get("retry.backoff.ms"));
        assertFalse(KafkaClientSettings.producer(plain, "p").containsKey("retry.backoff.ms"),
                "the ingress's plain producer keeps Kafka's default");
        KafkaConnection tuned = KafkaConnection.of("k:1", load(Map.of("KAFKA_PROPERTIES_RETRY_BACKOFF_MS", "50"), "").kafka());
        assertEquals("50", KafkaClientSettings.transactionalProducer(tuned, "t", 30_000).get("retry.backoff.ms"));
    }

    @Test
    void the_pipelines_safety_settings_are_refused_with_the_reason_and_every_problem_is_reported() {
        ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of(
                "KAFKA_PROPERTIES_ACKS", "1",
                "KAFKA_PROPERTIES_ENABLE_IDEMPOTENCE", "false"),
                """
                kafka:
                  properties:
                    isolation.level: read_uncommitted
                    transactional.id: mine
                """));
        String all = String.join("\n", e.problems());
        assertTrue(all.contains("KAFKA_PROPERTIES_ACKS") && all.contains("acks=all"), all);
        assertTrue(all.contains("KAFKA_PROPERTIES_ENABLE_IDEMPOTENCE") && all.contains("twice"), all);
        assertTrue(all.contains("kafka.properties.isolation.level") && all.contains("read_committed"), all);
        assertTrue(all.contains("kafka.properties.transactional.id"), all);
    }

    @Test
    void secrets_are_masked_wherever_the_configuration_is_printed() throws Exception {
        PipelineConfig config = load(Map.of("KAFKA_PROPERTIES_SASL_JAAS_CONFIG", JAAS,
                        "KAFKA_PROPERTIES_SSL_TRUSTSTORE_PASSWORD", "truststore-pass-123",
                        "KAFKA_PROPERTIES_SASL_OAUTHBEARER_CLIENT_SECRET_X", "oauth-secret-value"),
                "kafka:\n  properties:\n    ssl.key.password: key-pass-456\n");
        String printed = config.describe();
        for (String secret : java.util.List.of("hunter2-very-secret", "truststore-pass-123", "key-pass-456",
                "oauth-secret-value")) {
            assertFalse(printed.contains(secret), printed);
        }
        assertTrue(printed.contains("sasl.jaas.config=") && printed.contains("chars)"), printed);
        assertTrue(KafkaClientProperties.isSecret("ssl.keystore.password"));
        assertFalse(KafkaClientProperties.isSecret("security.protocol"));
        assertFalse(String.valueOf(KafkaConnection.of("k:1", config.kafka())).contains("hunter2"));
    }

    @Test
    void a_key_no_kafka_client_knows_is_passed_on_with_a_warning_and_nested_yaml_is_an_error() throws Exception {
        PipelineConfig config = load(Map.of(), "kafka:\n  properties:\n    sasl.jass.config: x\n");
        assertTrue(config.warnings().stream().anyMatch(w -> w.contains("sasl.jass.config") && w.contains("not a setting")),
                config.warnings().toString());
        assertEquals("x", KafkaClientSettings.admin(KafkaConnection.of("k:1", config.kafka()), "a").get("sasl.jass.config"));

        ConfigException e = assertThrows(ConfigException.class,
                () -> load(Map.of(), "kafka:\n  properties:\n    ssl:\n      truststore: x\n"));
        assertTrue(String.join("\n", e.problems()).contains("kafka.properties.ssl"), e.problems().toString());
    }

    @Test
    void with_the_embedded_broker_properties_are_ignored_with_a_warning() throws Exception {
        Map<String, String> env = Fixtures.singleAppEnv();
        env.put("KAFKA_PROPERTIES_SECURITY_PROTOCOL", "SSL");
        PipelineConfig config = ConfigLoader.load(env, Optional.empty());
        assertTrue(config.warnings().stream().anyMatch(w -> w.contains("ignored")), config.warnings().toString());
        assertFalse(KafkaClientSettings.admin(KafkaConnection.of("127.0.0.1:9092", config.kafka()), "a")
                .containsKey("security.protocol"));
    }
}
