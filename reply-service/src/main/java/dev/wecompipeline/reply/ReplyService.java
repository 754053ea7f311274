package dev.wecompipeline.reply;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.config.ReplyConfig;
import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.ops.KafkaReadiness;
import dev.wecompipeline.ops.OpsServer;
import dev.wecompipeline.reply.wecom.TokenCache;
import dev.wecompipeline.reply.wecom.WeComClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
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
 * One reply-service process: a member of the consumer group {@code REPLY_GROUP_ID}
 * ({@code wecom-reply-service}) that delivers the replies of {@code wecom.replies} through WeCom's
 * {@code message/send}, with each app's credentials, within WeCom's limits, exactly once per chunk
 * and in order per user. The only part of the pipeline that calls WeCom's server API.
 *
 * <pre>{@code
 * PipelineConfig config = ConfigLoader.load(System.getenv()).requireApps();
 * try (ReplyService replies = new ReplyService(config, bootstrap, registry, true).start()) {
 *     ... // until SIGTERM
 * }
 * }</pre>
 */
public final class ReplyService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplyService.class);
    /** Bounds how long a crashed instance's open transaction holds back readers of its marker partitions. */
    static final int TRANSACTION_TIMEOUT_MS = 15_000;

    private final ReplyConfig reply;
    private final String instanceId;
    private final WeComClient client;
    private final ScheduledExecutorService timer;
    private final ReplyLoop loop;
    private final Thread thread;
    private final KafkaReadiness readiness;
    private final OpsServer ops;
    private final ReplyMetrics metrics;
    private volatile boolean started;

    /**
     * @param config           apps (credentials per app name), Kafka topics and {@link ReplyConfig}
     * @param bootstrapServers the Kafka cluster
     * @param registry         where the {@code wecom_reply_*} meters go
     * @param serveOps         whether to serve {@code /health}, {@code /ready}, {@code /metrics} on
     *                         {@code REPLY_PORT} (the all-in-one serves them once for all components)
     */
    public ReplyService(PipelineConfig config, String bootstrapServers, PrometheusMeterRegistry registry,
                        boolean serveOps) {
        this(config, bootstrapServers, registry, serveOps, Map.of(), defaultInstanceId());
    }

    /**
     * With consumer settings overridden (tests shorten the session timeout to notice a dead
     * instance quickly) and a given instance id (the base of the transactional id).
     */
    ReplyService(PipelineConfig config, String bootstrapServers, PrometheusMeterRegistry registry, boolean serveOps,
                 Map<String, Object> consumerOverrides, String instanceId) {
        this.reply = config.reply();
        this.instanceId = instanceId;
        String clientId = "wecom-reply-" + instanceId;
        this.metrics = new ReplyMetrics(registry);
        this.client = new WeComClient(URI.create(reply.wecomApiBase()), reply.concurrency(), reply.requestTimeout());
        ScheduledThreadPoolExecutor timerPool = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "reply-timer");
            t.setDaemon(true);
            return t;
        });
        // Cancelled waits (revocation) must not linger in the queue until their time comes.
        timerPool.setRemoveOnCancelPolicy(true);
        this.timer = timerPool;
        TokenCache tokens = new TokenCache(client, reply.tokenRefreshMargin(), reply.retryInitialBackoff(),
                reply.retryMaxBackoff(), reply.freqLimitBackoff(), timer, System::currentTimeMillis,
                (app, ok, code) -> metrics.tokenRefresh(app, ok));
        Delivery.Context ctx = new Delivery.Context(client, tokens,
                new UserRateLimiter(reply.perUserPerMinute(), reply.minuteWindow(), reply.perUserPerHour(),
                        reply.hourWindow(), System::currentTimeMillis),
                new AppThrottle(reply.freqLimitBackoff(), reply.appSendsPerSecond(), System::currentTimeMillis),
                new SendPolicy(reply), timer, metrics, System::currentTimeMillis,
                reply.duplicateCheckInterval().toSeconds());

        Map<String, Object> c = KafkaClientSettings.consumer(bootstrapServers, reply.groupId(), clientId);
        // REPLY_SESSION_TIMEOUT_MS: how soon a killed instance's partitions go to the others.
        KafkaClientSettings.sessionTimeout(c, reply.sessionTimeout());
        c.putAll(consumerOverrides);
        Map<String, Object> p = KafkaClientSettings.producer(bootstrapServers, clientId);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, clientId);
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
        // Markers older than twice the retention belong to replies that can no longer be polled.
        DeliveredLog delivered = new DeliveredLog(bootstrapServers, config.kafka().deliveredTopic(),
                config.kafka().retention().multipliedBy(2));
        this.loop = new ReplyLoop(
                new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer()),
                new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer()),
                config.kafka(), new ReplyPreparer(config.apps(), reply), ctx, delivered,
                reply.requestTimeout().plusSeconds(5));
        this.thread = new Thread(loop, "reply-poll");
        this.readiness = new KafkaReadiness(bootstrapServers, clientId + "-readiness");
        this.ops = serveOps ? OpsServer.create(reply.port(), registry, () -> loop.isRunning() && readiness.isReady())
                : null;
    }

    /** A process-unique instance id: the host name (stable per container) plus a short random suffix. */
    public static String defaultInstanceId() {
        return KafkaClientSettings.defaultInstanceId("reply");
    }

    public ReplyService start() {
        started = true;
        thread.start();
        if (ops != null) {
            ops.start();
        }
        LOG.info("reply: started (instance {}, {}{})", instanceId, reply.describe(),
                ops == null ? "" : ", ops on port " + ops.port());
        return this;
    }

    ReplyLoop loop() {
        return loop;
    }

    ReplyMetrics metrics() {
        return metrics;
    }

    /** True once the service has joined the group and until it stops. */
    public boolean isRunning() {
        return loop.isRunning();
    }

    /** Port of the ops endpoints, or -1 when not served. */
    public int opsPort() {
        return ops == null ? -1 : ops.port();
    }

    /**
     * Stops: deliveries stop at their next step, calls in progress get their answer, what finished is
     * committed, the consumer leaves the group. Unfinished replies are delivered by the next owner.
     */
    @Override
    public void close() {
        try {
            if (started) {
                loop.close(reply.requestTimeout().plusSeconds(60));
                thread.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        shutdownResources();
    }

    /** Stops dead, as a killed process would (tests of crash safety). */
    void halt() throws InterruptedException {
        loop.halt();
        shutdownResources();
    }

    private void shutdownResources() {
        if (ops != null) {
            ops.close();
        }
        timer.shutdownNow();
        client.close();
        readiness.close();
    }
}
