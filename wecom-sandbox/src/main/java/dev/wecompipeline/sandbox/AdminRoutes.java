package dev.wecompipeline.sandbox;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.JavalinConfig;
import io.javalin.http.ContentType;
import io.javalin.http.Context;

/**
 * The {@code /sandbox} admin endpoints, so tests in another process (the fault-injection suite,
 * the benchmark, {@code demo}) drive the same knobs as the Java API. They are never subject to
 * injected faults, except {@link WeComApiSandbox#goDown()}, which closes the whole listener.
 * Bad input answers 400 {@code {"error": "..."}}.
 */
final class AdminRoutes {

    static final String PREFIX = "/sandbox";

    /** Body of {@code POST /sandbox/faults}; every field optional, applied in declaration order. */
    record FaultRequest(Boolean clear, Long seed, Double busyFraction, BurstRequest failNext, BurstRequest failFor,
                        Boolean clearForced, ForceRequest force, Integer tokenExpiryEverySends,
                        HttpErrorRequest httpError, Boolean unavailable, Long delayMillis) {
    }

    /** {@code calls} for failNext, {@code seconds} for failFor; {@code api} "message_send" (default) or "gettoken". */
    record BurstRequest(Integer errcode, Integer calls, Double seconds, String api) {
    }

    /** {@code user} null forces for every send; {@code errmsg} null uses WeCom's text; {@code fromIp} for 60020. */
    record ForceRequest(Integer errcode, String errmsg, String user, String fromIp) {
    }

    /** {@code fraction} of calls, or every call for {@code seconds}. */
    record HttpErrorRequest(Integer status, Double fraction, Double seconds) {
    }

    record AppRequest(String corpId, String secret, Integer agentId) {
    }

    record InvalidUserRequest(String corpId, String user) {
    }

    record InvalidateRequest(Integer errcode) {
    }

    record DownRequest(Double seconds) {
    }

    /** Media to serve from {@code media/get}; {@code base64} holds the bytes. */
    record MediaRequest(String corpId, String type, String contentType, String filename, String base64) {
    }

    private static final TypeReference<LinkedHashMap<String, Object>> MESSAGE_FIELDS = new TypeReference<>() {
    };

    private final WeComApiSandbox sandbox;
    private final ObjectMapper mapper;

    AdminRoutes(WeComApiSandbox sandbox, ObjectMapper mapper) {
        this.sandbox = sandbox;
        this.mapper = mapper;
    }

