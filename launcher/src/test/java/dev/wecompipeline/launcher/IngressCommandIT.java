package dev.wecompipeline.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.wecompipeline.crypto.CallbackEncoder;
import dev.wecompipeline.crypto.WxBizMsgCrypt;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import dev.wecompipeline.xml.InboundXmlMessage;
import dev.wecompipeline.xml.WeComXml;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaBrokerExtension.class)
class IngressCommandIT {

    private static final String KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";

    @TempDir
    Path workDir;

    @Test
    void ingress_command_acknowledges_a_signed_callback_and_exits_zero_on_sigterm(KafkaBroker kafka) throws Exception {
        int port = freePort();
        Map<String, String> env = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "WECOM_CALLBACK_CORP_ID", "wwcmdcorp", "WECOM_CALLBACK_CORP_SECRET", "s3cret-value",
                "WECOM_CALLBACK_AGENT_ID", "1000002", "WECOM_CALLBACK_TOKEN", "cmdtoken",
                "WECOM_CALLBACK_ENCODING_AES_KEY", KEY, "WECOM_CALLBACK_ALLOW_ALL_USERS", "true",
                "WECOM_CALLBACK_PORT", String.valueOf(port), "WECOM_CALLBACK_HOST", "127.0.0.1");
        try (LauncherProcess ingress = LauncherProcess.start(workDir, env, "ingress")) {
            await().atMost(Duration.ofSeconds(60)).failFast("ingress exited", () -> !ingress.isAlive())
                    .until(() -> ingress.output().contains("ingress: ready"));
            CallbackEncoder encoder = new CallbackEncoder(new WxBizMsgCrypt("cmdtoken", KEY, "wwcmdcorp"), "wwcmdcorp", "1000002");
            long now = System.currentTimeMillis() / 1000;
            var cb = encoder.post(WeComXml.toXml(InboundXmlMessage.text("wwcmdcorp", "u1", now, "1000002", "42", "hi")), now);
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/wecom/callback?" + cb.query()))
                            .POST(HttpRequest.BodyPublishers.ofString(cb.body())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("success", r.body());
            assertEquals(0, ingress.terminate(Duration.ofSeconds(30)), ingress.output());
            assertTrue(ingress.output().contains("ingress: stopped"), ingress.output());
            assertTrue(!ingress.output().contains("s3cret-value") && !ingress.output().contains(KEY),
                    "secrets must not be logged");
        }
    }

    @Test
    void bad_configuration_exits_non_zero_with_a_one_line_reason() throws Exception {
        Map<String, String> env = Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1",
                "WECOM_CALLBACK_CORP_ID", "wwcmdcorp", "WECOM_CALLBACK_CORP_SECRET", "s",
                "WECOM_CALLBACK_AGENT_ID", "1000002", "WECOM_CALLBACK_TOKEN", "t",
                "WECOM_CALLBACK_ENCODING_AES_KEY", "too-short");
        try (LauncherProcess ingress = LauncherProcess.start(workDir, env, "ingress")) {
            assertEquals(2, ingress.waitFor(Duration.ofSeconds(30)));
            String last = ingress.output().strip().lines().reduce((a, b) -> b).orElse("");
            assertTrue(last.startsWith("wecom-pipeline ingress:") && last.contains("WECOM_CALLBACK_ENCODING_AES_KEY"), last);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
