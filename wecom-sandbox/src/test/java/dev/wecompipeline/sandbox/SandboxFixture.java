package dev.wecompipeline.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A started sandbox on a free port with one registered app, a manual clock and a real HTTP client. */
final class SandboxFixture implements AutoCloseable {

    static final String CORP = "ww0123456789abcdef";
    static final String SECRET = "app-secret-0123456789";
    static final int AGENT = 1000002;

    static final ObjectMapper JSON = new ObjectMapper();

    final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T08:00:00Z"));
    final WeComApiSandbox sandbox;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SandboxFixture(SandboxConfig config) {
        sandbox = new WeComApiSandbox(config, clock).start();
        sandbox.registerApp(CORP, SECRET, AGENT);
    }

    static SandboxFixture start() {
        return new SandboxFixture(SandboxConfig.defaults());
    }

    static SandboxFixture start(SandboxConfig config) {
        return new SandboxFixture(config);
    }

    JsonNode gettoken(String corpId, String secret) {
        return json(get("/cgi-bin/gettoken?corpid=" + enc(corpId) + "&corpsecret=" + enc(secret)));
    }

    String token() {
        JsonNode answer = gettoken(CORP, SECRET);
        if (answer.path("errcode").asInt() != 0) {
            throw new AssertionError("gettoken failed: " + answer);
        }
        return answer.path("access_token").asText();
    }

    /** A text message body as a client sends it. */
    static Map<String, Object> text(String touser, String content) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("touser", touser);
        body.put("msgtype", "text");
        body.put("agentid", AGENT);
        body.put("text", Map.of("content", content));
        body.put("safe", 0);
        return body;
    }

    JsonNode send(String token, Map<String, Object> body) {
        return json(sendRaw(token, body));
    }

    HttpResponse<String> sendRaw(String token, Map<String, Object> body) {
        return post("/cgi-bin/message/send?access_token=" + enc(token), write(body));
    }

    HttpResponse<String> get(String pathAndQuery) {
        return call(HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + pathAndQuery)).GET().build());
    }

    HttpResponse<String> post(String pathAndQuery, String body) {
        return call(HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + pathAndQuery))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
    }

    HttpResponse<String> delete(String path) {
        return call(HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + path)).DELETE().build());
    }

    HttpResponse<String> call(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        if (response.statusCode() != 200 && response.statusCode() != 201 && response.statusCode() != 202) {
            throw new AssertionError("HTTP " + response.statusCode() + ": " + response.body());
        }
        try {
            return JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    static String write(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        sandbox.close();
    }
}
