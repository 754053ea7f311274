package dev.wecompipeline.worker;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.wecompipeline.config.ConfigLoader;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.RecordHeaders;
import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.kafka.Topics;
import dev.wecompipeline.testkit.CrashSwitch;
import dev.wecompipeline.worker.agent.Agent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Fresh topics on the real broker, workers to start and stop, and helpers to publish and count. */
final class WorkerFixture implements AutoCloseable {

    private static final AtomicInteger SEQ = new AtomicInteger();

    final String bootstrap;
    final PipelineConfig config;
    final List<WorkerService> workers = new CopyOnWriteArrayList<>();
    final List<PrometheusMeterRegistry> registries = new CopyOnWriteArrayList<>();
    /** Loops that died (a simulated crash, or a real failure the test should see). */
    final List<Throwable> deaths = new CopyOnWriteArrayList<>();
    private final KafkaProducer<String, byte[]> producer;

    WorkerFixture(String bootstrap, int partitions) {
        this(bootstrap, partitions, Map.of());
    }

    /** With more settings, e.g. an app's WeCom credentials and {@code WECOM_API_BASE}. */
    WorkerFixture(String bootstrap, int partitions, Map<String, String> extraEnv) {
        this.bootstrap = bootstrap;
        String s = "-" + SEQ.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("KAFKA_TOPIC_INBOUND", "wt.inbound" + s);
        env.put("KAFKA_TOPIC_REPLIES", "wt.replies" + s);
        env.put("KAFKA_TOPIC_INBOUND_DLQ", "wt.inbound.dlq" + s);
        env.put("KAFKA_TOPIC_SESSIONS", "wt.sessions" + s);
        env.put("KAFKA_TOPIC_REPLIES_DLQ", "wt.replies.dlq" + s);
        env.put("KAFKA_TOPIC_DELIVERED", "wt.delivered" + s);
        env.put("KAFKA_TOPIC_PARTITIONS", Integer.toString(partitions));
        env.put("WORKER_GROUP_ID", "wt-group" + s);
        env.put("WORKER_PORT", "0");
        env.putAll(extraEnv);
        this.config = ConfigLoader.load(env, java.util.Optional.empty());
        try (Admin admin = Admin.create(KafkaClientSettings.admin(bootstrap, "wt-admin"))) {
            // Topics.ensure returns once every new partition is served by its leader.
            Topics.ensure(admin, config.kafka(), Duration.ofSeconds(30));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        this.producer = new KafkaProducer<>(KafkaClientSettings.producer(bootstrap, "wt-producer"),
                new StringSerializer(), new ByteArraySerializer());
    }

    static WorkerRuntimeOptions settings(int concurrency) {
        return settings(concurrency, Duration.ofSeconds(30));
    }

    /** Test settings whose agent calls may take up to {@code agentTimeout} (a held task: minutes). */
    static WorkerRuntimeOptions settings(int concurrency, Duration agentTimeout) {
        return settings(concurrency, agentTimeout, WorkerRuntimeOptions.DEFAULT_ANSWER_MAX_CHARS,
                WorkerRuntimeOptions.ProgressNotice.OFF);
    }

    /**
     * Production defaults but for the given values, a 5 s revoke grace (a stopped test worker gives
     * up its held tasks quickly) and an instance id of its own.
     */
    static WorkerRuntimeOptions settings(int concurrency, Duration agentTimeout, int answerMaxChars,
                                         WorkerRuntimeOptions.ProgressNotice progressNotice) {
        WorkerRuntimeOptions d = WorkerRuntimeOptions.of(concurrency, agentTimeout, "text",
                "test-" + UUID.randomUUID().toString().substring(0, 8));
        return new WorkerRuntimeOptions(d.concurrency(), d.agentTimeout(), d.apology(), d.replyFormat(),
                d.historyTurns(), Duration.ofSeconds(5), d.dedupeWindow(), answerMaxChars, d.historyMaxBytes(),
                d.engineBounds(), d.instanceId(), progressNotice);
    }

    WorkerService startWorker(Agent agent, WorkerRuntimeOptions settings) {
        return startWorker(agent, settings, new CrashSwitch(), Map.of());
    }

    /** A worker whose loop dies where {@code crash} is armed; its death is recorded in {@link #deaths}. */
    WorkerService startWorker(Agent agent, WorkerRuntimeOptions settings, CrashSwitch crash, Map<String, Object> overrides) {
        return startWorker(agent, settings, crash, overrides, null);
    }

    /** A worker sharing {@code wecom} (a reply-service's client and token cache), as in the all-in-one. */
    WorkerService startWorker(Agent agent, WorkerRuntimeOptions settings, CrashSwitch crash, Map<String, Object> overrides,
                              dev.wecompipeline.wecom.WeComAccess wecom) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // A short session timeout so a crashed worker's partitions move on within seconds.
        Map<String, Object> consumer = new HashMap<>(Map.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000));
        consumer.putAll(overrides);
        WorkerService w = new WorkerService(config, bootstrap, settings, agent, registry, false, consumer,
                deaths::add, crash, wecom).start();
        workers.add(w);
        registries.add(registry);
        await().atMost(Duration.ofSeconds(30)).until(w::isRunning);
        return w;
    }

    static InboundMessage text(String user, String id, String text) {
        return new InboundMessage(InboundMessage.SCHEMA_VERSION, id, "default", "wwcorp", "1000002", user, "text",
                System.currentTimeMillis() / 1000, text, Map.of(), System.currentTimeMillis(), "t-" + id);
    }

    void publish(InboundMessage m) {
        publish(m, false);
    }

    void publish(InboundMessage m, boolean replay) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(config.kafka().inboundTopic(), m.userKey().toString(),
                JsonSerde.inbound().serialize("t", m));
        RecordHeaders.put(r.headers(), RecordHeaders.APP, m.appName());
        RecordHeaders.put(r.headers(), RecordHeaders.MESSAGE_ID, m.messageId());
        if (replay) {
            RecordHeaders.put(r.headers(), RecordHeaders.REPLAY, "true");
        }
        producer.send(r);
    }

    void publishRaw(String key, byte[] value) {
        producer.send(new ProducerRecord<>(config.kafka().inboundTopic(), key, value));
    }

    void flush() {
        producer.flush();
    }

    /** Committed replies (read_committed), read until {@code expected} arrived and nothing more comes. */
    List<ReplyMessage> replies(int expected, Duration within) {
        return readCommitted(config.kafka().repliesTopic(), expected, within).stream()
                .map(r -> JsonSerde.replies().deserialize("t", r.value())).toList();
    }

    List<ConsumerRecord<String, byte[]>> readCommitted(String topic, int expected, Duration within) {
        return readCommitted(topic, expected, within, Duration.ofMillis(500));
    }

    /** Committed replies, read until {@code expected} arrived and nothing more comes for {@code quiet}. */
    List<ReplyMessage> replies(int expected, Duration within, Duration quiet) {
        return readCommitted(config.kafka().repliesTopic(), expected, within, quiet).stream()
                .map(r -> JsonSerde.replies().deserialize("t", r.value())).toList();
    }

    List<ConsumerRecord<String, byte[]>> readCommitted(String topic, int expected, Duration within, Duration quiet) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        Map<String, Object> c = KafkaClientSettings.consumer(bootstrap, "unused", "wt-reader");
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            await().atMost(within).pollInterval(Duration.ofMillis(50)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
                return out.size() >= expected;
            });
            // Anything beyond the expected count (a duplicate) would show up here.
            long quietUntil = System.nanoTime() + quiet.toNanos();
            while (System.nanoTime() < quietUntil) {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
            }
        }
        return out;
    }

    @Override
    public void close() {
        for (WorkerService w : workers) {
            w.close();
        }
        producer.close();
    }
}
