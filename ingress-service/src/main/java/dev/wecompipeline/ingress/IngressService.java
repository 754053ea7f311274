package dev.wecompipeline.ingress;

import java.time.Clock;

import dev.wecompipeline.config.IngressConfig;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.crypto.SignatureMismatchException;
import dev.wecompipeline.crypto.WeComCryptoException;
import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.KafkaConnection;
import dev.wecompipeline.ops.KafkaReadiness;
import dev.wecompipeline.ops.OpsRoutes;
import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingress: the only part WeCom talks to. Assembles the Javalin server in one place: the
 * callback routes (shared path and optional per-app paths), the operational endpoints, and the
 * one mapping from rejections to statuses.
 *
 * <pre>{@code
 * try (IngressService ingress = new IngressService(config, bootstrapServers, registry).start()) {
 *     ... // serves until closed
 * }
 * }</pre>
 */
public final class IngressService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IngressService.class);

    private final PipelineConfig config;
    private final InboundPublisher publisher;
    private final KafkaReadiness readiness;
    private final CallbackHandler handler;
    private final Javalin app;

    /**
     * @param config           validated configuration; must contain at least one app
     * @param bootstrapServers the Kafka cluster to publish to
     * @param registry         where the ingress registers its meters; scraped by {@code /metrics}
     */
    public IngressService(PipelineConfig config, String bootstrapServers, PrometheusMeterRegistry registry) {
        this.config = config.requireApps();
        IngressConfig ingress = config.ingress();
        Clock clock = Clock.systemUTC();
        this.publisher = new InboundPublisher(KafkaClientSettings.producer(KafkaConnection.of(bootstrapServers, config.kafka()), "wecom-ingress"),
                config.kafka().inboundTopic(), config.kafka().repliesTopic());
        this.readiness = new KafkaReadiness(KafkaConnection.of(bootstrapServers, config.kafka()), "wecom-ingress-readiness");
        this.handler = new CallbackHandler(ingress,
                new AppRouter(config.apps(), ingress.timestampWindow(), clock),
                new SourceFilter(ingress.allowedSourceCidrs(), ingress.trustedProxies()),
                publisher,
                new RetryDedupeCache(ingress.dedupeTtl(), RetryDedupeCache.DEFAULT_MAX_ENTRIES, clock),
                new IngressMetrics(registry), clock);
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.jetty.host = ingress.host();
            cfg.jetty.port = ingress.port();
            // Javalin refuses larger bodies itself too (413), also when no Content-Length is sent.
            cfg.http.maxRequestSize = ingress.maxBodyBytes();
            cfg.routes.get(ingress.path(), handler::verify);
            cfg.routes.post(ingress.path(), handler::receive);
            if (ingress.perAppPaths()) {
                String perApp = ingress.path() + "/{" + CallbackHandler.APP_PARAM + "}";
                cfg.routes.get(perApp, handler::verify);
                cfg.routes.post(perApp, handler::receive);
            }
            OpsRoutes.register(cfg, registry, readiness::isReady);
            cfg.routes.exception(CallbackRejected.class, (e, ctx) -> handler.reject(ctx, e.outcome(), e.getMessage()));
            cfg.routes.exception(WeComCryptoException.class, (e, ctx) -> handler.reject(ctx,
                    e instanceof SignatureMismatchException ? Outcome.BAD_SIGNATURE : Outcome.BAD_REQUEST,
                    "WeCom crypto error " + e.errorCode() + ": " + e.getMessage()));
            cfg.routes.exception(HttpResponseException.class, (e, ctx) -> {
                if (e.getStatus() == 404) {
                    // No such route: not a callback at all. Answering 404 (not 400) lets an operator, curl or
                    // `doctor` tell a wrong path in WeCom's console or the proxy from a mangled request.
                    ctx.status(404).contentType(io.javalin.http.ContentType.TEXT_PLAIN).result("not_found");
                    return;
                }
                handler.reject(ctx, e.getStatus() == 413 ? Outcome.TOO_LARGE : Outcome.BAD_REQUEST, e.getMessage());
            });
        });
    }

    /** Starts serving; returns once the port is bound. */
    public IngressService start() {
        app.start();
        IngressConfig ingress = config.ingress();
        LOG.info("ingress: listening on {}:{}, callback path {}{} for apps {}", ingress.host(), app.port(),
                ingress.path(), ingress.perAppPaths() ? " (and " + ingress.path() + "/{app})" : "",
                config.apps().stream().map(a -> a.name()).toList());
        if (!ingress.allowAllUsers() && ingress.allowedUsers().isEmpty()) {
            LOG.warn("ingress: no user is allowed to talk to the agent; set {}=user1,user2 (or corp_id:user) "
                    + "or {}=true", IngressConfig.ALLOWED_USERS_ENV, IngressConfig.ALLOW_ALL_USERS_ENV);
        }
        return this;
    }

    /** The bound port (useful when configured as 0). */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
        publisher.close();
        readiness.close();
        LOG.info("ingress: stopped");
    }
}
