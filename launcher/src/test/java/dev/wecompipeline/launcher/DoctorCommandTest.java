package dev.wecompipeline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.wecompipeline.config.ConfigLoader;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.ingress.IngressService;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.Topics;
import dev.wecompipeline.sandbox.ApiEndpoint;
import dev.wecompipeline.sandbox.SandboxConfig;
import dev.wecompipeline.sandbox.WeComApiSandbox;
import dev.wecompipeline.sandbox.WeComErrors;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/**
 * {@code doctor} in-process against the WeCom stand-in, a real broker and a running ingress: an
 * all-green run exits 0, and each failure the reference doc's troubleshooting describes shows as a
 * ✗ line with its fix and a non-zero exit code.
 */
@ExtendWith(KafkaBrokerExtension.class)
class DoctorCommandTest {

    private static final String CORP = "wwdoctor";
    private static final String SECRET = "doctor-secret";
    private static final String TOKEN = "doctorToken42";
    private static final String KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";

    private WeComApiSandbox wecom;
    private Map<String, String> env;
    private String prefix;

    private record Run(int exitCode, String output) {
    }

    @BeforeEach
    void start(KafkaBroker kafka) throws Exception {
        wecom = new WeComApiSandbox(SandboxConfig.builder().host("127.0.0.1").port(0).build()).start();
        wecom.registerApp(CORP, SECRET, 1000002);
        prefix = "doctor-" + UUID.randomUUID().toString().substring(0, 8);
        env = new HashMap<>(Map.of(
                "WECOM_CALLBACK_CORP_ID", CORP, "WECOM_CALLBACK_CORP_SECRET", SECRET,
                "WECOM_CALLBACK_AGENT_ID", "1000002", "WECOM_CALLBACK_TOKEN", TOKEN,
                "WECOM_CALLBACK_ENCODING_AES_KEY", KEY, "WECOM_CALLBACK_ALLOW_ALL_USERS", "true",
                "WECOM_CALLBACK_HOST", "127.0.0.1", "WECOM_CALLBACK_PORT", String.valueOf(freePort()),
                "WECOM_API_BASE", wecom.baseUrl(), "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers()));
        // Topics and groups of this test only: the broker is shared by every test of the run.
        for (String t : List.of("INBOUND", "REPLIES", "REPLIES_DLQ", "INBOUND_DLQ", "SESSIONS", "DELIVERED")) {
            env.put("KAFKA_TOPIC_" + t, prefix + "." + t.toLowerCase());
        }
        env.put("KAFKA_TOPIC_PARTITIONS", "2");
        env.put("WORKER_GROUP_ID", prefix + "-workers");
        env.put("REPLY_GROUP_ID", prefix + "-reply");
    }

    @AfterEach
    void stop() {
        wecom.close();
    }

    private Run doctor(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = new CommandLine(new DoctorCommand(env, new PrintStream(bytes, true, StandardCharsets.UTF_8)))
                .execute(args);
        return new Run(code, bytes.toString(StandardCharsets.UTF_8));
    }

    private PipelineConfig config() {
        return ConfigLoader.load(env);
    }

    private void createTopics(PipelineConfig config) throws Exception {
        try (Admin admin = Admin.create(KafkaClientSettings.admin(env.get("KAFKA_BOOTSTRAP_SERVERS"), "doctor-test"))) {
            Topics.ensure(admin, config.kafka(), Duration.ofSeconds(30));
        }
    }

    /** The ✗ line of {@code check} and the fix line under it. */
    private static String failure(Run run, String check) {
        List<String> lines = run.output().lines().toList();
        for (int i = 0; i < lines.size() - 1; i++) {
            if (lines.get(i).startsWith("✗ " + check)) {
                assertTrue(lines.get(i + 1).strip().startsWith("fix: "), run.output());
                return lines.get(i) + "\n" + lines.get(i + 1);
            }
        }
        throw new AssertionError("no ✗ line for " + check + " in:\n" + run.output());
    }

    @Test
    void everything_in_order_passes_with_exit_code_zero() throws Exception {
        PipelineConfig config = config();
        createTopics(config);
        try (IngressService ingress = new IngressService(config, env.get("KAFKA_BOOTSTRAP_SERVERS"),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).start()) {
            Run run = doctor();
            assertEquals(0, run.exitCode(), run.output());
            for (String check : List.of("configuration", "aes key (default)", "kafka ", "kafka topics", "kafka replication",
                    "lag worker", "lag reply", "wecom gettoken (default)", "callback local (default)")) {
                assertTrue(run.output().contains("✓ " + check), check + " passes:\n" + run.output());
            }
            assertTrue(run.output().contains("doctor: all 9 checks passed"), run.output());
            assertTrue(!run.output().contains(SECRET) && !run.output().contains(KEY), "no secret is printed");

            Run json = doctor("--json");
            JsonNode tree = JsonSerde.MAPPER.readTree(json.output());
            assertEquals(0, json.exitCode());
            assertTrue(tree.path("ok").asBoolean());
            assertEquals("pass", tree.path("checks").get(0).path("status").asText());
        }
    }

    @Test
    void wrong_secret_40001_says_to_copy_the_secret_again() {
        env.put("WECOM_CALLBACK_CORP_SECRET", "not-the-secret");
        Run run = doctor("--skip", "kafka,callback");
        assertEquals(1, run.exitCode(), run.output());
        String line = failure(run, "wecom gettoken (default)");
        assertTrue(line.contains("errcode 40001") && line.contains("fix: wrong secret: copy the app's Secret again")
                && line.contains("WECOM_CALLBACK_CORP_SECRET"), line);
        assertTrue(!run.output().contains("not-the-secret"), "the secret is not echoed");
    }

    @Test
    void ip_not_in_the_trusted_list_60020_names_the_ip_wecom_saw() {
        wecom.faults().failNext(ApiEndpoint.GETTOKEN, WeComErrors.IP_NOT_ALLOWED, 1);
        Run run = doctor("--skip", "kafka,callback", "--json");
        assertEquals(1, run.exitCode(), run.output());
        JsonNode check = find(run, "wecom gettoken (default)");
        assertEquals("fail", check.path("status").asText());
        assertTrue(check.path("detail").asText().contains("errcode 60020"), check.toString());
        assertTrue(check.path("fix").asText().startsWith("add this server's IP 127.0.0.1 to the app's trusted IPs"),
                check.toString());
    }

    @Test
    void kafka_down_says_to_start_the_broker_or_correct_the_address() throws Exception {
        env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + freePort());
        Run run = doctor("--skip", "wecom,callback", "--timeout", "2");
        assertEquals(1, run.exitCode(), run.output());
        String line = failure(run, "kafka ");
        assertTrue(line.contains("no answer from 127.0.0.1:") && line.contains("fix: start the broker, or correct "
                + "KAFKA_BOOTSTRAP_SERVERS"), line);
    }

    @Test
    void missing_topics_and_a_group_that_nobody_consumes_are_reported() throws Exception {
        createTopics(config());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                KafkaClientSettings.producer(env.get("KAFKA_BOOTSTRAP_SERVERS"), "doctor-test"),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(config().kafka().inboundTopic(), "wwdoctor:u1", "{}")).get();
        }
        Run lagging = doctor("--skip", "wecom,callback");
        assertEquals(1, lagging.exitCode(), lagging.output());
        assertTrue(failure(lagging, "lag worker").contains("lag 1, 0 member(s); nothing is consuming"), lagging.output());

