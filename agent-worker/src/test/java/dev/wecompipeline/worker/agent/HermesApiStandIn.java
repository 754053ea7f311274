package dev.wecompipeline.worker.agent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wecompipeline.kafka.JsonSerde;
import io.javalin.Javalin;
import io.javalin.http.Context;

/**
 * A local stand-in for Hermes' API server runs, for tests: the documented endpoints with their
 * idempotency rules, recording every request, with faults.
 *
 * <ul>
 *   <li>{@code POST /v1/runs}: needs {@code input}; answers 202 {@code {"run_id","status","replayed"}}.
 *       With an {@code Idempotency-Key} the same key and payload (body plus session header) gets
 *       the same run again, with {@code Idempotency-Replayed: true}; another payload under the
 *       key gets 409. The first {@link #failNextStarts(int) N} starts get 429
 *       ({@code Retry-After: 1}, Hermes' concurrency cap). A session header without a configured
 *       key gets 403, as in Hermes.</li>
 *   <li>{@code GET /v1/runs/{id}}: {@code running} until the run's {@link #runDuration(Duration)
 *       duration} passed (and, while {@link #hold()} is in effect, until {@link #release()}), then
 *       {@code completed} with {@code output} = the answer function applied to the input.</li>
 *   <li>{@code POST /v1/runs/{id}/stop}: the run becomes {@code cancelled}.</li>
 * </ul>
 * A wrong or missing {@code Authorization: Bearer <key>} gets 401 when a key is configured.
 *
 * <pre>{@code
 * try (HermesApiStandIn hermes = HermesApiStandIn.start("sk-test")) {
 *     Agent agent = new HermesAgent(HermesConfig.defaults().withBaseUrl(hermes.baseUrl()).withApiKey("sk-test"), ...);
 *     ...
 *     assertEquals(1, hermes.runsFor(key));
 * }
 * }</pre>
 */
public final class HermesApiStandIn implements AutoCloseable {

    /** One request as received. */
    public record Request(String method, String path, String authorization, String sessionId, String idempotencyKey,
                          JsonNode body) {
    }

    /** One run the stand-in admitted. */
    public record Run(String id, String key, String sessionId, String input, long createdNanos, Duration duration) {
    }

    private final String apiKey;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private final Map<String, String> cancelled = new ConcurrentHashMap<>();
    /** Idempotency-Key → (fingerprint, run id). */
    private final Map<String, String[]> keys = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> runsPerKey = new ConcurrentHashMap<>();
    private final AtomicInteger failStarts = new AtomicInteger();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile Duration runDuration = Duration.ZERO;
    private volatile boolean holding;
    private volatile Function<Run, String> answer = run -> "Hermes says: " + run.input();
    private final Javalin app;

