package dev.wecompipeline.sandbox;

import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import io.javalin.json.JavalinJackson;

/**
 * The HTTP side: WeCom's endpoints and the admin routes, assembled in one place. The Javalin
 * instance is rebuilt on every {@link #start()} because a stopped Jetty server can't be restarted;
 * after the first start the same port is reused, so clients find "WeCom" where it was.
 */
final class SandboxServer {

    /** What an nginx front end answers when the backend fails: WeCom's 5xx carry no JSON. */
    private static final String ERROR_PAGE = "<html>\r\n<head><title>%1$d %2$s</title></head>\r\n<body>\r\n"
            + "<center><h1>%1$d %2$s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

    private static final long MAX_UPLOAD_REQUEST_BYTES = 64L << 20;

    private final SandboxConfig config;
    private final ObjectMapper mapper;
    private final WeComApiModel model;
    private final FaultPlan faults;
    private final AdminRoutes admin;
    private Javalin app;
    private int boundPort = -1;

    SandboxServer(SandboxConfig config, ObjectMapper mapper, WeComApiModel model, FaultPlan faults, AdminRoutes admin) {
        this.config = config;
        this.mapper = mapper;
        this.model = model;
        this.faults = faults;
        this.admin = admin;
    }

    /** Binds the configured port the first time, the port bound then on every later start. */
    synchronized void start() {
        if (app != null) {
            return;
        }
        Javalin created = build(boundPort == -1 ? config.port() : boundPort);
        created.start();
        app = created;
        boundPort = created.port();
    }

    /** Closes the listener: connections are refused until {@link #start()}. */
    synchronized void stop() {
        if (app != null) {
            app.stop();
            app = null;
        }
    }

    synchronized boolean running() {
        return app != null;
    }

    /** The bound port, also while stopped; -1 before the first start. */
    synchronized int port() {
        return boundPort;
    }

    private Javalin build(int port) {
        return Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.jetty.host = config.host();
            cfg.jetty.port = port;
            cfg.jsonMapper(new JavalinJackson(mapper, false));
            cfg.routes.get(ApiEndpoint.GETTOKEN.path(), this::gettoken);
            cfg.routes.post(ApiEndpoint.MESSAGE_SEND.path(), this::send);
            cfg.routes.get(ApiEndpoint.MEDIA_GET.path(), this::mediaGet);
            cfg.routes.post(ApiEndpoint.MEDIA_UPLOAD.path(), this::mediaUpload);
            // Room for WeCom's largest upload (a 20 MB file) plus the form around it; larger ones
            // are refused by the size check, not by Jetty.
            cfg.http.maxRequestSize = MAX_UPLOAD_REQUEST_BYTES;
            cfg.jetty.multipartConfig.maxFileSize(MAX_UPLOAD_REQUEST_BYTES, io.javalin.config.SizeUnit.BYTES);
            cfg.jetty.multipartConfig.maxTotalRequestSize(MAX_UPLOAD_REQUEST_BYTES, io.javalin.config.SizeUnit.BYTES);
            admin.register(cfg);
            cfg.routes.exception(IllegalArgumentException.class,
                    (e, ctx) -> ctx.status(400).json(Map.of("error", String.valueOf(e.getMessage()))));
        });
    }

    private void gettoken(Context ctx) {
        holdBack();
        write(ctx, model.gettoken(ctx.queryParam("corpid"), ctx.queryParam("corpsecret"), ctx.ip()));
    }

    private void send(Context ctx) {
        holdBack();
        write(ctx, model.send(ctx.queryParam("access_token"), ctx.body(), ctx.ip()));
    }

    private void mediaGet(Context ctx) {
        holdBack();
        WeComApiModel.MediaAnswer answer = model.mediaGet(ctx.queryParam("access_token"), ctx.queryParam("media_id"),
                ctx.ip());
        if (answer.error() != null) {
            // Like WeCom: an error is a JSON body (application/json), told from media by its content type.
            write(ctx, answer.error());
            return;
        }
        MediaStore.Served media = answer.media();
        ctx.status(200).contentType(media.contentType() == null ? "application/octet-stream" : media.contentType());
        if (media.filename() != null) {
            ctx.header("Content-Disposition", "attachment; filename=\"" + media.filename().replace("\"", "") + "\"");
        }
        ctx.result(media.bytes());
    }

    private void mediaUpload(Context ctx) throws java.io.IOException {
        holdBack();
        UploadedFile file = ctx.isMultipartFormData() ? ctx.uploadedFile("media") : null;
        byte[] bytes = null;
        if (file != null) {
            try (java.io.InputStream in = file.content()) {
                bytes = in.readAllBytes();
            }
        }
        write(ctx, model.mediaUpload(ctx.queryParam("access_token"), ctx.queryParam("type"),
                file == null ? null : file.filename(), file == null ? null : file.contentType(), bytes, ctx.ip()));
    }

    /** The injected response delay; sleeping is the fault itself (a slow WeCom), not synchronisation. */
    private void holdBack() {
        Duration delay = faults.delay();
        if (delay.isZero()) {
            return;
        }
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            // Stopping the server interrupts its threads: answer at once and let the stop proceed.
            Thread.currentThread().interrupt();
        }
    }

    private static void write(Context ctx, WeComApiModel.Answer answer) {
        if (answer.body() == null) {
            String reason = switch (answer.status()) {
                case 500 -> "Internal Server Error";
                case 502 -> "Bad Gateway";
                case 503 -> "Service Temporarily Unavailable";
                case 504 -> "Gateway Time-out";
                default -> "Error";
            };
            ctx.status(answer.status()).contentType(ContentType.TEXT_HTML)
                    .result(String.format(ERROR_PAGE, answer.status(), reason));
            return;
        }
        ctx.status(answer.status()).json(answer.body());
    }
}
