package dev.wecompipeline.reply;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.config.ReplyConfig;
import dev.wecompipeline.engine.EngineSettings;
import dev.wecompipeline.engine.ProcessingEngine;
import dev.wecompipeline.engine.Processor;
import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.KafkaConnection;
import dev.wecompipeline.ops.EngineHost;
import dev.wecompipeline.wecom.TokenCache;
import dev.wecompipeline.wecom.WeComAccess;
import dev.wecompipeline.wecom.WeComClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reply-service process: a member of the consumer group {@code REPLY_GROUP_ID}
 * ({@code wecom-reply-service}) that delivers the replies of {@code wecom.replies} through WeCom's
 * {@code message/send}, with each app's credentials, within WeCom's limits, exactly once per chunk
 * and in order per user, as a {@link ReplyProcessor} in the exactly-once {@link ProcessingEngine}.
 * The only part of the pipeline that calls WeCom's server API.
 *
 * <pre>{@code
 * PipelineConfig config = ConfigLoader.load(System.getenv()).requireApps();
 * try (ReplyService replies = new ReplyService(config, bootstrap, registry, true, onDeath).start()) {
 *     ... // until SIGTERM
 * }
 * }</pre>
 */
public final class ReplyService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplyService.class);
    /** Bounds how long a crashed instance's open transaction holds back readers of its marker partitions. */
    static final int TRANSACTION_TIMEOUT_MS = 15_000;
    /** Waits hold no thread, so any number of users may be in delivery at once: the limit is only a guard. */
    static final int MAX_IN_DELIVERY = 100_000;

    private final ReplyConfig reply;
    private final PipelineConfig config;
    private final KafkaConnection kafka;
    private final String instanceId;
    private final WeComClient client;
    private final WeComAccess wecomAccess;
    private final ScheduledExecutorService timer;
    private final ExecutorService loader;
    private final EngineHost<ReplyWork> host;
    private final ReplyMetrics metrics;

    /**
     * @param config           apps (credentials per app name), Kafka topics and {@link ReplyConfig}
     * @param bootstrapServers the Kafka cluster
     * @param registry         where the {@code wecom_reply_*} meters go
     * @param serveOps         whether to serve {@code /health}, {@code /ready}, {@code /metrics} on
     *                         {@code REPLY_PORT} (the all-in-one serves them once for all components)
     * @param onLoopDeath      called once if the loop dies; the launcher ends the process with it
     */
    public ReplyService(PipelineConfig config, String bootstrapServers, PrometheusMeterRegistry registry,
                        boolean serveOps, Consumer<Throwable> onLoopDeath) {
        this(config, bootstrapServers, registry, serveOps, Map.of(), defaultInstanceId(), onLoopDeath,
                UnaryOperator.identity(), UnaryOperator.identity());
    }

    /**
     * With consumer settings overridden (tests shorten the session timeout), a given instance id
     * (the base of the transactional id), and the engine's clients and the processor decorated
     * (tests inject crashes there, never in production code).
     */
    ReplyService(PipelineConfig config, String bootstrapServers, PrometheusMeterRegistry registry, boolean serveOps,
                 Map<String, Object> consumerOverrides, String instanceId, Consumer<Throwable> onLoopDeath,
                 UnaryOperator<ProcessingEngine.Clients> decorateClients,
                 UnaryOperator<Processor<ReplyWork>> decorateProcessor) {
        // The secret is optional where only callbacks are handled; here every app needs it.
        config.apps().forEach(app -> app.requireCorpSecret("the reply-service"));
        this.reply = config.reply();
        this.config = config;
        this.kafka = KafkaConnection.of(bootstrapServers, config.kafka());
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
        this.loader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "reply-load");
            t.setDaemon(true);
            return t;
        });
        TokenCache tokens = new TokenCache(client, reply.tokenRefreshMargin(), reply.retryInitialBackoff(),
                reply.retryMaxBackoff(), reply.freqLimitBackoff(), timer, System::currentTimeMillis,
                (app, ok, code) -> metrics.tokenRefresh(app, ok));
        this.wecomAccess = new WeComAccess(client, tokens);
        ReplyDelivery.Context ctx = new ReplyDelivery.Context(client, tokens,
                new UserRateLimiter(reply.perUserPerMinute(), reply.minuteWindow(), reply.perUserPerHour(),
                        reply.hourWindow(), System::currentTimeMillis),
                new AppThrottle(reply.freqLimitBackoff(), reply.appSendsPerSecond(), System::currentTimeMillis),
                new SendPolicy(reply), timer, metrics, System::currentTimeMillis,
                reply.duplicateCheckInterval().toSeconds());

        Map<String, Object> c = KafkaClientSettings.consumer(kafka, reply.groupId(), clientId);
        // REPLY_SESSION_TIMEOUT_MS: how soon a killed instance's partitions go to the others.
        KafkaClientSettings.sessionTimeout(c, reply.sessionTimeout());
        c.putAll(consumerOverrides);
        Map<String, Object> p = KafkaClientSettings.transactionalProducer(kafka, clientId,
                TRANSACTION_TIMEOUT_MS);
        // Markers older than twice the retention belong to replies that can no longer be polled.
        DeliveryMarkers delivered = new DeliveryMarkers(kafka, config.kafka().deliveredTopic(),
                config.kafka().retention().multipliedBy(2), longest(reply.minuteWindow(), reply.hourWindow()));
        Processor<ReplyWork> processor = decorateProcessor.apply(new ReplyProcessor(config.kafka(),
                new ReplyPreparer(config.apps(), reply), ctx, delivered, loader));
        ProcessingEngine.Clients clients = decorateClients.apply(ProcessingEngine.Clients.kafka(c, p));
        // Calls in progress at a revocation get their answer (bounded by the request timeout).
        EngineSettings engineSettings = config.engine().settings("reply", MAX_IN_DELIVERY,
                reply.requestTimeout().plusSeconds(5));
        // A dead loop's process is about to end: no timer may send anything meanwhile.
        Consumer<Throwable> onDeath = cause -> {
            timer.shutdownNow();
            onLoopDeath.accept(cause);
        };
        this.host = new EngineHost<>("reply", new ProcessingEngine<>(engineSettings, processor,
                List.of(config.kafka().repliesTopic()), clients, registry, System::nanoTime, onDeath), kafka, clientId,
                registry, serveOps ? reply.port() : null);
    }

    private static Duration longest(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** A process-unique instance id: the host name (stable per container) plus a short random suffix. */
    public static String defaultInstanceId() {
        return KafkaClientSettings.defaultInstanceId("reply");
    }

    public ReplyService start() {
        requireMarkerPartitions();
        host.start();
        LOG.info("reply: started (instance {}, {}{})", instanceId, reply.describe(),
                host.opsPort() < 0 ? "" : ", ops on port " + host.opsPort());
        return this;
    }

    /** Markers go to the replies partition's number in the delivered topic: it needs at least as many partitions. */
    private void requireMarkerPartitions() {
        String replies = config.kafka().repliesTopic();
        String markers = config.kafka().deliveredTopic();
        Map<String, TopicDescription> topics;
        try (Admin admin = Admin.create(KafkaClientSettings.admin(kafka, "wecom-reply-check"))) {
            topics = admin.describeTopics(List.of(replies, markers)).allTopicNames().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("reply: cannot describe " + replies + " and " + markers + ": " + e, e);
        }
        int r = topics.get(replies).partitions().size();
        int m = topics.get(markers).partitions().size();
        if (m < r) {
            throw new IllegalStateException(markers + " has " + m + " partitions, fewer than the " + r + " of "
                    + replies + "; give it at least as many");
        }
    }

    ProcessingEngine<ReplyWork> engine() {
        return host.engine();
    }

    ReplyMetrics metrics() {
        return metrics;
    }

    /** True once the service has joined the group and until its loop stops. */
    public boolean isRunning() {
        return host.isRunning();
    }

    /** Ready: the loop runs and commits its finished work in time, and Kafka answers. */
    public boolean isReady() {
        return host.isReady();
    }

    /** Port of the ops endpoints, or -1 when not served. */
    public int opsPort() {
        return host.opsPort();
    }

    /** How long {@link #close()} waits for the loop beyond one request timeout (commit, leave the group). */
    static final Duration CLOSE_WAIT_BEYOND_REQUEST = Duration.ofSeconds(60);

    /**
     * The longest {@link #close()} takes with this request timeout: what an orchestrator's stop
     * grace (compose's {@code stop_grace_period}) must exceed, or SIGKILL cuts the shutdown short.
     */
    public static Duration longestShutdown(Duration requestTimeout) {
        return requestTimeout.plus(CLOSE_WAIT_BEYOND_REQUEST).plus(EngineHost.joinWait());
    }

    /**
     * This service's WeCom client and token cache, for a worker in the same process to share
     * (the all-in-one): one {@code gettoken} single flight per app per process. Closed with this service.
     */
    public WeComAccess wecom() {
        return wecomAccess;
    }

    /**
     * Stops: deliveries stop at their next step, calls in progress get their answer, what finished is
     * committed, the consumer leaves the group. Unfinished replies are delivered by the next owner.
     */
    @Override
    public void close() {
        host.stop(reply.requestTimeout().plus(CLOSE_WAIT_BEYOND_REQUEST));
        timer.shutdownNow();
        loader.shutdownNow();
        client.close();
        LOG.info("reply: stopped");
    }
}
