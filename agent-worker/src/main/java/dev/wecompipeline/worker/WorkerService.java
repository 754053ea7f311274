package dev.wecompipeline.worker;

import java.time.Duration;
import java.util.Map;

import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.ops.KafkaReadiness;
import dev.wecompipeline.ops.OpsServer;
import dev.wecompipeline.worker.agent.Agent;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent-worker process: a member of the {@code wecom-agent-workers} group answering messages
 * from {@code wecom.inbound} onto {@code wecom.replies}. Scale by starting more processes.
 *
 * <pre>{@code
 * try (WorkerService worker = new WorkerService(config, bootstrap, settings, agent, registry, true).start()) {
 *     ... // until SIGTERM
 * }
 * }</pre>
 */
public final class WorkerService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerService.class);
    /**
     * Bounds how long a crashed worker's open transaction can hold back read_committed readers of
     * the reply topic (when it does not come back to fence it itself).
     */
    static final int TRANSACTION_TIMEOUT_MS = 15_000;

    private final WorkerLoop loop;
    private final Thread thread;
    private final KafkaReadiness readiness;
    private final OpsServer ops;
    private final WorkerSettings settings;
    private final Agent agent;

    /**
     * @param serveOps whether to serve {@code /health}, {@code /ready}, {@code /metrics} on
     *                 {@code WORKER_PORT} (the all-in-one serves them once for all components)
     */
    public WorkerService(PipelineConfig config, String bootstrapServers, WorkerSettings settings, Agent agent,
                         PrometheusMeterRegistry registry, boolean serveOps) {
        this(config, bootstrapServers, settings, agent, registry, serveOps, Map.of());
    }

    /** With consumer settings overridden (tests use a short session timeout to notice a dead worker quickly). */
    WorkerService(PipelineConfig config, String bootstrapServers, WorkerSettings settings, Agent agent,
                  PrometheusMeterRegistry registry, boolean serveOps, Map<String, Object> consumerOverrides) {
        this.settings = settings;
        this.agent = agent;
        String clientId = "wecom-worker-" + settings.instanceId();
        Map<String, Object> c = KafkaClientSettings.consumer(bootstrapServers, config.worker().groupId(), clientId);
        // A poll returns quickly and the loop never blocks on agents, but the rebalance listener may
        // wait out the grace period inside poll(): leave room for it.
        c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
                (int) Math.max(300_000, settings.revokeGrace().toMillis() + 60_000));
        // WORKER_SESSION_TIMEOUT_MS: how soon a killed worker's partitions go to the others.
        KafkaClientSettings.sessionTimeout(c, config.worker().sessionTimeout());
        c.putAll(consumerOverrides);
        Map<String, Object> p = KafkaClientSettings.producer(bootstrapServers, clientId);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, clientId);
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
        this.loop = new WorkerLoop(
                new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer()),
                new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer()),
                config.kafka(), agent, settings, new LogScanner(bootstrapServers), new WorkerMetrics(registry));
        this.thread = new Thread(loop, "worker-poll");
        this.readiness = new KafkaReadiness(bootstrapServers, clientId + "-readiness");
        this.ops = serveOps ? OpsServer.create(config.worker().port(), registry, () -> loop.isRunning() && readiness.isReady())
                : null;
    }

    /** A process-unique instance id: the host name (stable per container) plus a short random suffix. */
    public static String defaultInstanceId() {
        return KafkaClientSettings.defaultInstanceId("worker");
    }

    public WorkerService start() {
        thread.start();
        if (ops != null) {
            ops.start();
        }
        LOG.info("worker: started (agent {}, concurrency {}, instance {}{})", agent.name(), settings.concurrency(),
                settings.instanceId(), ops == null ? "" : ", ops on port " + ops.port());
        return this;
    }

    WorkerLoop loop() {
        return loop;
    }

    /** True once the worker has joined the group. */
    public boolean isRunning() {
        return loop.isRunning();
    }

    /** Port of the ops endpoints, or -1 when not served. */
    public int opsPort() {
        return ops == null ? -1 : ops.port();
    }

    @Override
    public void close() {
        try {
            loop.close(settings.revokeGrace().plus(Duration.ofSeconds(45)));
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ops != null) {
            ops.close();
        }
        readiness.close();
        agent.close();
    }
}
