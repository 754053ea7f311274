package dev.wecompipeline.worker.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wecompipeline.config.Durations;
import dev.wecompipeline.config.HermesConfig;
import dev.wecompipeline.config.MediaConfig;
import dev.wecompipeline.kafka.JsonSerde;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers with Hermes through its API server's runs: the conversation lives in Hermes, keyed by
 * the user's session id, and each message is one run that a replacement worker finds again.
 *
 * <p>For each message:
 * <ol>
 *   <li>{@code POST {baseUrl}/v1/runs} with {@code {"input": <the message>, "session_id": <id>}},
 *       the header {@code X-Hermes-Session-Id: <id>} ({@link AgentRequest#sessionId()}:
 *       {@code wecom:<corp_id>:<agent_id>:<user_id>}, {@code :<n>} after the n-th {@code /reset}),
 *       and {@code Idempotency-Key: <AgentRequest#requestId()>}. Only the new message is sent:
 *       Hermes loads the history of the session itself. A worker that crashed mid-run is replaced
 *       by one that sends the same key and payload, and Hermes answers with the same run
 *       ({@code Idempotency-Replayed: true}) instead of starting it again.</li>
 *   <li>{@code GET {baseUrl}/v1/runs/{id}} every poll interval until the status is
 *       {@code completed} (the answer is {@code output}, whose markdown images {@link #answer} turns
 *       into attachments: {@link AnswerImages}) or {@code failed}, {@code cancelled},
 *       {@code interrupted} (an {@link AgentException} with Hermes' error).</li>
 * </ol>
 * A 429 (Hermes' {@code max_concurrent_runs}) or 503 (draining) on the POST is retried with
 * exponential backoff ({@link Backoff}, at least the server's {@code Retry-After}); other 4xx and
 * 5xx are {@link AgentException}s carrying the status. The whole message has the worker's
 * {@code AGENT_TIMEOUT}, less a small margin: when it passes the run is stopped
 * ({@code POST /v1/runs/{id}/stop}, best effort) and {@link AgentTimeoutException} is thrown. An
 * interruption (the worker shutting down or dying) only stops polling: the run goes on in Hermes
 * and the worker that takes over the message picks it up by its key.
 *
 * <pre>{@code
 * Agent agent = new HermesAgent(HermesConfig.defaults().withApiKey(key), Duration.ofMinutes(30), Agents.httpClient());
 * }</pre>
 *
 * <p>The API key is sent only in the {@code Authorization} header; it is never logged, and error
 * messages quoting a response have it masked.
 */
public final class HermesAgent implements Agent {

    private static final Logger LOG = LoggerFactory.getLogger(HermesAgent.class);

    /** Hermes' header naming the conversation. */
    public static final String SESSION_HEADER = "X-Hermes-Session-Id";
    public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
    public static final String REPLAYED_HEADER = "Idempotency-Replayed";
    static final String COMPLETED = "completed";
    /** Statuses after which a run never changes (Hermes' {@code TERMINAL_STATUSES}). */
    static final Set<String> FAILED_STATUSES = Set.of("failed", "cancelled", "interrupted");
    /** The longest one HTTP exchange may take; polls and starts are quick, the run itself is not waited on. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** At most this much of the agent timeout is kept back for stopping the run and answering with the apology. */
    static final Duration MAX_TIMEOUT_MARGIN = Duration.ofSeconds(5);
    /** Hermes' run ids are {@code run_<hex>}; anything else is not put into a path. */
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9_.-]{1,200}");

    /**
     * How a 429 is retried: {@code initial}, doubled per attempt up to {@code max}, never less
     * than the server's {@code Retry-After}. Immutable; built once per agent.
     */
    public record Backoff(Duration initial, Duration max) {

        /** Hermes asks for a second ({@code Retry-After: 1}); a few doublings reach half a minute. */
        public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

        public Backoff {
            Objects.requireNonNull(initial, "initial");
            Objects.requireNonNull(max, "max");
            if (initial.isNegative() || initial.isZero()) {
                throw new IllegalArgumentException("initial must be positive, got " + initial);
            }
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("max must be at least initial (" + initial + "), got " + max);
            }
        }

        /** The wait before retry number {@code attempt} (1 for the first retry). */
        public Duration delay(int attempt, Optional<Duration> retryAfter) {
            Duration d = initial;
            for (int i = 1; i < attempt && d.compareTo(max) < 0; i++) {
                d = d.multipliedBy(2);
            }
            if (retryAfter.isPresent() && retryAfter.get().compareTo(d) > 0) {
                d = retryAfter.get();
            }
            return d.compareTo(max) > 0 ? max : d;
        }
    }

    private final HermesConfig config;
    private final HttpClient client;
    private final Duration budget;
    private final Backoff backoff;
    private final URI runs;
    private final AnswerImages images;

    /**
     * @param config       server, key and poll interval
     * @param agentTimeout the worker's {@code AGENT_TIMEOUT}; the agent gives up a little before it
     * @param client       shared, caller-owned
     */
    public HermesAgent(HermesConfig config, Duration agentTimeout, HttpClient client) {
        this(config, agentTimeout, client, Backoff.DEFAULT);
    }

    /** With a backoff of the caller's choice (tests use milliseconds). */
    public HermesAgent(HermesConfig config, Duration agentTimeout, HttpClient client, Backoff backoff) {
        this(config, agentTimeout, client, backoff, MediaConfig.defaults());
    }

    /** @param media what the answer's images may be: the image cap, {@code AGENT_MEDIA_HOSTS}, the fetch timeout */
    public HermesAgent(HermesConfig config, Duration agentTimeout, HttpClient client, Backoff backoff,
                       MediaConfig media) {
        this.images = new AnswerImages(media);
        this.config = Objects.requireNonNull(config, "config");
        this.client = Objects.requireNonNull(client, "client");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(agentTimeout, "agentTimeout");
        Duration margin = agentTimeout.dividedBy(10);
        this.budget = agentTimeout.minus(margin.compareTo(MAX_TIMEOUT_MARGIN) > 0 ? MAX_TIMEOUT_MARGIN : margin);
        String root = config.baseUrl().replaceAll("/+$", "").replaceAll("/v1$", "");
        this.runs = URI.create(root + "/v1/runs");
    }

    /** The run's output with its images as attachments. */
    @Override
    public AgentAnswer answer(AgentRequest request) throws AgentException, InterruptedException {
        return images.toAnswer(reply(request));
    }

    /** The run's output as Hermes gave it, image links and all. */
    @Override
    public String reply(AgentRequest request) throws AgentException, InterruptedException {
        String input = MessageDescriber.describe(request.message());
        if (input.isBlank()) {
            return "";
        }
        long deadline = System.nanoTime() + budget.toNanos();
        String session = request.sessionId();
        String runId = start(request, input, session, deadline);
        while (true) {
            JsonNode status = poll(runId);
            String state = status == null ? "" : status.path("status").asText("");
            if (COMPLETED.equals(state)) {
                JsonNode output = status.path("output");
                return output.isTextual() ? output.asText().strip() : "";
            }
            if (FAILED_STATUSES.contains(state)) {
                throw new AgentException("Hermes run " + runId + " ended " + state + ": "
                        + quote(status.path("error").asText("no error given")));
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                stop(runId);
                throw new AgentTimeoutException("Hermes run " + runId, budget, null);
            }
            sleep(Math.min(left, config.pollInterval().toNanos()));
        }
    }

    /** Starts (or, under the same key, finds again) the run; 429 and 503 are retried until the deadline. */
    private String start(AgentRequest request, String input, String session, long deadline)
            throws AgentException, InterruptedException {
        ObjectNode body = JsonSerde.MAPPER.createObjectNode().put("input", input).put("session_id", session);
        byte[] bytes;
        try {
            bytes = JsonSerde.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new AgentException("cannot write the Hermes run request: " + e.getOriginalMessage(), e);
        }
        for (int attempt = 1; ; attempt++) {
            HttpRequest.Builder http = authorised(HttpRequest.newBuilder(runs))
                    .header("Content-Type", "application/json")
                    .header(SESSION_HEADER, session)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
            if (request.requestId() != null) {
                http.header(IDEMPOTENCY_KEY_HEADER, request.requestId());
            }
            HttpResponse<String> response = send(http.build(), "POST " + runs);
            int status = response.statusCode();
            if (status == 429 || status == 503) {
                Duration wait = backoff.delay(attempt, retryAfter(response));
                long left = deadline - System.nanoTime();
                if (left <= wait.toNanos()) {
                    throw new AgentTimeoutException("POST " + runs + " (answered " + status + " " + attempt
                            + " times)", budget, null);
                }
                LOG.info("hermes: POST {} answered {} (concurrency cap or draining); retry {} in {}", runs, status,
                        attempt, Durations.format(wait));
                sleep(wait.toNanos());
                continue;
            }
            if (status < 200 || status > 299) {
                throw new AgentException("POST " + runs + " answered " + status + ": " + quote(response.body()),
                        status, null);
            }
            String runId = readTree(response, "POST " + runs).path("run_id").asText("");
            if (!RUN_ID.matcher(runId).matches()) {
                throw new AgentException("POST " + runs + " answered " + status + " without a usable run_id: "
                        + quote(response.body()), status, null);
            }
            boolean replayed = response.headers().firstValue(REPLAYED_HEADER).map("true"::equalsIgnoreCase)
                    .orElse(false);
            LOG.debug("hermes: {} run {} for message {} in session {}", replayed ? "resumed" : "started", runId,
                    request.message().messageId(), session);
            return runId;
        }
    }

    /** The run's status, or {@code null} when this poll failed in a way the next one may not. */
    private JsonNode poll(String runId) throws AgentException, InterruptedException {
        URI uri = URI.create(runs + "/" + runId);
        HttpResponse<String> response;
        try {
            response = send(authorised(HttpRequest.newBuilder(uri)).GET().build(), "GET " + uri);
        } catch (AgentException e) {
            LOG.debug("hermes: poll of run {} failed, trying again: {}", runId, e.getMessage());
            return null;
        }
        int status = response.statusCode();
        if (status == 429 || status >= 500) {
            return null;
        }
        if (status < 200 || status > 299) {
            throw new AgentException("GET " + uri + " answered " + status + ": " + quote(response.body()), status,
                    null);
        }
        return readTree(response, "GET " + uri);
    }

    /** Asks Hermes to stop a run we gave up on; best effort, since the user gets the apology anyway. */
    private void stop(String runId) {
        URI uri = URI.create(runs + "/" + runId + "/stop");
        try {
            HttpResponse<String> response = send(authorised(HttpRequest.newBuilder(uri))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), "POST " + uri);
            LOG.info("hermes: run {} stopped after {}: {}", runId, Durations.format(budget), response.statusCode());
        } catch (AgentException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("hermes: could not stop run {}: {}", runId, e.getMessage());
        }
    }

    private HttpRequest.Builder authorised(HttpRequest.Builder http) {
        http.timeout(REQUEST_TIMEOUT).header("Accept", "application/json");
        if (config.hasApiKey()) {
            http.header("Authorization", "Bearer " + config.apiKey());
        }
        return http;
    }

    private HttpResponse<String> send(HttpRequest request, String what) throws AgentException, InterruptedException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AgentException(what + " failed: " + redact(String.valueOf(e.getMessage())), e);
        }
    }

    private JsonNode readTree(HttpResponse<String> response, String what) throws AgentException {
        try {
            JsonNode node = JsonSerde.MAPPER.readTree(response.body());
            if (node == null || !node.isObject()) {
                throw new AgentException(what + " answered " + response.statusCode() + " with a body that is not an "
                        + "object: " + quote(response.body()), response.statusCode(), null);
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new AgentException(what + " answered " + response.statusCode() + " with a body that is not JSON: "
                    + quote(response.body()), response.statusCode(), e);
        }
    }

    private static Optional<Duration> retryAfter(HttpResponse<String> response) {
        return response.headers().firstValue("Retry-After").flatMap(v -> {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(v.strip())));
            } catch (NumberFormatException e) {
                return Optional.empty();   // an HTTP date: our own backoff decides
            }
        });
    }

    private static void sleep(long nanos) throws InterruptedException {
        // The wait between polls and retries is the product here; an interruption (shutdown) ends it.
        java.util.concurrent.TimeUnit.NANOSECONDS.sleep(Math.max(0, nanos));
    }

    private String quote(String body) {
        return ErrorBody.quote(body, config.hasApiKey() ? config.apiKey() : null);
    }

    private String redact(String text) {
        return ErrorBody.redact(text, config.hasApiKey() ? config.apiKey() : null);
    }

    @Override
    public boolean keepsSessions() {
        return true;
    }

    @Override
    public String name() {
        return "hermes";
    }
}
