package dev.wecompipeline.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.wecompipeline.bench.CallbackSimulator;
import dev.wecompipeline.kafka.embedded.EmbeddedKafkaBroker;
import dev.wecompipeline.kafka.embedded.SecureListeners;
import dev.wecompipeline.kafka.embedded.TlsStores;
import dev.wecompipeline.sandbox.ReceivedMessage;
import dev.wecompipeline.sandbox.SandboxConfig;
import dev.wecompipeline.sandbox.WeComApiSandbox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The pipeline against a secured broker, as a team's company cluster would be: a SCRAM-SHA-512
 * listener and a mutual-TLS listener with an ACL authorizer. The whole pipeline answers callbacks
 * through each (settings from {@code KAFKA_PROPERTIES_*} for one, {@code kafka.properties} in YAML
 * for the other); a wrong password ends start-up with one line; {@code doctor} tells a wrong
 * password, a missing ACL and an untrusted certificate apart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecuredKafkaIT {

    private static final String CORP = "wwsecured";
    private static final String KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
    private static final String TOKEN = "securedtoken";
    private static final String PIPELINE_USER = "wecom";
    private static final String PIPELINE_PASSWORD = "scram-Pass-" + UUID.randomUUID();
    /** A user the cluster knows but has granted nothing. */
    private static final String NO_ACL_USER = "stranger";
    private static final String NO_ACL_PASSWORD = "stranger-Pass-" + UUID.randomUUID();

    @TempDir
    static Path dir;

    private EmbeddedKafkaBroker broker;
    private TlsStores tls;
    private WeComApiSandbox wecom;

    @BeforeAll
    void startBroker() {
        tls = TlsStores.inDirectory(dir.resolve("tls"), "127.0.0.1");
        SecureListeners secure = SecureListeners.NONE
                .withScram(0, Map.of(PIPELINE_USER, PIPELINE_PASSWORD, NO_ACL_USER, NO_ACL_PASSWORD))
                .withTls(0, tls, true)
                .withAuthorizer(Set.of("User:" + PIPELINE_USER, TlsStores.CLIENT_PRINCIPAL));
        broker = new EmbeddedKafkaBroker(dir.resolve("kafka"), "127.0.0.1", 0, Map.of()).withSecureListeners(secure)
                .start();
        wecom = new WeComApiSandbox(SandboxConfig.builder().host("127.0.0.1").port(0).build()).start();
        wecom.registerApp(CORP, "secured-secret", 1000002);
    }

    @AfterAll
    void stop() {
        wecom.close();
        broker.close();
    }

    @Test
    void the_pipeline_answers_through_a_scram_listener_configured_by_variables() throws Exception {
        Map<String, String> env = pipelineEnv("scram", broker.saslBootstrapServers());
        SecureListeners.scramClientProperties(PIPELINE_USER, PIPELINE_PASSWORD)
                .forEach((key, value) -> env.put(variable(key), value));
        try (LauncherProcess pipeline = LauncherProcess.start(dir, env, "all-in-one")) {
            answersEveryCallbackOnce(pipeline, env, "scram");
            String output = pipeline.output();
            assertFalse(output.contains(PIPELINE_PASSWORD), "the SCRAM password is never printed");
            assertTrue(output.contains("sasl.jaas.config=") && output.contains("security.protocol=SASL_PLAINTEXT"),
                    "the startup line names the client properties, masked");
            assertEquals(0, pipeline.terminate(Duration.ofSeconds(60)), pipeline.outputTail(30));
        }
    }

    @Test
    void the_pipeline_answers_through_a_mutual_tls_listener_configured_in_yaml() throws Exception {
        Map<String, String> env = pipelineEnv("mtls", broker.tlsBootstrapServers());
        StringBuilder yaml = new StringBuilder("kafka:\n  bootstrap_servers: \"" + broker.tlsBootstrapServers()
                + "\"\n  properties:\n");
        tls.clientProperties(true).forEach((key, value) -> yaml.append("    ").append(key).append(": \"")
                .append(value).append("\"\n"));
        Path config = dir.resolve("mtls-config.yaml");
        Files.writeString(config, yaml);
        env.remove("KAFKA_BOOTSTRAP_SERVERS");
        env.put("WECOM_PIPELINE_CONFIG", config.toString());
        try (LauncherProcess pipeline = LauncherProcess.start(dir, env, "all-in-one")) {
            answersEveryCallbackOnce(pipeline, env, "mtls");
            assertFalse(pipeline.output().contains(tls.password()), "the store password is never printed");
            assertEquals(0, pipeline.terminate(Duration.ofSeconds(60)), pipeline.outputTail(30));
        }
    }

    @Test
    void a_wrong_password_ends_start_up_with_one_clear_line() throws Exception {
        Map<String, String> env = pipelineEnv("wrongpw", broker.saslBootstrapServers());
        String wrong = "not-the-password-" + UUID.randomUUID();
        SecureListeners.scramClientProperties(PIPELINE_USER, wrong).forEach((key, value) -> env.put(variable(key), value));
        try (LauncherProcess ingress = LauncherProcess.start(dir, env, "ingress")) {
            assertEquals(2, ingress.waitFor(Duration.ofSeconds(60)), ingress.outputTail(30));
            String output = ingress.output();
            List<String> lines = output.lines().filter(l -> l.startsWith("wecom-pipeline ingress:")).toList();
            assertEquals(1, lines.size(), output);
            System.out.println("wrong password: " + lines.get(0));
            assertTrue(lines.get(0).contains("authentication failed") && lines.get(0).contains("sasl.jaas.config"),
                    lines.get(0));
            assertFalse(output.contains(wrong), "the password is never printed");
        }
    }

    @Test
    void doctor_tells_a_wrong_password_a_missing_acl_and_an_untrusted_certificate_apart() {
        Map<String, String> wrongPassword = pipelineEnv("doc1", broker.saslBootstrapServers());
        SecureListeners.scramClientProperties(PIPELINE_USER, "wrong").forEach((k, v) -> wrongPassword.put(variable(k), v));
        String authentication = doctorLine(wrongPassword, "kafka ");
        assertTrue(authentication.contains("authentication failed") && authentication.contains("sasl.jaas.config"),
                authentication);

        Map<String, String> noAcl = pipelineEnv("doc2", broker.saslBootstrapServers());
        SecureListeners.scramClientProperties(NO_ACL_USER, NO_ACL_PASSWORD).forEach((k, v) -> noAcl.put(variable(k), v));
        // Reaching the cluster needs no ACL; describing the topics does.
        String authorization = doctorLine(noAcl, "kafka topics");
        assertTrue(authorization.contains("not authorised") && authorization.contains("User:" + NO_ACL_USER)
                && authorization.contains("kafka-acls.sh"), authorization);

        Map<String, String> untrusted = pipelineEnv("doc3", broker.tlsBootstrapServers());
        untrusted.put("KAFKA_PROPERTIES_SECURITY_PROTOCOL", "SSL");
        String handshake = doctorLine(untrusted, "kafka ");
        System.out.printf("doctor:%n%s%n%s%n%s%n", authentication, authorization, handshake);
        assertTrue(handshake.contains("TLS handshake failed") && handshake.contains("ssl.truststore.location"), handshake);
    }

    /** The ✗ line of {@code check} and its fix, from a doctor run that must fail. */
    private static String doctorLine(Map<String, String> env, String check) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = new CommandLine(new DoctorCommand(env, new PrintStream(bytes, true, StandardCharsets.UTF_8)))
                .execute("--timeout", "20");
        String output = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(code != 0, output);
        List<String> lines = output.lines().toList();
        for (int i = 0; i < lines.size() - 1; i++) {
            if (lines.get(i).startsWith("✗ " + check)) {
                return lines.get(i) + "\n" + lines.get(i + 1);
            }
        }
        throw new AssertionError("no ✗ line for '" + check + "' in:\n" + output);
    }

    private void answersEveryCallbackOnce(LauncherProcess pipeline, Map<String, String> env, String tag) throws Exception {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .failFast("all-in-one exited", () -> !pipeline.isAlive())
                .until(() -> pipeline.output().contains("all-in-one: register"));
        CallbackSimulator sim = new CallbackSimulator("http://127.0.0.1:" + env.get("WECOM_CALLBACK_PORT")
                + "/wecom/callback", TOKEN, KEY, CORP, "1000002");
        HttpClient http = HttpClient.newHttpClient();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String user = tag + "-user" + (i % 2);
            String text = tag + " message " + i + " from " + user;
            HttpResponse<String> r = http.send(sim.textCallback(user, tag + "-" + i, text), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            sent.add(text);
        }
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .failFast("all-in-one exited", () -> !pipeline.isAlive())
                .until(() -> wecom.delivered().stream().filter(d -> d.content().startsWith(tag + " ")).count() >= sent.size());
        Map<String, Long> counts = wecom.delivered().stream().filter(d -> d.content().startsWith(tag + " "))
                .collect(Collectors.groupingBy(ReceivedMessage::content, Collectors.counting()));
        for (String text : sent) {
            assertEquals(1L, counts.getOrDefault(text, 0L), "exactly once: " + text);
        }
        for (int u = 0; u < 2; u++) {
            String user = tag + "-user" + u;
            List<String> expected = sent.stream().filter(t -> t.endsWith(" from " + user)).toList();
            assertEquals(expected, wecom.deliveredTo(CORP, user).stream().map(ReceivedMessage::content).toList(), "in order");
        }
    }

    private Map<String, String> pipelineEnv(String tag, String bootstrap) {
        Map<String, String> env = new HashMap<>(Map.of(
                "WECOM_CALLBACK_CORP_ID", CORP, "WECOM_CALLBACK_CORP_SECRET", "secured-secret",
                "WECOM_CALLBACK_AGENT_ID", "1000002", "WECOM_CALLBACK_TOKEN", TOKEN,
                "WECOM_CALLBACK_ENCODING_AES_KEY", KEY, "WECOM_CALLBACK_ALLOW_ALL_USERS", "true",
                "WECOM_CALLBACK_HOST", "127.0.0.1", "WECOM_CALLBACK_PORT", String.valueOf(freePort()),
                "WECOM_API_BASE", wecom.baseUrl(), "KAFKA_BOOTSTRAP_SERVERS", bootstrap));
        for (String t : List.of("INBOUND", "REPLIES", "REPLIES_DLQ", "INBOUND_DLQ", "SESSIONS", "DELIVERED")) {
            env.put("KAFKA_TOPIC_" + t, "wecom." + tag + "." + t.toLowerCase(Locale.ROOT));
        }
        env.put("KAFKA_TOPIC_PARTITIONS", "2");
        env.put("WORKER_GROUP_ID", "wecom-" + tag + "-workers");
        env.put("REPLY_GROUP_ID", "wecom-" + tag + "-reply");
        env.put("WECOM_PIPELINE_DATA_DIR", dir.resolve("data-" + tag).toString());
        return env;
    }

    /** {@code sasl.jaas.config} → {@code KAFKA_PROPERTIES_SASL_JAAS_CONFIG}. */
    private static String variable(String property) {
        return "KAFKA_PROPERTIES_" + property.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
