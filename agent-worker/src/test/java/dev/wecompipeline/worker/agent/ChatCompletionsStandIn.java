package dev.wecompipeline.worker.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wecompipeline.kafka.JsonSerde;
import io.javalin.Javalin;
import io.javalin.http.Context;

/**
 * A local stand-in for an OpenAI-compatible {@code POST /v1/chat/completions}, for tests: records
 * every request as it arrived (raw JSON, so field names are checked, not assumed) and answers as
 * scripted.
 *
 * <pre>{@code
 * try (ChatCompletionsStandIn api = ChatCompletionsStandIn.start()) {
 *     api.answerWith("Hi!");
 *     Agent agent = new OpenAiAgent(OpenAiConfig.defaults().withBaseUrl(api.baseUrl()), client);
 *     ...
 *     JsonNode body = api.onlyRequest().body();
 * }
 * }</pre>
 *
 * <p>Depends only on Javalin and Jackson, so it can move to the shared testkit when other modules'
 * tests need a model.
 */
public final class ChatCompletionsStandIn implements AutoCloseable {

    public static final String PATH = "/v1/chat/completions";

    /** One request as received. */
    public record Request(String authorization, JsonNode body) {

        /** The {@code messages} array as (role, content) pairs, in order. */
        public List<List<String>> messages() {
            List<List<String>> out = new ArrayList<>();
            body.path("messages").forEach(m -> out.add(List.of(m.path("role").asText(), m.path("content").asText())));
            return out;
        }
    }

    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    /** Counted down by {@link #release()}; responses wait on it while {@link #hold()} is in effect. */
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile boolean holding;
    private volatile String answer = "Hello from the stand-in.";
    private volatile int status = 200;
    private volatile String rawBody;
    private final Javalin app;

    private ChatCompletionsStandIn() {
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.routes.post(PATH, this::complete);
        });
    }

    /** Starts on a free port of the loopback interface. */
    public static ChatCompletionsStandIn start() {
        ChatCompletionsStandIn standIn = new ChatCompletionsStandIn();
        standIn.app.start("127.0.0.1", 0);
        return standIn;
    }

    /** The server root to configure as the base URL, without {@code /v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + app.port();
    }

    /** From now on, answer 200 with a completion whose content is {@code content}. */
    public ChatCompletionsStandIn answerWith(String content) {
        this.answer = content;
        this.status = 200;
        this.rawBody = null;
        return this;
    }

    /** From now on, answer {@code status} with {@code body} as it is (an error, malformed JSON, ...). */
    public ChatCompletionsStandIn respondWith(int status, String body) {
        this.status = status;
        this.rawBody = body;
        return this;
    }

    /** From now on, requests get no answer until {@link #release()} (or {@link #close()}). */
    public ChatCompletionsStandIn hold() {
        holding = true;
        return this;
    }

    /** Lets held requests (and later ones) be answered. */
    public void release() {
        released.countDown();
    }

    /** Every request so far, in arrival order. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The single request so far; fails if there were none or several. */
    public Request onlyRequest() {
        List<Request> all = requests();
        if (all.size() != 1) {
            throw new AssertionError("expected exactly one request, got " + all.size() + ": " + all);
        }
        return all.get(0);
    }

    private void complete(Context ctx) throws Exception {
        JsonNode body = JsonSerde.MAPPER.readTree(ctx.body());
        requests.add(new Request(ctx.header("Authorization"), body));
        if (holding) {
            released.await();
        }
        ctx.contentType("application/json").status(status);
        ctx.result(rawBody != null ? rawBody : completion(body.path("model").asText()));
    }

    private String completion(String model) {
        // The shape OpenAI documents; extra fields are there so parsers are shown to ignore them.
        ObjectNode root = JsonSerde.MAPPER.createObjectNode();
        root.put("id", "chatcmpl-standin-" + ids.incrementAndGet());
        root.put("object", "chat.completion");
        root.put("created", 1_700_000_000L);
        root.put("model", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", answer);
        choice.put("finish_reason", "stop");
        root.putObject("usage").put("prompt_tokens", 10).put("completion_tokens", 5).put("total_tokens", 15);
        return root.toString();
    }

    /** Releases held requests first, so the server's threads can finish, then stops it. */
    @Override
    public void close() {
        release();
        app.stop();
    }
}