    void register(JavalinConfig cfg) {
        cfg.routes.get(PREFIX + "/faults", ctx -> ctx.json(sandbox.faults().settings()));
        cfg.routes.post(PREFIX + "/faults", this::applyFaults);
        cfg.routes.delete(PREFIX + "/faults", ctx -> ctx.json(sandbox.faults().clear().settings()));
        cfg.routes.post(PREFIX + "/reset", ctx -> {
            sandbox.reset();
            ctx.json(Map.of("reset", true));
        });
        cfg.routes.post(PREFIX + "/apps", ctx -> {
            AppRequest app = read(ctx, AppRequest.class);
            sandbox.registerApp(required(app.corpId(), "corpId"), required(app.secret(), "secret"),
                    required(app.agentId(), "agentId"));
            ctx.status(201).json(Map.of("corpId", app.corpId(), "agentId", app.agentId()));
        });
        cfg.routes.post(PREFIX + "/invalid-users", ctx -> {
            InvalidUserRequest user = read(ctx, InvalidUserRequest.class);
            sandbox.invalidUser(required(user.corpId(), "corpId"), required(user.user(), "user"));
            ctx.status(201).json(Map.of("corpId", user.corpId(), "user", user.user()));
        });
        cfg.routes.post(PREFIX + "/tokens/invalidate", ctx -> {
            InvalidateRequest request = ctx.body().isBlank() ? new InvalidateRequest(null) : read(ctx, InvalidateRequest.class);
            int errcode = request.errcode() == null ? WeComErrors.INVALID_ACCESS_TOKEN : request.errcode();
            sandbox.invalidateAllTokens(errcode);
            ctx.json(Map.of("invalidated", true, "errcode", errcode));
        });
        cfg.routes.post(PREFIX + "/media", ctx -> {
            MediaRequest m = read(ctx, MediaRequest.class);
            byte[] bytes;
            try {
                bytes = java.util.Base64.getDecoder().decode(required(m.base64(), "base64"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("base64 is not base64");
            }
            String id = sandbox.seedMedia(required(m.corpId(), "corpId"), required(m.type(), "type"), bytes,
                    required(m.contentType(), "contentType"), m.filename());
            ctx.status(201).json(Map.of("mediaId", id));
        });
        cfg.routes.get(PREFIX + "/media/uploads", ctx -> ctx.json(sandbox.mediaUploads()));
        cfg.routes.get(PREFIX + "/media/fetches", ctx -> ctx.json(sandbox.mediaFetches()));
        cfg.routes.post(PREFIX + "/down", this::down);
        cfg.routes.get(PREFIX + "/messages", this::messages);
        cfg.routes.get(PREFIX + "/calls", this::calls);
        cfg.routes.get(PREFIX + "/stats", ctx -> ctx.json(stats()));
    }

    private void applyFaults(Context ctx) {
        FaultRequest r = read(ctx, FaultRequest.class);
        FaultPlan plan = sandbox.faults();
        if (Boolean.TRUE.equals(r.clear())) {
            plan.clear();
        }
        if (r.seed() != null) {
            plan.random(new Random(r.seed()));
        }
        if (r.busyFraction() != null) {
            plan.busyFraction(r.busyFraction());
        }
        if (r.failNext() != null) {
            plan.failNext(api(r.failNext().api()), required(r.failNext().errcode(), "failNext.errcode"),
                    required(r.failNext().calls(), "failNext.calls"));
        }
        if (r.failFor() != null) {
            plan.failFor(api(r.failFor().api()), required(r.failFor().errcode(), "failFor.errcode"),
                    seconds(required(r.failFor().seconds(), "failFor.seconds")));
        }
        if (Boolean.TRUE.equals(r.clearForced())) {
            plan.clearForced();
        }
        if (r.force() != null) {
            ForceRequest f = r.force();
            int errcode = required(f.errcode(), "force.errcode");
            if (f.user() != null) {
                plan.forceErrcodeFor(f.user(), errcode, f.errmsg());
            } else if (errcode == WeComErrors.IP_NOT_ALLOWED && f.errmsg() == null) {
                plan.ipNotAllowed(f.fromIp());
            } else {
                plan.forceErrcode(errcode, f.errmsg());
            }
        }
        if (r.tokenExpiryEverySends() != null) {
            plan.expireTokenEvery(r.tokenExpiryEverySends());
        }
        if (r.httpError() != null) {
            HttpErrorRequest h = r.httpError();
            int status = required(h.status(), "httpError.status");
            if (h.seconds() != null) {
                plan.httpErrorsFor(status, seconds(h.seconds()));
            } else {
                plan.httpErrors(status, required(h.fraction(), "httpError.fraction or httpError.seconds"));
            }
        }
        if (r.unavailable() != null) {
            plan.unavailable(r.unavailable());
        }
        if (r.delayMillis() != null) {
            plan.delay(Duration.ofMillis(r.delayMillis()));
        }
        ctx.json(plan.settings());
    }

    /**
     * Answers first, then closes the listener from another thread: a request can't stop its own
     * server, and stopping Jetty cuts responses still in flight, so the answer is flushed before.
     */
    private void down(Context ctx) throws IOException {
        DownRequest request = read(ctx, DownRequest.class);
        Duration backAfter = seconds(required(request.seconds(), "seconds"));
        byte[] body = mapper.writeValueAsBytes(Map.of("down", true, "backAfterSeconds", request.seconds()));
        ctx.status(202).contentType(ContentType.APPLICATION_JSON);
        ctx.res().setContentLength(body.length);
        ctx.res().getOutputStream().write(body);
        ctx.res().flushBuffer();
        sandbox.goDownLater(backAfter);
    }

    private void messages(Context ctx) {
        String corpId = ctx.queryParam("corpid");
        String touser = ctx.queryParam("touser");
        List<Map<String, Object>> messages = sandbox.delivered().stream()
                .filter(d -> corpId == null || d.corpId().equals(corpId))
                .filter(d -> touser == null || d.touser().equals(touser))
                .map(this::message)
                .toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", messages.size());
        body.put("messages", messages);
        ctx.json(body);
    }

    /**
     * A delivery's fields; for image, voice, video and file messages also {@code media}: what the
     * {@code media_id} in {@code content} points to (type, filename, contentType, size), without the
     * bytes, which {@code GET /cgi-bin/media/get} serves.
     */
    private Map<String, Object> message(ReceivedMessage delivery) {
        Map<String, Object> message = mapper.convertValue(delivery, MESSAGE_FIELDS);
        if (WeComApiModel.MEDIA_MSGTYPES.contains(delivery.msgtype())) {
            sandbox.uploadedMedia(delivery.content()).ifPresent(m -> {
                Map<String, Object> media = new LinkedHashMap<>();
                media.put("type", m.type());
                media.put("filename", m.filename());
                media.put("contentType", m.contentType());
                media.put("size", m.bytes().length);
                message.put("media", media);
            });
        }
        return message;
    }

    private void calls(Context ctx) {
        String apiParam = ctx.queryParam("api");
        ApiEndpoint api = apiParam == null ? null : api(apiParam);
        List<CallRecord> calls = sandbox.calls().stream().filter(c -> api == null || c.api() == api).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", calls.size());
        body.put("calls", calls);
        ctx.json(body);
    }

    private Map<String, Object> stats() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("gettokenCalls", sandbox.gettokenCallCount());
        body.put("sendCalls", sandbox.sendCallCount());
        body.put("delivered", sandbox.deliveredCount());
        body.put("byErrcode", sandbox.countsByErrcode());
        body.put("byOutcome", sandbox.countsByOutcome());
        body.put("down", sandbox.isDown());
        return body;
    }

    private <T> T read(Context ctx, Class<T> type) {
        try {
            T value = mapper.readValue(ctx.body(), type);
            if (value == null) {
                throw new IllegalArgumentException("a JSON object is required");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad JSON for " + type.getSimpleName() + ": " + e.getOriginalMessage());
        }
    }

    private static ApiEndpoint api(String name) {
        if (name == null) {
            return ApiEndpoint.MESSAGE_SEND;
        }
        try {
            return ApiEndpoint.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("api must be gettoken or message_send, was " + name);
        }
    }

    private static Duration seconds(double seconds) {
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    private static <T> T required(T value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }
}