        env.put("KAFKA_TOPIC_SESSIONS", prefix + ".not-created");
        Run missing = doctor("--skip", "wecom,callback");
        assertTrue(failure(missing, "kafka topics").contains("missing: " + prefix + ".not-created")
                && failure(missing, "kafka topics").contains("bin/wecom-pipeline topics"), missing.output());
    }

    @Test
    void min_insync_replicas_above_the_replication_factor_is_a_warning_with_its_fix() throws Exception {
        PipelineConfig config = config();
        createTopics(config);
        String inbound = config.kafka().inboundTopic();
        try (Admin admin = Admin.create(KafkaClientSettings.admin(env.get("KAFKA_BOOTSTRAP_SERVERS"), "doctor-test"))) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, inbound);
            admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(
                    new ConfigEntry("min.insync.replicas", "2"), AlterConfigOp.OpType.SET)))).all().get();
        }
        Run run = doctor("--skip", "wecom,callback");
        assertEquals(0, run.exitCode(), "a warning, not a failure\n" + run.output());
        List<String> lines = run.output().lines().toList();
        int at = lines.indexOf(lines.stream().filter(l -> l.startsWith("! kafka replication")).findFirst()
                .orElseThrow(() -> new AssertionError("no warning in:\n" + run.output())));
        assertTrue(lines.get(at).contains(inbound + ": min.insync.replicas 2 above replication factor 1")
                && lines.get(at).contains("every acks=all write is refused"), lines.get(at));
        assertTrue(lines.get(at + 1).contains("fix: kafka-configs.sh") && lines.get(at + 1).endsWith("min.insync.replicas=1"),
                lines.get(at + 1));
    }

    @Test
    void wrong_path_and_a_proxy_that_strips_the_query_string_are_told_apart() throws Exception {
        PipelineConfig config = config();
        createTopics(config);
        try (IngressService ingress = new IngressService(config, env.get("KAFKA_BOOTSTRAP_SERVERS"),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).start()) {
            String base = "http://127.0.0.1:" + ingress.port();
            Run wrongPath = doctor("--skip", "kafka,wecom", "--url", base + "/wecom/callbak");
            assertEquals(1, wrongPath.exitCode(), wrongPath.output());
            String line = failure(wrongPath, "callback (default)");
            assertTrue(line.contains("answered 404") && line.contains("fix: wrong path: the ingress serves /wecom/callback"), line);

            HttpServer proxy = stripQueryProxy(base);
            try {
                Run stripped = doctor("--skip", "kafka,wecom", "--url",
                        "http://127.0.0.1:" + proxy.getAddress().getPort() + "/wecom/callback");
                assertEquals(1, stripped.exitCode(), stripped.output());
                assertTrue(failure(stripped, "callback (default)").contains("fix: the signed query string did not arrive"),
                        stripped.output());
            } finally {
                proxy.stop(0);
            }

            env.put("WECOM_CALLBACK_TOKEN", "anotherToken");
            Run otherToken = doctor("--skip", "kafka,wecom");
            assertTrue(failure(otherToken, "callback local (default)").contains("answered 403")
                    && failure(otherToken, "callback local (default)").contains("another Token/EncodingAESKey"),
                    otherToken.output());
        }
    }

    @Test
    void whitespace_around_a_secret_is_a_warning_and_a_truncated_key_a_failure() {
        env.put("WECOM_CALLBACK_TOKEN", " " + TOKEN + "\t");
        Run padded = doctor("--skip", "kafka,wecom,callback");
        assertEquals(0, padded.exitCode(), "trimmed values work: a warning, not a failure\n" + padded.output());
        assertTrue(padded.output().contains("! configuration") && padded.output().contains(
                "WECOM_CALLBACK_TOKEN had surrounding whitespace; trimmed"), padded.output());
        assertTrue(padded.output().contains("fix: remove the spaces or tabs around that value"), padded.output());

        env.put("WECOM_CALLBACK_ENCODING_AES_KEY", KEY.substring(0, 42));
        Run truncated = doctor();
        assertEquals(1, truncated.exitCode());
        String line = failure(truncated, "configuration");
        assertTrue(line.contains("WECOM_CALLBACK_ENCODING_AES_KEY") && line.contains("must be 43 characters, got 42")
                && line.contains("fix: copy the EncodingAESKey again"), line);
        assertTrue(truncated.output().contains("checks skipped until the configuration loads"), truncated.output());
    }

    private static JsonNode find(Run run, String name) {
        try {
            for (JsonNode c : JsonSerde.MAPPER.readTree(run.output()).path("checks")) {
                if (c.path("name").asText().equals(name)) {
                    return c;
                }
            }
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + run.output(), e);
        }
        throw new AssertionError("no check " + name + " in " + run.output());
    }

    /** A reverse proxy misconfigured as they often are: it forwards the path but drops the query string. */
    private static HttpServer stripQueryProxy(String upstream) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        HttpClient http = HttpClient.newHttpClient();
        server.createContext("/", exchange -> {
            try {
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(upstream + exchange.getRequestURI().getPath()))
                        .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                exchange.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
                exchange.getResponseBody().write(r.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
        return server;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
