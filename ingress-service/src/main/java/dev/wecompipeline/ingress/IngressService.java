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
import dev.wecompipeline.ops.OpsServer;
import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingress: the only part WeCom talks to. Assembles the Javalin server in one place: the
 * callback routes (shared path and optional per-app paths), the operational endpoints (here, or on
 * their own port with {@code WECOM_CALLBACK_OPS_PORT}), the one mapping from rejections to
 * statuses, and the limits that keep slow or idle connections from starving the callbacks: an
 * idle timeout, a minimum body data rate and a connection limit.
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
    private final OpsServer ops;

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
                new IngressMetrics(registry), clock,
                this::onJettyPool);
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            // Our own connector (Javalin then adds none) so the idle timeout can be set on it.
            cfg.jetty.addConnector((server, http) -> {
                ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
                connector.setHost(ingress.host());
                connector.setPort(ingress.port());
                // Silent connections give their slot (and a blocked body read its thread) back.
                connector.setIdleTimeout(ingress.idleTimeout().toMillis());
                return connector;
            });
            // A body dribbled in below this rate fails its next read with 408 instead of holding one of
            // Jetty's (at most 250) threads for as long as the sender likes; 0 leaves the check off.
            cfg.jetty.modifyHttpConfiguration(http -> http.setMinRequestDataRate(ingress.minDataRate()));
            if (ingress.maxConnections() > 0) {
                // Beyond the limit Jetty stops accepting; new connections wait in the kernel's accept queue.
                cfg.jetty.modifyServer(server -> server.addBean(new NetworkConnectionLimit(ingress.maxConnections(), server)));
            }
            // Javalin refuses larger bodies itself too (413), also when no Content-Length is sent.
            cfg.http.maxRequestSize = ingress.maxBodyBytes();
            cfg.routes.get(ingress.path(), handler::verify);
            cfg.routes.post(ingress.path(), handler::receive);
            if (ingress.perAppPaths()) {
                String perApp = ingress.path() + "/{" + CallbackHandler.APP_PARAM + "}";
                cfg.routes.get(perApp, handler::verify);
                cfg.routes.post(perApp, handler::receive);
            }
            if (!ingress.hasOpsPort()) {
                OpsRoutes.register(cfg, registry, readiness::isReady);
            }
            cfg.routes.exception(CallbackRejected.class, (e, ctx) -> handler.reject(ctx, e.outcome(), e.getMessage()));
            cfg.routes.exception(WeComCryptoException.class, (e, ctx) -> handler.reject(ctx,
                    e instanceof SignatureMismatchException ? CallbackOutcome.BAD_SIGNATURE : CallbackOutcome.BAD_REQUEST,
                    "WeCom crypto error " + e.errorCode() + ": " + e.getMessage()));
            // Jetty's own refusals while reading the body: 408 when it arrives below the minimum data rate.
            cfg.routes.exception(HttpException.RuntimeException.class, (e, ctx) -> handler.reject(ctx,
                    e.getCode() == 408 ? CallbackOutcome.TOO_SLOW : CallbackOutcome.BAD_REQUEST, e.getMessage()));
            cfg.routes.exception(HttpResponseException.class, (e, ctx) -> {
                if (e.getStatus() == 404) {
                    // No such route: not a callback at all. Answering 404 (not 400) lets an operator, curl or
                    // `doctor` tell a wrong path in WeCom's console or the proxy from a mangled request.
                    CallbackHandler.writePlainText(ctx, 404, "not_found");
                    return;
                }
                handler.reject(ctx, e.getStatus() == 413 ? CallbackOutcome.TOO_LARGE : CallbackOutcome.BAD_REQUEST, e.getMessage());
            });
        });
        this.ops = ingress.hasOpsPort()
                ? OpsServer.create(ingress.host(), ingress.opsPort(), registry, readiness::isReady) : null;
    }

    /** Starts serving; returns once the port is bound. */
    public IngressService start() {
        if (ops != null) {
            ops.start();
        }
        try {
            app.start();
        } catch (RuntimeException e) {
            // The callback port is taken, say: don't leave the ops listener answering for a dead ingress.
            if (ops != null) {
                ops.close();
            }
            throw e;
        }
        IngressConfig ingress = config.ingress();
        LOG.info("ingress: listening on {}:{}, callback path {}{} for apps {}; {}", ingress.host(), app.port(),
                ingress.path(), ingress.perAppPaths() ? " (and " + ingress.path() + "/{app})" : "",
                config.apps().stream().map(a -> a.name()).toList(),
                ops == null ? "/health, /ready, /metrics on the same port" : "/health, /ready, /metrics on port " + ops.port());
        if (!ingress.allowAllUsers() && ingress.allowedUsers().isEmpty()) {
            LOG.warn("ingress: no user is allowed to talk to the agent; set {}=user1,user2 (or corp_id:user) "
                    + "or {}=true", IngressConfig.ALLOWED_USERS.env(), IngressConfig.ALLOW_ALL_USERS.env());
        }
        return this;
    }

    /** Runs a task on Jetty's own pool, which exists from the server's construction, before any request. */
    private void onJettyPool(Runnable task) {
        app.jettyServer().server().getThreadPool().execute(task);
    }

    /** The bound port (useful when configured as 0). */
    public int port() {
        return app.port();
    }

    /** The port serving {@code /health}, {@code /ready} and {@code /metrics}: the ops port if set, else {@link #port()}. */
    public int opsPort() {
        return ops == null ? app.port() : ops.port();
    }

    /** The Jetty server behind the callback listener, for tests that check its limits. */
    org.eclipse.jetty.server.Server jettyServer() {
        return app.jettyServer().server();
    }

    @Override
    public void close() {
        app.stop();
        if (ops != null) {
            ops.close();
        }
        publisher.close();
        readiness.close();
        LOG.info("ingress: stopped");
    }
}
