package dev.wecompipeline.ops;

import java.util.function.BooleanSupplier;

import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * A small HTTP server with only the operational endpoints ({@link OpsRoutes}), for the services
 * that have no HTTP server of their own (worker, reply-service) when they run alone, and for the
 * ingress when its ops endpoints move off the public listener ({@code WECOM_CALLBACK_OPS_PORT}).
 */
public final class OpsServer implements AutoCloseable {

    private final Javalin app;

    private OpsServer(Javalin app) {
        this.app = app;
    }

    /** @param port 0 picks a free port */
    public static OpsServer create(int port, PrometheusMeterRegistry registry, BooleanSupplier ready) {
        return create(null, port, registry, ready);
    }

    /**
     * @param host bind address; null binds every interface
     * @param port 0 picks a free port
     */
    public static OpsServer create(String host, int port, PrometheusMeterRegistry registry, BooleanSupplier ready) {
        return new OpsServer(Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.jetty.host = host;
            cfg.jetty.port = port;
            OpsRoutes.register(cfg, registry, ready);
        }));
    }

    public OpsServer start() {
        app.start();
        return this;
    }

    /** The bound port (after {@link #start()}). */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
