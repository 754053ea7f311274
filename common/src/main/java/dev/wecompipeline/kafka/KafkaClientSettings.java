package dev.wecompipeline.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka client defaults every service starts from. The operator's client properties
 * ({@link KafkaConnection#properties()}: security, TLS, tuning) go in first; the pipeline's own
 * settings are put over them (the configuration already refuses any that collide). Callers add or
 * override settings for their role (a transactional id, a shorter delivery timeout) on the returned
 * mutable map.
 */
public final class KafkaClientSettings {

    /**
     * How long a producer may take to deliver a record, retries included. The ingress waits at
     * most its ack timeout anyway; this bounds how long an unacknowledged send keeps retrying.
     */
    public static final int DEFAULT_DELIVERY_TIMEOUT_MS = 60_000;
    /** One produce request's timeout; Kafka requires delivery timeout >= linger + request timeout. */
    public static final int DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
    /** Kafka's default heartbeat interval; a shorter session timeout shortens it to a third of that. */
    public static final int DEFAULT_HEARTBEAT_INTERVAL_MS = 3_000;

    /** Retry backoff of the transactional producers (see {@link #transactionalProducer}). */
    public static final int TRANSACTION_RETRY_BACKOFF_MS = 10;

    private KafkaClientSettings() {
    }

    /**
     * Producer settings for no loss and no duplicates from retries; keys are strings. Timeouts,
     * linger and compression are defaults the operator's client properties may tune; acks,
     * idempotence and in-flight requests are the pipeline's and put last.
     */
    public static Map<String, Object> producer(KafkaConnection kafka, String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, DEFAULT_DELIVERY_TIMEOUT_MS);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, DEFAULT_REQUEST_TIMEOUT_MS);
        // Wait up to 1 ms to fill a produce request. Only the ingress feels it (a transaction's commit
        // flushes at once): every callback waits for its acknowledgement, and the broker's cost is
        // per request far more than per record. Measured with the broker on the same two cores, 32
        // callbacks in flight: 0 ms gave 6,800 callbacks/s at 50 µs of broker CPU per record, 1 ms
        // gave 9,200/s at 30 µs; at a paced 1,000/s the ack p50 went from 1.0 to 1.9 ms.
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        // No compression: with latency-first sends a batch holds a record or two (a callback's JSON,
        // some hundred bytes), which lz4 barely shrinks, while Kafka's lz4 stream allocates a 64 KB
        // block buffer for every batch: at 8,000 callbacks/s that was 40 % of what the ingress allocated
        // and a 50 ms young collection every second. Operators with big batches may set lz4 or zstd.
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        // The operator's security and tuning settings over the defaults above.
        p.putAll(kafka.properties().forProducer());
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        // A record counts as sent only when every in-sync replica has it: what "durable" means here.
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // Retries must not write a record twice or reorder a user's messages.
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // The most an idempotent producer keeps in flight while still keeping order.
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return p;
    }

    /**
     * A transactional producer for a consume-transform-produce loop, with a transactional id stable
     * per instance (a rebuilt producer fences the one before it at once).
     *
     * @param transactionTimeoutMs bounds how long a crashed instance's open transaction holds back
     *                             read_committed readers; a send stuck longer than that could not
     *                             commit anyway, so the delivery timeout is the same, and a partition
     *                             that refuses sends fails the commit within it (abortable: redone)
     *                             instead of holding every commit for a minute
     */
    public static Map<String, Object> transactionalProducer(KafkaConnection kafka, String clientId,
                                                            int transactionTimeoutMs) {
        Map<String, Object> p = producer(kafka, clientId);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, clientId);
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, transactionTimeoutMs);
        // Kafka requires delivery timeout >= linger + request timeout.
        int linger = Integer.parseInt(String.valueOf(p.get(ProducerConfig.LINGER_MS_CONFIG)));
        int request = Integer.parseInt(String.valueOf(p.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG)));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1, Math.min(request, transactionTimeoutMs - linger)));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, transactionTimeoutMs);
        // A transaction begun right after a commit finds the coordinator still writing the last one's
        // markers (CONCURRENT_TRANSACTIONS) and waits this long before asking again: with Kafka's
        // 100 ms, an offsets-only commit of the reply-service took 105 ms one time in a hundred,
        // and every such wait delays the next record of the loop. Unless the operator set it.
        p.putIfAbsent(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, TRANSACTION_RETRY_BACKOFF_MS);
        return p;
    }

    /** Consumer settings: manual commits, cooperative rebalancing, only committed transactional data. */
    public static Map<String, Object> consumer(KafkaConnection kafka, String groupId, String clientId) {
        // The operator's security and tuning settings first, so nothing below can be undone by them.
        Map<String, Object> c = new HashMap<>(kafka.properties().forConsumer());
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        c.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        // Offsets are committed only for finished work (see the worker's offset tracking).
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Cooperative rebalancing keeps unaffected partitions (and their in-flight tasks) running.
        c.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        // Replies written in aborted transactions must never be delivered.
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // A new group starts at the beginning: the topics are the source of truth, nothing is skipped.
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return c;
    }

    /**
     * Sets a group member's session timeout: how long the group waits for a member that stopped
     * heartbeating (a killed process sends no LeaveGroup) before moving its partitions. Heartbeats go
     * at a third of it, never less often than Kafka's default of every 3 s.
     */
    public static Map<String, Object> sessionTimeout(Map<String, Object> consumer, Duration timeout) {
        int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        consumer.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, ms);
        consumer.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.max(1, Math.min(DEFAULT_HEARTBEAT_INTERVAL_MS, ms / 3)));
        return consumer;
    }

    /**
     * A process-unique instance id for client and transactional ids: the host name (stable per
     * container) plus a short random suffix; {@code fallbackHost} where HOSTNAME is unset.
     */
    public static String defaultInstanceId(String fallbackHost) {
        String host = System.getenv().getOrDefault("HOSTNAME", fallbackHost);
        return host + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }

    /** Admin client settings. */
    public static Map<String, Object> admin(KafkaConnection kafka, String clientId) {
        Map<String, Object> a = new HashMap<>(kafka.properties().forAdmin());
        a.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        a.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        return a;
    }

    /** {@link #producer(KafkaConnection, String)} for an unsecured cluster (embedded broker, tests, bench). */
    public static Map<String, Object> producer(String bootstrapServers, String clientId) {
        return producer(KafkaConnection.plain(bootstrapServers), clientId);
    }

    /** {@link #consumer(KafkaConnection, String, String)} for an unsecured cluster. */
    public static Map<String, Object> consumer(String bootstrapServers, String groupId, String clientId) {
        return consumer(KafkaConnection.plain(bootstrapServers), groupId, clientId);
    }

    /** {@link #admin(KafkaConnection, String)} for an unsecured cluster. */
    public static Map<String, Object> admin(String bootstrapServers, String clientId) {
        return admin(KafkaConnection.plain(bootstrapServers), clientId);
    }
}