    private HermesApiStandIn(String apiKey) {
        this.apiKey = apiKey;
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.routes.post("/v1/runs", this::startRun);
            cfg.routes.get("/v1/runs/{id}", this::getRun);
            cfg.routes.post("/v1/runs/{id}/stop", this::stopRun);
        });
    }

    /** Starts on a free loopback port, requiring {@code apiKey} ({@code null}: no auth, like Hermes without a key). */
    public static HermesApiStandIn start(String apiKey) {
        HermesApiStandIn standIn = new HermesApiStandIn(apiKey);
        standIn.app.start("127.0.0.1", 0);
        return standIn;
    }

    /** The server root to configure as {@code HERMES_BASE_URL}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + app.port();
    }

    /** The next {@code n} run starts get 429 with {@code Retry-After: 1}. */
    public HermesApiStandIn failNextStarts(int n) {
        failStarts.set(n);
        return this;
    }

    /** Runs started from now on take {@code duration} before they complete. */
    public HermesApiStandIn runDuration(Duration duration) {
        this.runDuration = duration;
        return this;
    }

    /** Runs do not complete until {@link #release()}. */
    public HermesApiStandIn hold() {
        holding = true;
        return this;
    }

    /** Lets held runs complete. */
    public HermesApiStandIn release() {
        holding = false;
        return this;
    }

    /** The output of completed runs. */
    public HermesApiStandIn answerWith(Function<Run, String> answer) {
        this.answer = answer;
        return this;
    }

    /** Every request so far, in arrival order. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The requests that started (or tried to start) runs, in order. */
    public List<Request> starts() {
        return requests.stream().filter(r -> r.method().equals("POST") && r.path().equals("/v1/runs")).toList();
    }

    /** Polls so far. */
    public long polls() {
        return requests.stream().filter(r -> r.method().equals("GET")).count();
    }

    /** Runs created (not replayed) under an idempotency key. */
    public int runsFor(String key) {
        AtomicInteger n = runsPerKey.get(key);
        return n == null ? 0 : n.get();
    }

    /** Every run created, in no particular order. */
    public List<Run> runs() {
        return new ArrayList<>(runs.values());
    }

    /** Ids of the runs stopped by {@code POST /v1/runs/{id}/stop}. */
    public List<String> stopped() {
        return List.copyOf(cancelled.keySet());
    }

    private boolean authorised(Context ctx) {
        if (apiKey != null && !("Bearer " + apiKey).equals(ctx.header("Authorization"))) {
            ctx.status(401).json(error("Invalid API key", "invalid_api_key"));
            return false;
        }
        return true;
    }

    private void record(Context ctx, JsonNode body) {
        requests.add(new Request(ctx.method().name(), ctx.path(), ctx.header("Authorization"),
                ctx.header(HermesAgent.SESSION_HEADER), ctx.header(HermesAgent.IDEMPOTENCY_KEY_HEADER), body));
    }

    private synchronized void startRun(Context ctx) throws Exception {
        JsonNode body = ctx.body().isBlank() ? JsonSerde.MAPPER.createObjectNode() : JsonSerde.MAPPER.readTree(ctx.body());
        record(ctx, body);
        if (!authorised(ctx)) {
            return;
        }
        String session = ctx.header(HermesAgent.SESSION_HEADER);
        if (session != null && apiKey == null) {
            ctx.status(403).json(error("Session continuation requires an API key", "forbidden"));
            return;
        }
        String input = body.path("input").asText("");
        if (input.isEmpty()) {
            ctx.status(400).json(error("Missing 'input' field", "invalid_request"));
            return;
        }
        String key = ctx.header(HermesAgent.IDEMPOTENCY_KEY_HEADER);
        String fingerprint = sha256(body.toString() + "\n" + (session == null ? "" : session));
        if (key != null) {
            String[] known = keys.get(key);
            if (known != null) {
                if (!known[0].equals(fingerprint)) {
                    ctx.status(409).json(error("Idempotency-Key was already used with a different request payload",
                            "idempotency_key_conflict"));
                    return;
                }
                ctx.header(HermesAgent.REPLAYED_HEADER, "true").status(202)
                        .json(Map.of("run_id", known[1], "status", state(runs.get(known[1])), "replayed", true));
                return;
            }
        }
        // Hermes checks its cap only for a genuinely new run: a replay gets through at the cap.
        if (failStarts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            ctx.header("Retry-After", "1").status(429).json(error("Too many concurrent runs (max 10)",
                    "rate_limit_exceeded"));
            return;
        }
        String runId = "run_" + String.format("%032x", ids.incrementAndGet());
        String sessionId = body.path("session_id").asText(session == null ? runId : session);
        runs.put(runId, new Run(runId, key, sessionId, input, System.nanoTime(), runDuration));
        if (key != null) {
            keys.put(key, new String[] {fingerprint, runId});
            runsPerKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }
        ctx.status(202).json(Map.of("run_id", runId, "status", "started", "replayed", false));
    }

    /** The run a {@code /v1/runs/{id}} request names, recorded and authorised; null once answered 401/404. */
    private Run requestedRun(Context ctx) {
        record(ctx, null);
        if (!authorised(ctx)) {
            return null;
        }
        Run run = runs.get(ctx.pathParam("id"));
        if (run == null) {
            ctx.status(404).json(error("Run not found: " + ctx.pathParam("id"), "run_not_found"));
        }
        return run;
    }

    private void getRun(Context ctx) {
        Run run = requestedRun(ctx);
        if (run == null) {
            return;
        }
        String state = state(run);
        ObjectNode out = JsonSerde.MAPPER.createObjectNode().put("object", "hermes.run").put("run_id", run.id())
                .put("status", state).put("session_id", run.sessionId());
        if (state.equals("completed")) {
            out.put("output", answer.apply(run));
            out.putObject("usage").put("input_tokens", 10).put("output_tokens", 5).put("total_tokens", 15);
        } else if (state.equals("cancelled")) {
            out.put("error", "Stop requested via API");
        }
        ctx.json(out);
    }

    private void stopRun(Context ctx) {
        Run run = requestedRun(ctx);
        if (run == null) {
            return;
        }
        cancelled.put(run.id(), "cancelled");
        ctx.json(Map.of("run_id", run.id(), "status", "stopping"));
    }

    private String state(Run run) {
        if (run == null) {
            return "queued";
        }
        if (cancelled.containsKey(run.id())) {
            return "cancelled";
        }
        boolean due = System.nanoTime() - run.createdNanos() >= run.duration().toNanos();
        return due && !holding ? "completed" : "running";
    }

    private static Map<String, Object> error(String message, String code) {
        return Map.of("error", Map.of("message", message, "type", "invalid_request_error", "code", code));
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        app.stop();
    }
}
