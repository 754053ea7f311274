package dev.wecompipeline.kafka;

import java.util.Objects;

import dev.wecompipeline.config.KafkaClientProperties;
import dev.wecompipeline.config.KafkaConfig;

/**
 * How to reach the cluster: its address and the operator's client properties (security, TLS,
 * tuning). Every client the pipeline builds starts from one of these through
 * {@link KafkaClientSettings}, so a secured cluster is reached by every command alike.
 *
 * @param bootstrapServers {@code host:port,...}
 * @param properties       passed to every client; never the pipeline's own safety settings
 */
public record KafkaConnection(String bootstrapServers, KafkaClientProperties properties) {

    public KafkaConnection {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        properties = properties == null ? KafkaClientProperties.NONE : properties;
    }

    /** An unsecured cluster at {@code bootstrapServers}: the embedded broker, tests, the bench. */
    public static KafkaConnection plain(String bootstrapServers) {
        return new KafkaConnection(bootstrapServers, KafkaClientProperties.NONE);
    }

    /** {@code bootstrapServers} (the configured cluster or all-in-one's embedded broker) with the configured properties. */
    public static KafkaConnection of(String bootstrapServers, KafkaConfig kafka) {
        // all-in-one's own embedded broker serves plain loopback only (the loader warns when properties are set).
        return kafka.usesEmbeddedBroker() ? plain(bootstrapServers)
                : new KafkaConnection(bootstrapServers, kafka.clientProperties());
    }

    /** For logs: the address and the security protocol, never a credential. */
    @Override
    public String toString() {
        return bootstrapServers + " (" + properties.securityProtocol() + ")";
    }
}
