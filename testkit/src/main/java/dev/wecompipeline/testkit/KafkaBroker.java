package dev.wecompipeline.testkit;

import java.util.Optional;

import dev.wecompipeline.kafka.embedded.EmbeddedKafkaBroker;

/**
 * The Kafka cluster a test run talks to, as handed out by {@link KafkaBrokerExtension}.
 *
 * @param bootstrapServers the {@code bootstrap.servers} value for clients
 * @param kind             where it came from: {@code external}, {@code testcontainers} or {@code embedded}
 * @param embedded         the in-process broker when {@code kind} is {@code embedded}; tests that
 *                         stop the broker create their own instead of stopping the shared one
 */
public record KafkaBroker(String bootstrapServers, String kind, Optional<EmbeddedKafkaBroker> embedded) {
}
