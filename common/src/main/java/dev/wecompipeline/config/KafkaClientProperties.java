package dev.wecompipeline.config;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import dev.wecompipeline.config.ConfigException.Problem;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Kafka client settings the operator passes through to every producer, consumer and admin client:
 * security ({@code security.protocol}, SASL, TLS stores), and tuning. They come from
 * {@code kafka.properties} in YAML and from {@code KAFKA_PROPERTIES_*} variables, the way
 * strimzi's bridge reads them: the name after the prefix, lower-cased, {@code _} read as {@code .}
 * ({@code KAFKA_PROPERTIES_SASL_JAAS_CONFIG} is {@code sasl.jaas.config}). A variable wins over the
 * same key in YAML.
 *
 * <p>The settings the pipeline's guarantees rest on are refused, with the reason, rather than
 * silently overridden either way: a user who sets {@code acks=1} believes something that is not true.
 * Secret values (Kafka's {@code PASSWORD} type, or a name that says password/secret/jaas) are
 * masked wherever the configuration is printed.
 *
 * @param values property name to value, sorted by name
 */
public record KafkaClientProperties(Map<String, String> values) {

    public static final String ENV_PREFIX = "KAFKA_PROPERTIES_";
    public static final String YAML_KEY = "properties";
    public static final KafkaClientProperties NONE = new KafkaClientProperties(Map.of());

    /** Settings the pipeline owns, each with why; refused when given. */
    static final Map<String, String> OWNED = Map.ofEntries(
            Map.entry("bootstrap.servers", "set it with " + KafkaConfig.BOOTSTRAP_SERVERS.env()
                    + " (" + KafkaConfig.BOOTSTRAP_SERVERS.yamlKey() + ")"),
            Map.entry("client.id", "each client names itself so logs and quotas tell them apart"),
            Map.entry("group.id", "set it with WORKER_GROUP_ID / REPLY_GROUP_ID"),
            Map.entry("transactional.id", "each worker and reply-service instance needs its own, derived from its instance id"),
            Map.entry("transaction.timeout.ms", "the engine sizes it with its delivery timeout"),
            Map.entry("enable.idempotence", "retries must never write a record twice or reorder a user's messages"),
            Map.entry("acks", "a callback is acknowledged only when every in-sync replica has it (acks=all)"),
            Map.entry("max.in.flight.requests.per.connection", "more than 5 breaks the idempotent producer's ordering"),
            Map.entry("isolation.level", "replies written in aborted transactions must never be delivered (read_committed)"),
            Map.entry("enable.auto.commit", "offsets are committed only for finished work, in the same transaction"),
            Map.entry("auto.offset.reset", "a new group must start at the beginning: the topics are the source of truth"),
            Map.entry("partition.assignment.strategy", "cooperative rebalancing keeps unaffected partitions' tasks running"),
            Map.entry("key.serializer", "the pipeline's records have their own serde"),
            Map.entry("value.serializer", "the pipeline's records have their own serde"),
            Map.entry("key.deserializer", "the pipeline's records have their own serde"),
            Map.entry("value.deserializer", "the pipeline's records have their own serde"));

    private static final Set<String> PRODUCER = ProducerConfig.configNames();
    private static final Set<String> CONSUMER = ConsumerConfig.configNames();
    private static final Set<String> ADMIN = AdminClientConfig.configNames();

    public KafkaClientProperties {
        values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    /**
     * Reads {@code yaml} (the {@code kafka.properties} mapping, already flattened to strings) and
     * the {@code KAFKA_PROPERTIES_*} variables of {@code env}.
     *
     * @param problems receives one problem per refused key
     * @param warnings receives one warning per key no Kafka client knows (passed on anyway: a newer
     *                 client or a plugin may)
     */
    static KafkaClientProperties read(Map<String, String> yaml, Map<String, String> env,
                                      java.util.function.Consumer<Problem> problems,
                                      java.util.function.Consumer<String> warnings) {
        Map<String, String> values = new TreeMap<>();
        Map<String, String> origin = new TreeMap<>();
        yaml.forEach((key, value) -> {
            values.put(key.strip(), value);
            origin.put(key.strip(), KafkaConfig.YAML_SECTION + "." + YAML_KEY + "." + key.strip());
        });
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length() && !value.isBlank()) {
                String key = propertyName(name);
                values.put(key, value);
                origin.put(key, name);
            }
        });
        values.forEach((key, value) -> {
            String label = origin.get(key);
            if (OWNED.containsKey(key)) {
                problems.accept(new Problem(label, "'" + key + "' is set by the pipeline and cannot be overridden: "
                        + OWNED.get(key)));
            } else if (!PRODUCER.contains(key) && !CONSUMER.contains(key) && !ADMIN.contains(key)) {
                warnings.accept(label + ": '" + key + "' is not a setting Kafka's clients know; passed on as given");
            }
        });
        values.replaceAll((k, v) -> v == null ? "" : v.strip());
        return new KafkaClientProperties(values);
    }

    /** {@code KAFKA_PROPERTIES_SASL_JAAS_CONFIG} → {@code sasl.jaas.config}. */
    static String propertyName(String envName) {
        return envName.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** The settings a producer understands (plus unknown ones, for plugins): no "unused config" warnings. */
    public Map<String, Object> forProducer() {
        return select(PRODUCER);
    }

    public Map<String, Object> forConsumer() {
        return select(CONSUMER);
    }

    public Map<String, Object> forAdmin() {
        return select(ADMIN);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** The value of {@code key}, if set. */
    public java.util.Optional<String> get(String key) {
        return java.util.Optional.ofNullable(values.get(key));
    }

    /** {@code security.protocol} as configured, {@code PLAINTEXT} when unset. */
    public String securityProtocol() {
        return values.getOrDefault("security.protocol", "PLAINTEXT").toUpperCase(Locale.ROOT);
    }

    /** One line for the startup log and {@code doctor}: every key, secrets masked. */
    public String describe() {
        if (values.isEmpty()) {
            return "no client properties";
        }
        return "client properties " + values.entrySet().stream()
                .map(e -> e.getKey() + "=" + (isSecret(e.getKey()) ? Secrets.mask(e.getValue()) : e.getValue()))
                .collect(Collectors.joining(", "));
    }

    /** Whether {@code key}'s value must never be printed. */
    public static boolean isSecret(String key) {
        for (ConfigDef def : List.of(ProducerConfig.configDef(), ConsumerConfig.configDef(), AdminClientConfig.configDef())) {
            ConfigDef.ConfigKey known = def.configKeys().get(key);
            if (known != null && known.type == ConfigDef.Type.PASSWORD) {
                return true;
            }
        }
        String k = key.toLowerCase(Locale.ROOT);
        // Unknown keys (plugins, OAuth handlers) are judged by their name: better masked once too often.
        return k.contains("password") || k.contains("secret") || k.contains("jaas") || k.endsWith(".key")
                || k.contains("token") || k.contains("credential");
    }

    @Override
    public String toString() {
        return describe();
    }

    private Map<String, Object> select(Set<String> known) {
        Predicate<String> passed = key -> known.contains(key)
                || (!PRODUCER.contains(key) && !CONSUMER.contains(key) && !ADMIN.contains(key));
        Map<String, Object> out = new TreeMap<>();
        values.forEach((key, value) -> {
            if (passed.test(key)) {
                out.put(key, value);
            }
        });
        return out;
    }
}
