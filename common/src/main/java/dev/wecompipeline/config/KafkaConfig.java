package dev.wecompipeline.config;

import dev.wecompipeline.config.ConfigException.Problem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which Kafka cluster the services share and how its topics are named and created.
 *
 * <p>YAML keys live under {@value #YAML_SECTION}.
 *
 * @param bootstrapServers  {@code host:port,...}; {@code null} means the embedded broker of
 *                          {@code all-in-one}
 * @param inboundTopic      decrypted callbacks, keyed by user so one user's messages stay in order
 * @param repliesTopic      agent answers waiting for {@code message/send}
 * @param repliesDlqTopic   answers WeCom refused permanently
 * @param inboundDlqTopic   inbound messages no agent could process
 * @param sessionsTopic     compacted per-user session state
 * @param deliveredTopic    receipts of delivered replies, for exactly-one-reply bookkeeping
 * @param partitions        partitions of topics the pipeline creates; bounds consumer parallelism
 * @param replicationFactor replication of topics the pipeline creates; 1 suits a single broker
 * @param retention         retention of topics the pipeline creates (not of the compacted one)
 * @param clientProperties  passed to every Kafka client (security, TLS, tuning); see {@link KafkaClientProperties}
 */
public record KafkaConfig(String bootstrapServers, String inboundTopic, String repliesTopic,
                          String repliesDlqTopic, String inboundDlqTopic, String sessionsTopic,
                          String deliveredTopic, int partitions, short replicationFactor, Duration retention,
                          KafkaClientProperties clientProperties) {

    public static final String YAML_SECTION = "kafka";

    public static final String BOOTSTRAP_SERVERS_ENV = "KAFKA_BOOTSTRAP_SERVERS";
    public static final String BOOTSTRAP_SERVERS_YAML = "bootstrap_servers";
    public static final String DEFAULT_BOOTSTRAP_SERVERS = null;

    public static final String INBOUND_TOPIC_ENV = "KAFKA_TOPIC_INBOUND";
    public static final String INBOUND_TOPIC_YAML = "inbound_topic";
    public static final String DEFAULT_INBOUND_TOPIC = "wecom.inbound";

    public static final String REPLIES_TOPIC_ENV = "KAFKA_TOPIC_REPLIES";
    public static final String REPLIES_TOPIC_YAML = "replies_topic";
    public static final String DEFAULT_REPLIES_TOPIC = "wecom.replies";

    public static final String REPLIES_DLQ_TOPIC_ENV = "KAFKA_TOPIC_REPLIES_DLQ";
    public static final String REPLIES_DLQ_TOPIC_YAML = "replies_dlq_topic";
    public static final String DEFAULT_REPLIES_DLQ_TOPIC = "wecom.replies.dlq";

    public static final String INBOUND_DLQ_TOPIC_ENV = "KAFKA_TOPIC_INBOUND_DLQ";
    public static final String INBOUND_DLQ_TOPIC_YAML = "inbound_dlq_topic";
    public static final String DEFAULT_INBOUND_DLQ_TOPIC = "wecom.inbound.dlq";

    public static final String SESSIONS_TOPIC_ENV = "KAFKA_TOPIC_SESSIONS";
    public static final String SESSIONS_TOPIC_YAML = "sessions_topic";
    public static final String DEFAULT_SESSIONS_TOPIC = "wecom.sessions";

    public static final String DELIVERED_TOPIC_ENV = "KAFKA_TOPIC_DELIVERED";
    public static final String DELIVERED_TOPIC_YAML = "delivered_topic";
    public static final String DEFAULT_DELIVERED_TOPIC = "wecom.replies.delivered";

    public static final String PARTITIONS_ENV = "KAFKA_TOPIC_PARTITIONS";
    public static final String PARTITIONS_YAML = "partitions";
    /** Enough parallelism for one worker per core on a few machines, cheap on a single broker. */
    public static final int DEFAULT_PARTITIONS = 12;

    public static final String REPLICATION_FACTOR_ENV = "KAFKA_TOPIC_REPLICATION_FACTOR";
    public static final String REPLICATION_FACTOR_YAML = "replication_factor";
    /** The embedded broker is a single node; clusters should raise this to 3. */
    public static final short DEFAULT_REPLICATION_FACTOR = 1;

    public static final String RETENTION_ENV = "KAFKA_TOPIC_RETENTION_HOURS";
    public static final String RETENTION_YAML = "retention_hours";
    /** A week covers a weekend outage plus time to {@code replay} or {@code redrive}. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);

    /** Kafka's own topic-name rule. */
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Pattern HOST_PORT = Pattern.compile("[^\\s,]+:\\d{1,5}");

    public KafkaConfig {
        List<Problem> out = new ArrayList<>();
        if (bootstrapServers != null) {
            checkBootstrap(out, bootstrapServers);
        }
        Map<String, String> topics = new LinkedHashMap<>();
        topics.put(INBOUND_TOPIC_YAML, inboundTopic);
        topics.put(REPLIES_TOPIC_YAML, repliesTopic);
        topics.put(REPLIES_DLQ_TOPIC_YAML, repliesDlqTopic);
        topics.put(INBOUND_DLQ_TOPIC_YAML, inboundDlqTopic);
        topics.put(SESSIONS_TOPIC_YAML, sessionsTopic);
        topics.put(DELIVERED_TOPIC_YAML, deliveredTopic);
        checkTopics(out, topics);
        Checks.atLeast(out, key(PARTITIONS_YAML), partitions, 1);
        Checks.atLeast(out, key(REPLICATION_FACTOR_YAML), replicationFactor, 1);
        Checks.positive(out, key(RETENTION_YAML), retention);
        clientProperties = clientProperties == null ? KafkaClientProperties.NONE : clientProperties;
        if (!out.isEmpty()) {
            throw new ConfigException(out);
        }
    }

    /** The defaults of operator-interface.md: embedded broker, {@code wecom.*} topics. */
    public static KafkaConfig defaults() {
        return new KafkaConfig(DEFAULT_BOOTSTRAP_SERVERS, DEFAULT_INBOUND_TOPIC, DEFAULT_REPLIES_TOPIC,
                DEFAULT_REPLIES_DLQ_TOPIC, DEFAULT_INBOUND_DLQ_TOPIC, DEFAULT_SESSIONS_TOPIC,
                DEFAULT_DELIVERED_TOPIC, DEFAULT_PARTITIONS, DEFAULT_REPLICATION_FACTOR, DEFAULT_RETENTION,
                KafkaClientProperties.NONE);
    }

    /** Whether {@code all-in-one} should start its own broker. */
    public boolean usesEmbeddedBroker() {
        return bootstrapServers == null;
    }

    /** One line for the startup log. */
    public String describe() {
        return "kafka: " + (usesEmbeddedBroker() ? "embedded broker" : bootstrapServers)
                + ", topics " + inboundTopic + " " + repliesTopic + " " + repliesDlqTopic + " "
                + inboundDlqTopic + " " + sessionsTopic + " " + deliveredTopic
                + ", " + partitions + " partitions x" + replicationFactor
                + ", retention " + Durations.format(retention)
                + (clientProperties.isEmpty() ? "" : ", " + clientProperties.describe());
    }

    private static void checkBootstrap(List<Problem> out, String servers) {
        for (String server : servers.split(",", -1)) {
            if (!HOST_PORT.matcher(server.strip()).matches()) {
                out.add(new Problem(key(BOOTSTRAP_SERVERS_YAML),
                        "'" + server.strip() + "' must be host:port (comma separated for several)"));
            }
        }
    }

    private static void checkTopics(List<Problem> out, Map<String, String> topics) {
        Map<String, String> seen = new HashMap<>();
        topics.forEach((yamlKey, topic) -> {
            if (!Checks.notBlank(out, key(yamlKey), topic)) {
                return;
            }
            if (!TOPIC.matcher(topic).matches()) {
                out.add(new Problem(key(yamlKey), "'" + topic
                        + "' is not a valid topic name (letters, digits, '.', '_', '-'; at most 249)"));
            }
            String other = seen.putIfAbsent(topic, yamlKey);
            if (other != null) {
                out.add(new Problem(key(yamlKey), "'" + topic + "' is already used by " + key(other)));
            }
        });
    }

    private static String key(String yamlKey) {
        return YAML_SECTION + "." + yamlKey;
    }
}
