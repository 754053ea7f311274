package dev.wecompipeline.ops;

import java.util.Map;
import java.util.function.BooleanSupplier;

import io.javalin.config.JavalinConfig;
import io.javalin.http.ContentType;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The operational endpoints every service exposes, registered the same way everywhere:
 * {@code GET /health} (the process is up), {@code GET /ready} (its dependencies answer) and
 * {@code GET /metrics} (Prometheus text format).
 */
public final class OpsRoutes {

    public static final String HEALTH_PATH = "/health";
    public static final String READY_PATH = "/ready";
    public static final String METRICS_PATH = "/metrics";

    private static final String HEALTH_BODY = "{\"status\":\"ok\"}";

    private OpsRoutes() {
    }

    /** Adds the three routes to a Javalin configuration being assembled. */
    public static void register(JavalinConfig config, PrometheusMeterRegistry registry, BooleanSupplier ready) {
        config.routes.get(HEALTH_PATH, ctx -> ctx.contentType(ContentType.APPLICATION_JSON).result(HEALTH_BODY));
        config.routes.get(READY_PATH, ctx -> {
            boolean ok = ready.getAsBoolean();
            ctx.status(ok ? 200 : 503).json(Map.of("status", ok ? "ready" : "unavailable"));
        });
        config.routes.get(METRICS_PATH, ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(registry.scrape()));
    }
}
