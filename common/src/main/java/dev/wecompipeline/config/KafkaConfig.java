package dev.wecompipeline.config;

import static java.time.temporal.ChronoUnit.HOURS;

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

    private static final String S = YAML_SECTION;

    public static final Setting<String> BOOTSTRAP_SERVERS = Setting.text("KAFKA_BOOTSTRAP_SERVERS", S,
                    "bootstrap_servers", null)
            .defaultShownAs("embedded broker (all-in-one)").doc("Kafka cluster, `host:port,...`");
    public static final Setting<String> INBOUND_TOPIC = topic("KAFKA_TOPIC_INBOUND", "inbound_topic", "wecom.inbound",
            "decrypted callbacks, keyed by user (the replay log)");
    public static final Setting<String> REPLIES_TOPIC = topic("KAFKA_TOPIC_REPLIES", "replies_topic", "wecom.replies",
            "agent answers waiting for `message/send`");
    public static final Setting<String> REPLIES_DLQ_TOPIC = topic("KAFKA_TOPIC_REPLIES_DLQ", "replies_dlq_topic",
            "wecom.replies.dlq", "answers WeCom refused permanently");
    public static final Setting<String> INBOUND_DLQ_TOPIC = topic("KAFKA_TOPIC_INBOUND_DLQ", "inbound_dlq_topic",
            "wecom.inbound.dlq", "inbound messages no agent could process");
    public static final Setting<String> SESSIONS_TOPIC = topic("KAFKA_TOPIC_SESSIONS", "sessions_topic",
            "wecom.sessions", "compacted per-user session state");
    public static final Setting<String> DELIVERED_TOPIC = topic("KAFKA_TOPIC_DELIVERED", "delivered_topic",
            "wecom.replies.delivered", "compacted delivery markers of replies");
    /** Enough parallelism for one worker per core on a few machines, cheap on a single broker. */
    public static final Setting<Integer> PARTITIONS = Setting.integer("KAFKA_TOPIC_PARTITIONS", S, "partitions", 12)
            .validatedBy(Validators.atLeast(1)).doc("partitions of created topics; bounds consumer parallelism");
    /** The embedded broker is a single node; clusters should raise this to 3. */
    public static final Setting<Short> REPLICATION_FACTOR = Setting.shortInteger("KAFKA_TOPIC_REPLICATION_FACTOR", S,
                    "replication_factor", (short) 1)
            .validatedBy(Validators.atLeast(1))
            .doc("replication of created topics (3 on a cluster of three or more); they get `min.insync.replicas` "
                    + "min(2, this)");
    /** A week covers a weekend outage plus time to {@code replay} or {@code redrive}. */
    public static final Setting<Duration> RETENTION = Setting.duration("KAFKA_TOPIC_RETENTION_HOURS", S,
                    "retention_hours", Duration.ofDays(7), HOURS)
            .validatedBy(Validators.positive()).doc("retention of created topics (the inbound topic is the replay log)");

    /** Every setting of this section, in the README's order; client properties are read by prefix, see {@link KafkaClientProperties}. */
    public static final List<Setting<?>> SETTINGS = List.of(BOOTSTRAP_SERVERS, INBOUND_TOPIC, REPLIES_TOPIC,
            REPLIES_DLQ_TOPIC, INBOUND_DLQ_TOPIC, SESSIONS_TOPIC, DELIVERED_TOPIC, PARTITIONS, REPLICATION_FACTOR,
            RETENTION);

    /** Kafka's own topic-name rule. */
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Pattern HOST_PORT = Pattern.compile("[^\\s,]+:\\d{1,5}");

    public KafkaConfig {
        List<Problem> out = new ArrayList<>();
        if (bootstrapServers != null) {
            checkBootstrap(out, bootstrapServers);
        }
        Map<Setting<String>, String> topics = new LinkedHashMap<>();
        topics.put(INBOUND_TOPIC, inboundTopic);
        topics.put(REPLIES_TOPIC, repliesTopic);
        topics.put(REPLIES_DLQ_TOPIC, repliesDlqTopic);
        topics.put(INBOUND_DLQ_TOPIC, inboundDlqTopic);
        topics.put(SESSIONS_TOPIC, sessionsTopic);
        topics.put(DELIVERED_TOPIC, deliveredTopic);
        checkTopics(out, topics);
        PARTITIONS.check(out, partitions);
        REPLICATION_FACTOR.check(out, replicationFactor);
        RETENTION.check(out, retention);
        clientProperties = clientProperties == null ? KafkaClientProperties.NONE : clientProperties;
        if (!out.isEmpty()) {
            throw new ConfigException(out);
        }
    }

    /** The record of {@code v}'s values, with {@code clientProperties} (read by prefix, not declared one by one). */
    public static KafkaConfig from(SettingValues v, KafkaClientProperties clientProperties) {
        return new KafkaConfig(v.get(BOOTSTRAP_SERVERS), v.get(INBOUND_TOPIC), v.get(REPLIES_TOPIC),
                v.get(REPLIES_DLQ_TOPIC), v.get(INBOUND_DLQ_TOPIC), v.get(SESSIONS_TOPIC), v.get(DELIVERED_TOPIC),
                v.get(PARTITIONS), v.get(REPLICATION_FACTOR), v.get(RETENTION), clientProperties);
    }

    /** The defaults of operator-interface.md: embedded broker, {@code wecom.*} topics. */
    public static KafkaConfig defaults() {
        return from(SettingValues.DEFAULTS, KafkaClientProperties.NONE);
    }

    private static Setting<String> topic(String env, String key, String name, String doc) {
        return Setting.text(env, YAML_SECTION, key, name).doc("topic: " + doc);
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
                out.add(new Problem(BOOTSTRAP_SERVERS.yamlKey(),
                        "'" + server.strip() + "' must be host:port (comma separated for several)"));
            }
        }
    }

    private static void checkTopics(List<Problem> out, Map<Setting<String>, String> topics) {
        Map<String, Setting<String>> seen = new HashMap<>();
        topics.forEach((setting, topic) -> {
            String key = setting.yamlKey();
            if (!Validators.notBlank(out, key, topic)) {
                return;
            }
            if (!TOPIC.matcher(topic).matches()) {
                out.add(new Problem(key, "'" + topic
                        + "' is not a valid topic name (letters, digits, '.', '_', '-'; at most 249)"));
            }
            Setting<String> other = seen.putIfAbsent(topic, setting);
            if (other != null) {
                out.add(new Problem(key, "'" + topic + "' is already used by " + other.yamlKey()));
            }
        });
    }
}
