package dev.wecompipeline.launcher;

import java.util.function.Consumer;

import java.time.Duration;

import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.ingress.IngressService;
import dev.wecompipeline.kafka.embedded.EmbeddedKafkaBroker;
import dev.wecompipeline.reply.ReplyService;
import dev.wecompipeline.worker.WorkerService;
import dev.wecompipeline.worker.WorkerRuntimeOptions;
import dev.wecompipeline.worker.agent.Agents;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline in one JVM: the embedded broker (unless a cluster is configured), ingress,
 * worker and reply-service, sharing one metrics registry served on the ingress port. Used by
 * {@code all-in-one} and {@code demo}. Closing stops them in the order that loses nothing:
 * first the door (ingress), then the worker (in-flight tasks get their grace period), then the
 * reply-service, then the broker.
 */
final class PipelineRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineRuntime.class);

    private final EmbeddedKafkaBroker broker;
    private final IngressService ingress;
    private final WorkerService worker;
    private final ReplyService reply;
    private final String bootstrap;

    private PipelineRuntime(EmbeddedKafkaBroker broker, String bootstrap, IngressService ingress, WorkerService worker,
                            ReplyService reply) {
        this.broker = broker;
        this.bootstrap = bootstrap;
        this.ingress = ingress;
        this.worker = worker;
        this.reply = reply;
    }

    /** @param onLoopDeath called if the worker's or the reply-service's loop dies (the command then exits non-zero) */
    static PipelineRuntime start(PipelineConfig config, Consumer<Throwable> onLoopDeath) throws InterruptedException {
        config.requireApps();
        EmbeddedKafkaBroker broker = null;
        String bootstrap = config.kafka().bootstrapServers();
        if (config.kafka().usesEmbeddedBroker()) {
            broker = new EmbeddedKafkaBroker(config.kafkaDataDir(), EmbeddedKafkaBroker.DEFAULT_HOST,
                    config.kafkaPort(), java.util.Map.of()).start();
            bootstrap = broker.bootstrapServers();
            LOG.info("all-in-one: kafka   embedded broker on {} (data {})", bootstrap, config.kafkaDataDir());
        } else {
            LOG.info("all-in-one: kafka   cluster at {}", bootstrap);
        }
        ServiceStartup.ensureTopics(config, bootstrap);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ReplyService reply = new ReplyService(config, bootstrap, registry, false, onLoopDeath).start();
        LOG.info("all-in-one: reply   delivering to {}", config.reply().wecomApiBase());
        WorkerService worker = new WorkerService(config, bootstrap,
                WorkerRuntimeOptions.from(config, WorkerService.defaultInstanceId()), Agents.create(config), registry, false,
                onLoopDeath, reply.wecom())   // one token cache per process: the reply-service's
                .start();
        LOG.info("all-in-one: worker  agent {} with concurrency {}", config.worker().agent().id(),
                config.worker().concurrency());
        IngressService ingress = new IngressService(config, bootstrap, registry).start();
        LOG.info("all-in-one: ingress http://{}:{}{} (health, ready and metrics on {})",
                config.ingress().host(), ingress.port(), config.ingress().path(),
                ingress.opsPort() == ingress.port() ? "the same port" : "ops port " + ingress.opsPort());
        String publicUrl = config.ingress().publicUrl() != null ? config.ingress().publicUrl()
                : "http://<your-public-host>:" + ingress.port() + config.ingress().path();
        LOG.info("all-in-one: register  {}  in WeCom's admin console (Receive Messages); check with `doctor`",
                publicUrl);
        return new PipelineRuntime(broker, bootstrap, ingress, worker, reply);
    }

    int ingressPort() {
        return ingress.port();
    }

    String bootstrapServers() {
        return bootstrap;
    }

    @Override
    public void close() {
        ingress.close();
        worker.close();
        reply.close();
        if (broker != null) {
            broker.close();
        }
        LOG.info("all-in-one: stopped");
    }
}
