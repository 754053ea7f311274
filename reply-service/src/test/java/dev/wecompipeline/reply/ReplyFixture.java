package dev.wecompipeline.reply;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.wecompipeline.config.AppConfig;
import dev.wecompipeline.config.ConfigLoader;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.RecordHeaders;
import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.kafka.Topics;
import dev.wecompipeline.engine.Processor;
import dev.wecompipeline.testkit.CrashSwitch;
import java.util.function.UnaryOperator;
import dev.wecompipeline.sandbox.ReceivedMessage;
import dev.wecompipeline.sandbox.SandboxConfig;
import dev.wecompipeline.sandbox.WeComApiSandbox;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Fresh topics on the real broker, a WeCom sandbox on a free port with two registered apps,
 * reply-service instances to start, halt and stop, and helpers to publish replies and read dead letters.
 */
final class ReplyFixture implements AutoCloseable {

    static final String CORP = "wwcorp0001";
    static final String CORP_B = "wwcorp0002";
    static final AppConfig APP = new AppConfig("default", CORP, "secret-a-0123456789", "1000002", "token-a",
            "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG");
    static final AppConfig APP_B = new AppConfig("dept-b", CORP_B, "secret-b-0123456789", "1000003", "token-b",
            "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG");
    private static final AtomicInteger SEQ = new AtomicInteger();

    final String bootstrap;
    final WeComApiSandbox wecom;
    final PipelineConfig config;
    final List<ReplyService> services = new CopyOnWriteArrayList<>();
    /** Loops that died (a simulated crash, or a real failure the test should see). */
    final List<Throwable> deaths = new CopyOnWriteArrayList<>();
    private final KafkaProducer<String, byte[]> producer;
    private final List<Future<RecordMetadata>> sent = new CopyOnWriteArrayList<>();

    /**
     * @param env     reply settings (REPLY_*) on top of the fixture's topics and sandbox address
     * @param sandbox the sandbox's knobs (its port is always a free one)
     */
    ReplyFixture(String bootstrap, int partitions, Map<String, String> env, SandboxConfig sandbox) {
        this.bootstrap = bootstrap;
        this.wecom = new WeComApiSandbox(sandbox.toBuilder().port(0).build()).start();
        wecom.registerApp(CORP, APP.corpSecret(), APP.agentIdNumber());
        wecom.registerApp(CORP_B, APP_B.corpSecret(), APP_B.agentIdNumber());
        String s = "-" + SEQ.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, String> all = new HashMap<>();
        all.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        all.put("KAFKA_TOPIC_INBOUND", "rt.inbound" + s);
        all.put("KAFKA_TOPIC_REPLIES", "rt.replies" + s);
        all.put("KAFKA_TOPIC_INBOUND_DLQ", "rt.inbound.dlq" + s);
        all.put("KAFKA_TOPIC_SESSIONS", "rt.sessions" + s);
        all.put("KAFKA_TOPIC_REPLIES_DLQ", "rt.replies.dlq" + s);
        all.put("KAFKA_TOPIC_DELIVERED", "rt.delivered" + s);
        all.put("KAFKA_TOPIC_PARTITIONS", Integer.toString(partitions));
        all.put("REPLY_GROUP_ID", "rt-group" + s);
        all.put("REPLY_PORT", "0");
        all.put("WECOM_API_BASE", wecom.baseUrl());
        // Tests wait for retries, not minutes: short backoffs unless a test says otherwise.
        all.put("REPLY_RETRY_INITIAL_BACKOFF", "20ms");
        all.put("REPLY_RETRY_MAX_BACKOFF", "200ms");
        all.putAll(env);
        PipelineConfig loaded = ConfigLoader.load(all, Optional.empty());
        this.config = loaded.withApps(List.of(APP, APP_B));
        try (Admin admin = Admin.create(KafkaClientSettings.admin(bootstrap, "rt-admin"))) {
            // Topics.ensure returns once every new partition is served by its leader.
            Topics.ensure(admin, config.kafka(), Duration.ofSeconds(30));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        this.producer = new KafkaProducer<>(KafkaClientSettings.producer(bootstrap, "rt-producer"),
                new StringSerializer(), new ByteArraySerializer());
    }

    ReplyFixture(String bootstrap, int partitions) {
        this(bootstrap, partitions, Map.of(), SandboxConfig.defaults());
    }

    ReplyService startService() {
        return startService(new CrashSwitch(), UnaryOperator.identity());
    }

    /** An instance whose loop dies where {@code crash} or {@code decorate} says; deaths land in {@link #deaths}. */
    ReplyService startService(CrashSwitch crash, UnaryOperator<Processor<ReplyWork>> decorate) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // A short session timeout so a crashed instance's partitions move on within seconds.
        ReplyService service = new ReplyService(config, bootstrap, registry, true,
                Map.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000),
                "test-" + UUID.randomUUID().toString().substring(0, 8), deaths::add, crash, decorate).start();
        services.add(service);
        await().atMost(Duration.ofSeconds(30)).until(service::isRunning);
        return service;
    }

    static ReplyMessage reply(String user, String id, String content) {
        return reply(APP, user, id, content);
    }

    static ReplyMessage reply(AppConfig app, String user, String id, String content) {
        return new ReplyMessage(ReplyMessage.SCHEMA_VERSION, "reply-" + id, "msg-" + id, app.name(), app.corpId(),
                app.agentId(), user, "text", content, System.currentTimeMillis(), "trace-" + id);
    }

    void publish(ReplyMessage m) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(config.kafka().repliesTopic(), m.userKey().toString(),
                JsonSerde.replies().serialize("t", m));
        RecordHeaders.put(r.headers(), RecordHeaders.APP, m.appName());
        RecordHeaders.put(r.headers(), RecordHeaders.REPLY_ID, m.replyId());
        RecordHeaders.put(r.headers(), RecordHeaders.TRACE_ID, m.traceId());
        sent.add(producer.send(r));
    }

    void publishRaw(String key, byte[] value) {
        sent.add(producer.send(new ProducerRecord<>(config.kafka().repliesTopic(), key, value)));
    }

    /** Waits until everything published is acknowledged; fails the test if Kafka refused any of it. */
    void flush() {
        producer.flush();
        try {
            for (Future<RecordMetadata> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("publishing to Kafka failed", e);
        }
        sent.clear();
    }

    /** What the sandbox delivered to {@code user} of the default app, as content, oldest first. */
    List<String> deliveredTo(String user) {
        return wecom.deliveredTo(CORP, user).stream().map(ReceivedMessage::content).toList();
    }

    /** Every committed record of {@code topic}, once at least {@code expected} arrived. */
    List<ConsumerRecord<String, byte[]>> readCommitted(String topic, int expected, Duration within) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        Map<String, Object> c = KafkaClientSettings.consumer(bootstrap, "unused", "rt-reader");
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            await().atMost(within).pollInterval(Duration.ofMillis(50)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
                return out.size() >= expected;
            });
        }
        return out;
    }

    @Override
    public void close() {
        for (ReplyService s : services) {
            s.close();
        }
        producer.close();
        wecom.close();
    }
}
