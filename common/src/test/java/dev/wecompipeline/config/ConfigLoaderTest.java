package dev.wecompipeline.config;

import static dev.wecompipeline.config.Fixtures.AES_KEY_A;
import static dev.wecompipeline.config.Fixtures.AES_KEY_B;
import static dev.wecompipeline.config.Fixtures.SAMPLE_AES_KEY;
import static dev.wecompipeline.config.Fixtures.singleAppEnv;
import static dev.wecompipeline.config.Fixtures.twoAppsYaml;
import static dev.wecompipeline.config.Fixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void single_app_comes_from_environment_variables_and_is_named_default() {
        PipelineConfig config = ConfigLoader.load(singleAppEnv(), Optional.empty());

        AppConfig app = config.requireApps().apps().get(0);
        assertEquals(1, config.apps().size());
        assertEquals("default", app.name());
        assertEquals("wx5823bf96d3bd56c7", app.corpId());
        assertEquals(Fixtures.CORP_SECRET, app.corpSecret());
        assertEquals("1000002", app.agentId());
        assertEquals(1000002, app.agentIdNumber());
        assertEquals(Fixtures.TOKEN, app.token());
        assertEquals(SAMPLE_AES_KEY, app.encodingAesKey());
        assertEquals(32, app.aesKey().length);
    }

    @Test
    void apps_list_from_the_hermes_example_yields_both_apps_in_order() {
        PipelineConfig config = ConfigLoader.load(Map.of(), Optional.of(write(dir, twoAppsYaml())));

        assertEquals(List.of("dept-a", "dept-b"), config.apps().stream().map(AppConfig::name).toList());
        AppConfig b = config.app("dept-b").orElseThrow();
        assertEquals("ww_corp_b", b.corpId());
        assertEquals("secret-b", b.corpSecret());
        assertEquals("1000003", b.agentId());
        assertEquals("token-b", b.token());
        assertEquals(AES_KEY_B, b.encodingAesKey());
        assertEquals(AES_KEY_A, config.app("dept-a").orElseThrow().encodingAesKey());
        assertEquals("0.0.0.0", config.ingress().host());
        assertTrue(config.warnings().isEmpty(), () -> "unexpected warnings " + config.warnings());
    }

    @Test
    void flat_hermes_keys_define_the_default_app_and_the_bind_address() {
        String yaml = """
                platforms:
                  wecom_callback:
                    extra:
                      corp_id: ww_flat
                      corp_secret: 1e5
                      agent_id: 1000009
                      token: 0123456
                      encoding_aes_key: %s
                      host: 127.0.0.1
                      port: 9645
                      path: /hooks/wecom
                """.formatted(AES_KEY_A);

        PipelineConfig config = ConfigLoader.load(Map.of(), Optional.of(write(dir, yaml)));

        AppConfig app = config.apps().get(0);
        assertEquals("default", app.name());
        assertEquals("1000009", app.agentId());
        // A bare numeric token must keep its leading zero, or every signature check fails.
        assertEquals("0123456", app.token());
        assertEquals("1e5", app.corpSecret(), "YAML must not turn a secret into the number 100000.0");
        assertEquals("127.0.0.1", config.ingress().host());
        assertEquals(9645, config.ingress().port());
        assertEquals("/hooks/wecom", config.ingress().path());
    }

    @Test
    void environment_variables_override_the_file_setting_by_setting() {
        String yaml = """
                platforms:
                  wecom_callback:
                    extra:
                      corp_id: ww_file
                      corp_secret: file-secret
                      agent_id: "1000002"
                      token: file-token
                      encoding_aes_key: %s
                      port: 9000
                      allowed_users: [alice, bob]
                kafka:
                  bootstrap_servers: file-broker:9092
                  partitions: 3
                worker:
                  agent: openai
                  agent_timeout: 10m
                reply:
                  format: markdown
                pipeline:
                  data_dir: /var/lib/file
                """.formatted(AES_KEY_A);
        Map<String, String> env = Map.of(
                "WECOM_CALLBACK_TOKEN", "env-token",
                "WECOM_CALLBACK_PORT", "9100",
                "WECOM_CALLBACK_ALLOWED_USERS", " carol , ww_corp:dave ,",
                "KAFKA_BOOTSTRAP_SERVERS", "env-broker:19092",
                "AGENT", "command",
                "AGENT_TIMEOUT", "PT45M",
                "WECOM_PIPELINE_DATA_DIR", "/srv/env");

        PipelineConfig config = ConfigLoader.load(env, Optional.of(write(dir, yaml)));

        AppConfig app = config.apps().get(0);
        assertEquals("env-token", app.token());
        assertEquals("ww_file", app.corpId(), "unset variables leave the file's value");
        assertEquals(9100, config.ingress().port());
        assertEquals(Set.of("carol", "ww_corp:dave"), config.ingress().allowedUsers());
        assertEquals("env-broker:19092", config.kafka().bootstrapServers());
        assertEquals(3, config.kafka().partitions());
        assertEquals(WorkerConfig.Agent.COMMAND, config.worker().agent());
        assertEquals(Duration.ofMinutes(45), config.worker().agentTimeout());
        assertEquals(ReplyConfig.Format.MARKDOWN, config.reply().format());
        assertEquals(Path.of("/srv/env"), config.dataDir());
        assertTrue(config.warnings().isEmpty(), () -> "overridden keys are not unknown: " + config.warnings());
    }

    @Test
    void every_documented_environment_variable_is_read() {
        Map<String, String> env = new java.util.HashMap<>(singleAppEnv());
        env.putAll(Map.ofEntries(
                Map.entry("WECOM_CALLBACK_HOST", "127.0.0.1"),
                Map.entry("WECOM_CALLBACK_PATH", "/cb"),
                Map.entry("WECOM_CALLBACK_ALLOW_ALL_USERS", "yes"),
                Map.entry("WECOM_API_BASE", "http://localhost:8999/"),
                Map.entry("WECOM_PIPELINE_KAFKA_PORT", "19092"),
                Map.entry("WORKER_PORT", "18646"),
                Map.entry("REPLY_PORT", "18647"),
                Map.entry("AGENT_ECHO_DELAY_MS", "250"),
                Map.entry("WORKER_CONCURRENCY", "8"),
                Map.entry("REPLY_PER_USER_PER_MINUTE", "5"),
                Map.entry("REPLY_PER_USER_PER_HOUR", "50"),
                Map.entry("REPLY_FORMAT", "MARKDOWN"),
                Map.entry("WECOM_CALLBACK_MAX_BODY_BYTES", "1024"),
                Map.entry("WECOM_CALLBACK_TIMESTAMP_WINDOW_SECONDS", "0"),
                Map.entry("WECOM_CALLBACK_ACK_TIMEOUT_MS", "1500"),
                Map.entry("KAFKA_TOPIC_PARTITIONS", "6"),
                Map.entry("KAFKA_TOPIC_RETENTION_HOURS", "48"),
                Map.entry("WORKER_SESSION_TIMEOUT_MS", "6000"),
                Map.entry("REPLY_SESSION_TIMEOUT_MS", "7000")));

        PipelineConfig config = ConfigLoader.load(env, Optional.empty());

        assertEquals("127.0.0.1", config.ingress().host());
        assertEquals("/cb", config.ingress().path());
        assertTrue(config.ingress().allowAllUsers());
        assertTrue(config.ingress().isUserAllowed("any-corp", "anyone"));
        assertEquals("http://localhost:8999", config.reply().wecomApiBase(), "trailing slash is dropped");
        assertEquals(19092, config.kafkaPort());
        assertEquals(18646, config.worker().port());
        assertEquals(18647, config.reply().port());
        assertEquals(Duration.ofMillis(250), config.worker().echoDelay());
        assertEquals(8, config.worker().concurrency());
        assertEquals(5, config.reply().perUserPerMinute());
        assertEquals(50, config.reply().perUserPerHour());
        assertEquals(ReplyConfig.Format.MARKDOWN, config.reply().format());
        assertEquals(1024, config.ingress().maxBodyBytes());
        assertFalse(config.ingress().checksTimestamps());
        assertEquals(Duration.ofMillis(1500), config.ingress().ackTimeout());
        assertEquals(6, config.kafka().partitions());
        assertEquals(Duration.ofHours(48), config.kafka().retention());
        assertEquals(Duration.ofSeconds(6), config.worker().sessionTimeout());
        assertEquals(Duration.ofSeconds(7), config.reply().sessionTimeout());
    }

    @Test
    void pipeline_extra_keys_in_the_file_set_lists_and_access_control() {
        String yaml = """
                platforms:
                  wecom_callback:
                    extra:
                      allowed_users: "alice, ww_corp_a:bob"
                      allowed_source_cidrs: [101.226.0.0/16, "2001:db8::/32"]
                      trusted_proxies: [127.0.0.1]
                      per_app_paths: no
                      drop_events: [enter_agent]
                      access_denied_reply: Ask IT for access.
                      timestamp_window_seconds: 2m
                """;

        IngressConfig ingress = ConfigLoader.load(Map.of(), Optional.of(write(dir, yaml))).ingress();

        assertEquals(Set.of("alice", "ww_corp_a:bob"), ingress.allowedUsers());
        assertTrue(ingress.isUserAllowed("ww_corp_z", "alice"), "a bare id is allowed in every corp");
        assertTrue(ingress.isUserAllowed("ww_corp_a", "bob"));
        assertFalse(ingress.isUserAllowed("ww_corp_b", "bob"), "a scoped id is allowed in its corp only");
        assertEquals(List.of("101.226.0.0/16", "2001:db8::/32"), ingress.allowedSourceCidrs());
        assertEquals(List.of("127.0.0.1"), ingress.trustedProxies());
        assertFalse(ingress.perAppPaths());
        assertEquals(Set.of("enter_agent"), ingress.dropEvents());
        assertEquals("Ask IT for access.", ingress.accessDeniedReply());
        assertEquals(Duration.ofMinutes(2), ingress.timestampWindow());
    }

    @Test
    void no_apps_is_valid_until_a_command_requires_them() {
        PipelineConfig config = ConfigLoader.load(Map.of(), Optional.empty());

        assertTrue(config.apps().isEmpty());
        ConfigException e = assertThrows(ConfigException.class, config::requireApps);
        assertTrue(e.getMessage().contains("WECOM_CALLBACK_CORP_ID"), e.getMessage());
        assertTrue(e.getMessage().contains("platforms.wecom_callback.extra.apps"), e.getMessage());
    }

    @Test
    void config_variable_pointing_to_a_missing_file_is_an_error_naming_the_variable() {
        Map<String, String> env = Map.of("WECOM_PIPELINE_CONFIG", dir.resolve("nope.yaml").toString());

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(env));

        assertEquals(1, e.problems().size());
        assertTrue(e.problems().get(0).startsWith("WECOM_PIPELINE_CONFIG: file not found"), e.getMessage());
    }

    @Test
    void config_yaml_in_the_working_directory_is_used_when_no_variable_is_set() {
        write(dir, twoAppsYaml());

        assertEquals(Optional.of(dir.resolve("config.yaml")), ConfigLoader.configFile(Map.of(), dir));
        assertEquals(Optional.empty(), ConfigLoader.configFile(Map.of(), dir.resolve("empty-subdir")));
    }

    @Test
    void config_variable_wins_over_config_yaml_in_the_working_directory() throws Exception {
        write(dir, "kafka: {partitions: 1}\n");
        Path other = Files.writeString(dir.resolve("other.yaml"), "kafka: {partitions: 2}\n");
        Map<String, String> env = Map.of("WECOM_PIPELINE_CONFIG", "other.yaml");

        Optional<Path> chosen = ConfigLoader.configFile(env, dir);

        assertEquals(Optional.of(other), chosen);
        assertEquals(2, ConfigLoader.load(env, chosen).kafka().partitions());
    }

    @Test
    void empty_environment_variables_count_as_unset() {
        Map<String, String> env = Map.of("WECOM_CALLBACK_PORT", "", "KAFKA_BOOTSTRAP_SERVERS", "  ");

        PipelineConfig config = ConfigLoader.load(env, Optional.empty());

        assertEquals(IngressConfig.PORT.defaultValue(), config.ingress().port());
        assertNull(config.kafka().bootstrapServers());
    }

    @Test
    void misspelt_keys_in_known_sections_produce_a_warning_but_hermes_keys_do_not() {
        String yaml = """
                model: some-model
                platforms:
                  wecom_callback:
                    enabled: true
                    extra:
                      alowed_users: [alice]
                worker:
                  concurency: 4
                """;

        PipelineConfig config = ConfigLoader.load(Map.of(), Optional.of(write(dir, yaml)));

        assertEquals(List.of("platforms.wecom_callback.extra.alowed_users: unknown key; ignored",
                "worker.concurency: unknown key; ignored"), config.warnings());
    }
}
