package dev.wecompipeline.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import dev.wecompipeline.config.AppConfig;
import dev.wecompipeline.config.ConfigLoader;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.crypto.CallbackEncoder;
import dev.wecompipeline.crypto.WxBizMsgCrypt;
import dev.wecompipeline.setup.EnvFile;
import dev.wecompipeline.sandbox.SandboxConfig;
import dev.wecompipeline.sandbox.WeComApiSandbox;
import dev.wecompipeline.xml.InboundXmlMessage;
import dev.wecompipeline.xml.WeComXml;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code setup} as an operator runs it (answers typed on standard input, or options in a
 * script), then {@code all-in-one} started from what it wrote: WeCom's signed URL verification
 * and a signed message are accepted, and {@code doctor} against the running pipeline exits 0.
 */
class SetupIT {

    private static final String CORP = "wwsetupit";
    private static final String SECRET = "setup-it-secret";

    @TempDir
    Path workDir;

    @Test
    void interactive_setup_writes_an_env_that_all_in_one_accepts_and_doctor_passes() throws Exception {
        String answers = String.join("\n", CORP, SECRET, "1000002", "", "", "zhangsan,lisi", "") + "\n";
        try (LauncherProcess setup = LauncherProcess.startWithInput(workDir, Map.of(), answers, "setup")) {
            assertEquals(0, setup.waitFor(Duration.ofSeconds(60)), setup.output());
            assertTrue(setup.output().contains("EncodingAESKey  "), setup.output());
            assertFalse(setup.output().contains(SECRET), "the corp secret is never printed");
        }
        Map<String, String> fromEnvFile = EnvFile.read(workDir.resolve(".env")).asMap();
        AppConfig app = ConfigLoader.load(fromEnvFile, java.util.Optional.empty()).apps().get(0);

        try (WeComApiSandbox wecom = new WeComApiSandbox(SandboxConfig.builder().host("127.0.0.1").port(0).build()).start()) {
            wecom.registerApp(CORP, SECRET, 1000002);
            int port = freePort();
            Map<String, String> env = new HashMap<>(fromEnvFile);
            // The classic mistake: whitespace around a value. The loader trims it and says so once.
            env.put("WECOM_CALLBACK_TOKEN", " " + app.token() + " ");
            env.putAll(runtimeEnv(wecom, port));
            try (LauncherProcess aio = LauncherProcess.start(workDir, env, "all-in-one")) {
                awaitStarted(aio);
                assertEquals(1, count(aio.output(), "WECOM_CALLBACK_TOKEN had surrounding whitespace; trimmed"),
                        "the trimmed secret is reported exactly once:\n" + aio.output());

                String url = "http://127.0.0.1:" + port + "/wecom/callback";
                assertEquals("echo-setup", verify(url, app, "echo-setup"));
                CallbackEncoder encoder = encoder(app);
                long now = System.currentTimeMillis() / 1000;
                var cb = encoder.post(WeComXml.toXml(InboundXmlMessage.text(CORP, "zhangsan", now, "1000002", "1", "hi")), now);
                HttpResponse<String> post = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "?" + cb.query()))
                        .POST(HttpRequest.BodyPublishers.ofString(cb.body())).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, post.statusCode());
                assertEquals("success", post.body());
                await().atMost(Duration.ofSeconds(60)).until(() -> wecom.deliveredCount() >= 1);

                try (LauncherProcess doctor = LauncherProcess.start(workDir, env, "doctor", "--timeout", "10")) {
                    assertEquals(0, doctor.waitFor(Duration.ofSeconds(90)), doctor.output());
                    assertTrue(doctor.output().contains("✓ callback local (default)"), doctor.output());
                    assertTrue(doctor.output().contains("! configuration") && doctor.output().contains("surrounding whitespace"),
                            "doctor warns about the padded token:\n" + doctor.output());
                }
                assertEquals(0, aio.terminate(Duration.ofSeconds(60)), aio.output());
            }
        }
    }

    @Test
    void scripted_setup_of_a_second_app_writes_a_config_yaml_that_all_in_one_routes_by_path() throws Exception {
        Path yaml = workDir.resolve("config.yaml");
        for (String[] a : new String[][] {{"dept-a", "1000002"}, {"dept-b", "1000003"}}) {
            try (LauncherProcess setup = LauncherProcess.start(workDir, Map.of(), "setup", "--non-interactive", "--app", a[0],
                    "--corp-id", CORP, "--corp-secret", SECRET + "-" + a[0], "--agent-id", a[1], "--allow-all-users",
                    "--public-url", "https://bot.example.com")) {
                assertEquals(0, setup.waitFor(Duration.ofSeconds(60)), setup.output());
            }
        }
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(yaml)));
        PipelineConfig config = ConfigLoader.load(Map.of(), java.util.Optional.of(yaml));
        AppConfig deptB = config.app("dept-b").orElseThrow();

        try (WeComApiSandbox wecom = new WeComApiSandbox(SandboxConfig.builder().host("127.0.0.1").port(0).build()).start()) {
            int port = freePort();
            // config.yaml in the working directory is read without WECOM_PIPELINE_CONFIG.
            try (LauncherProcess aio = LauncherProcess.start(workDir, runtimeEnv(wecom, port), "all-in-one")) {
                awaitStarted(aio);
                assertTrue(aio.output().contains("register  https://bot.example.com/wecom/callback"), aio.output());
                assertEquals("echo-b", verify("http://127.0.0.1:" + port + "/wecom/callback/dept-b", deptB, "echo-b"));
                assertEquals(0, aio.terminate(Duration.ofSeconds(60)), aio.output());
            }
        }
    }

    /** What the test machine supplies beyond the app: ports, data, the WeCom stand-in. */
    private Map<String, String> runtimeEnv(WeComApiSandbox wecom, int port) throws Exception {
        return Map.of("WECOM_CALLBACK_PORT", String.valueOf(port), "WECOM_CALLBACK_HOST", "127.0.0.1",
                "WECOM_API_BASE", wecom.baseUrl(),
                "WECOM_PIPELINE_DATA_DIR", workDir.resolve("data-" + UUID.randomUUID()).toString(),
                "WECOM_PIPELINE_KAFKA_PORT", String.valueOf(freePort()), "KAFKA_TOPIC_PARTITIONS", "2");
    }

    private static String verify(String url, AppConfig app, String echo) throws Exception {
        var signed = encoder(app).verification(echo, System.currentTimeMillis() / 1000);
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "?" + signed.query()))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private static CallbackEncoder encoder(AppConfig app) {
        return new CallbackEncoder(new WxBizMsgCrypt(app.token(), app.encodingAesKey(), app.corpId()), app.corpId(), app.agentId());
    }

    private static void awaitStarted(LauncherProcess p) {
        await().atMost(Duration.ofSeconds(120)).failFast("all-in-one exited", () -> !p.isAlive())
                .until(() -> p.output().contains("all-in-one: register"));
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
