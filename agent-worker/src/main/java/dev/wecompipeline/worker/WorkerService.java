package dev.wecompipeline.worker;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.engine.ProcessingEngine;
import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.KafkaConnection;
import dev.wecompipeline.ops.EngineHost;
import dev.wecompipeline.wecom.TokenCache;
import dev.wecompipeline.wecom.WeComAccess;
import dev.wecompipeline.wecom.WeComClient;
import dev.wecompipeline.worker.agent.Agent;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent-worker process: a member of the {@code wecom-agent-workers} group answering messages
 * from {@code wecom.inbound} onto {@code wecom.replies}, as a {@link WorkerProcessor} in the
 * exactly-once {@link ProcessingEngine}. Scale by starting more processes.
 *
 * <pre>{@code
 * try (WorkerService worker = new WorkerService(config, bootstrap, settings, agent, registry, true, onDeath).start()) {
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

    private final EngineHost<WorkerProcessor.Task> host;
    private final WorkerRuntimeOptions settings;
    private final Agent agent;
    private final TaskRunner runner;
    private final ExecutorService loader;
    private final WeComClient wecom;
    private final ScheduledExecutorService tokenTimer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "worker-wecom-timer");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param serveOps    whether to serve {@code /health}, {@code /ready}, {@code /metrics} on
     *                    {@code WORKER_PORT} (the all-in-one serves them once for all components)
     * @param onLoopDeath called once if the loop dies; the launcher ends the process with it
     */
    public WorkerService(PipelineConfig config, String bootstrapServers, WorkerRuntimeOptions settings, Agent agent,
                         PrometheusMeterRegistry registry, boolean serveOps, Consumer<Throwable> onLoopDeath) {
        this(config, bootstrapServers, settings, agent, registry, serveOps, Map.of(), onLoopDeath,
                UnaryOperator.identity(), null);
    }

    /**
     * Sharing the WeCom client and token cache of a reply-service in the same process (the
     * all-in-one), so the process keeps one token cache; {@code null} creates the worker's own.
     */
    public WorkerService(PipelineConfig config, String bootstrapServers, WorkerRuntimeOptions settings, Agent agent,
                         PrometheusMeterRegistry registry, boolean serveOps, Consumer<Throwable> onLoopDeath,
                         WeComAccess sharedWeCom) {
        this(config, bootstrapServers, settings, agent, registry, serveOps, Map.of(), onLoopDeath,
                UnaryOperator.identity(), sharedWeCom);
    }

    WorkerService(PipelineConfig config, String bootstrapServers, WorkerRuntimeOptions settings, Agent agent,
                  PrometheusMeterRegistry registry, boolean serveOps, Map<String, Object> consumerOverrides,
                  Consumer<Throwable> onLoopDeath, UnaryOperator<ProcessingEngine.Clients> decorate) {
        this(config, bootstrapServers, settings, agent, registry, serveOps, consumerOverrides, onLoopDeath, decorate,
                null);
    }

    /**
     * With consumer settings overridden (tests use a short session timeout) and the engine's Kafka
     * clients decorated (tests inject crashes there, never in production code).
     */
    WorkerService(PipelineConfig config, String bootstrapServers, WorkerRuntimeOptions settings, Agent agent,
                  PrometheusMeterRegistry registry, boolean serveOps, Map<String, Object> consumerOverrides,
                  Consumer<Throwable> onLoopDeath, UnaryOperator<ProcessingEngine.Clients> decorate,
                  WeComAccess sharedWeCom) {
        this.settings = settings;
        this.agent = agent;
        String clientId = "wecom-worker-" + settings.instanceId();
        KafkaConnection kafka = KafkaConnection.of(bootstrapServers, config.kafka());
        Map<String, Object> c = KafkaClientSettings.consumer(kafka, config.worker().groupId(), clientId);
        // The loop never waits on agents and loads partitions off its thread, but a revocation may
        // wait out the grace period inside poll(): leave room for it.
        c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
                (int) Math.max(300_000, settings.revokeGrace().toMillis() + 60_000));
        // WORKER_SESSION_TIMEOUT_MS: how soon a killed worker's partitions go to the others.
        KafkaClientSettings.sessionTimeout(c, config.worker().sessionTimeout());
        c.putAll(consumerOverrides);
        Map<String, Object> p = KafkaClientSettings.transactionalProducer(kafka, clientId,
                TRANSACTION_TIMEOUT_MS);
        ProcessingEngine.Clients clients = decorate.apply(ProcessingEngine.Clients.kafka(c, p));
        this.runner = new TaskRunner(settings.concurrency(), settings.agentTimeout());
        this.loader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "worker-load");
            t.setDaemon(true);
            return t;
        });
        // The worker's own client only when no reply-service in this process shares its own.
        this.wecom = sharedWeCom != null ? null : mediaClient(config);
        WeComClient mediaClient = sharedWeCom != null ? sharedWeCom.client() : wecom;
        TokenCache mediaTokens = sharedWeCom != null ? sharedWeCom.tokens() : wecom == null ? null
                : new TokenCache(wecom, config.reply().tokenRefreshMargin(), config.reply().retryInitialBackoff(),
                        config.reply().retryMaxBackoff(), config.reply().freqLimitBackoff(), tokenTimer,
                        System::currentTimeMillis, (app, ok, code) -> { });
        // Media in and out share one client and one token cache: gettoken is rate limited.
        MediaFetcher media = mediaClient == null ? MediaFetcher.NONE
                : new MediaFetcher(config.apps(), mediaClient, mediaTokens, config.media(), null);
        MediaUploader uploader = mediaClient == null ? MediaUploader.NONE
                : new MediaUploader(config.apps(), mediaClient, mediaTokens);
        WorkerProcessor processor = new WorkerProcessor(config.kafka(), agent, settings, runner,
                new PartitionHistory(kafka), new WorkerMetrics(registry), loader, media, uploader);
        // A dead loop's process is about to end: its agent calls are interrupted.
        Consumer<Throwable> onDeath = cause -> {
            runner.close();
            onLoopDeath.accept(cause);
        };
        this.host = new EngineHost<>("worker", new ProcessingEngine<>(settings.engine(), processor,
                List.of(config.kafka().inboundTopic()), clients, registry, System::nanoTime, onDeath), kafka, clientId,
                registry, serveOps ? config.worker().port() : null);
    }

    /**
     * The WeCom client for {@code media/get}, when at least one app has its secret
     * ({@code WECOM_CALLBACK_CORP_SECRET}); without one, media messages reach the agent as descriptions.
     */
    private static WeComClient mediaClient(PipelineConfig config) {
        if (config.apps().stream().noneMatch(a -> a.corpSecret() != null)) {
            LOG.info("worker: no app has a corp secret; media is not fetched, agents get descriptions");
            return null;
        }
        return new WeComClient(URI.create(config.reply().wecomApiBase()), config.reply().concurrency(),
                config.reply().requestTimeout());
    }

    /** A process-unique instance id: the host name (stable per container) plus a short random suffix. */
    public static String defaultInstanceId() {
        return KafkaClientSettings.defaultInstanceId("worker");
    }

    public WorkerService start() {
        host.start();
        LOG.info("worker: started (agent {}, concurrency {}, instance {}{})", agent.name(), settings.concurrency(),
                settings.instanceId(), host.opsPort() < 0 ? "" : ", ops on port " + host.opsPort());
        return this;
    }

    ProcessingEngine<WorkerProcessor.Task> engine() {
        return host.engine();
    }

    /** True once the worker has joined the group and until its loop stops. */
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

    /** How long {@link #close()} waits for the loop beyond the tasks' grace (commit, leave the group). */
    static final Duration CLOSE_WAIT_BEYOND_GRACE = Duration.ofSeconds(45);

    /**
     * The longest {@link #close()} takes with this grace for in-flight tasks: what an orchestrator's
     * stop grace (compose's {@code stop_grace_period}) must exceed, or SIGKILL cuts the shutdown short.
     */
    public static Duration longestShutdown(Duration revokeGrace) {
        return revokeGrace.plus(CLOSE_WAIT_BEYOND_GRACE).plus(EngineHost.joinWait());
    }

    @Override
    public void close() {
        host.stop(settings.revokeGrace().plus(CLOSE_WAIT_BEYOND_GRACE));
        runner.close();
        loader.shutdownNow();
        tokenTimer.shutdownNow();
        if (wecom != null) {
            wecom.close();
        }
        agent.close();
        LOG.info("worker: stopped");
    }
}
