package dev.wecompipeline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wecompipeline.config.KafkaClientProperties;
import dev.wecompipeline.config.AppConfig;
import dev.wecompipeline.config.ConfigLoader;
import dev.wecompipeline.config.IngressConfig;
import dev.wecompipeline.config.KafkaConfig;
import dev.wecompipeline.config.OpenAiConfig;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.config.ReplyConfig;
import dev.wecompipeline.config.Setting;
import dev.wecompipeline.config.SettingsCatalog;
import dev.wecompipeline.config.WorkerConfig;
import dev.wecompipeline.reply.ReplyService;
import dev.wecompipeline.worker.WorkerService;
import dev.wecompipeline.worker.WorkerRuntimeOptions;
import org.junit.jupiter.api.Test;

/**
 * There is no Docker engine on our machines, so the Docker files are checked here instead, parsed
 * rather than searched as text: docker-compose.yml as YAML (its services, their commands, variables,
 * start order and health checks) and the Dockerfile as instructions per stage (the image runs the
 * launcher jar its build stage makes); .env.example and the README list every variable.
 */
class DeploymentFilesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** Read by the launcher script, logback or the JVM rather than the configuration classes. */
    private static final Set<String> NON_CONFIG_VARIABLES = Set.of("WECOM_LOG_LEVEL", "JAVA_OPTS");

    /** Every variable the configuration reads: each declared {@link Setting}'s, and the config file's. */
    static Set<String> configVariables() {
        Set<String> names = new TreeSet<>();
        SettingsCatalog.all().forEach(s -> names.add(s.env()));
        names.add(ConfigLoader.CONFIG_ENV);
        return names;
    }

    /** The launcher command each pipeline service of the compose file runs. */
    private static final Map<String, String> COMMANDS = Map.of("topics", "topics", "ingress", "ingress",
            "agent-worker", "worker", "reply-service", "reply");

    @Test
    void every_compose_service_runs_its_launcher_command_with_known_variables() throws Exception {
        JsonNode compose = compose();
        Set<String> commands = WecomPipelineCommand.commandLine().getSubcommands().keySet();
        Set<String> known = new TreeSet<>(configVariables());
        known.addAll(NON_CONFIG_VARIABLES);
        List<String> ours = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = compose.path("services").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> service = it.next();
            JsonNode s = service.getValue();
            if (!s.path("image").asText().startsWith("wecom-pipeline")) {
                continue;
            }
            ours.add(service.getKey());
            assertEquals("wecom-pipeline:latest", s.path("image").asText(), service.getKey());
            assertEquals(".", s.path("build").asText(), service.getKey() + " is built from the Dockerfile at the root");
            assertEquals(List.of(COMMANDS.get(service.getKey())), strings(s.path("command")), service.getKey());
            assertTrue(commands.contains(COMMANDS.get(service.getKey())), "the launcher has " + COMMANDS.get(service.getKey()));
            for (Iterator<String> env = s.path("environment").fieldNames(); env.hasNext(); ) {
                String name = env.next();
                // Client properties pass through by prefix (KafkaClientProperties).
                assertTrue(known.contains(name) || name.startsWith(KafkaClientProperties.ENV_PREFIX),
                        service.getKey() + " sets unknown variable " + name);
            }
        }
        assertEquals(COMMANDS.keySet(), new TreeSet<>(ours));
        JsonNode kafka = compose.path("services").path("kafka");
        assertTrue(kafka.path("image").asText().startsWith("apache/kafka:"));
        assertEquals("broker,controller", kafka.path("environment").path("KAFKA_PROCESS_ROLES").asText());
        assertEquals(List.of(IngressConfig.PORT.defaultValue() + ":" + IngressConfig.PORT.defaultValue()),
                strings(compose.path("services").path("ingress").path("ports")), "the callback port is published");
    }

    @Test
    void services_start_in_order_topics_after_a_healthy_broker_and_the_rest_after_topics() throws Exception {
        JsonNode services = compose().path("services");
        assertEquals("service_healthy", services.path("topics").path("depends_on").path("kafka").path("condition").asText());
        for (String svc : List.of("ingress", "agent-worker", "reply-service")) {
            assertEquals("service_completed_successfully",
                    services.path(svc).path("depends_on").path("topics").path("condition").asText(), svc);
        }
    }

    @Test
    void each_long_running_service_is_health_checked_on_its_own_ready_endpoint() throws Exception {
        JsonNode services = compose().path("services");
        // The ingress serves /ready on its callback port unless WECOM_CALLBACK_OPS_PORT moves it.
        Map<String, String> readyPort = Map.of(
                "ingress", "$${" + IngressConfig.OPS_PORT.env() + ":-" + IngressConfig.PORT.defaultValue() + "}",
                "agent-worker", Integer.toString(WorkerConfig.PORT.defaultValue()),
                "reply-service", Integer.toString(ReplyConfig.PORT.defaultValue()));
        Pattern probe = Pattern.compile("exec 3<>/dev/tcp/127\\.0\\.0\\.1/(\\S+) && printf 'GET /ready HTTP/1\\.0\\\\r\\\\n\\\\r\\\\n' >&3"
                + " && grep -q ' 200 ' <&3");
        for (Map.Entry<String, String> e : readyPort.entrySet()) {
            JsonNode check = services.path(e.getKey()).path("healthcheck");
            List<String> test = strings(check.path("test"));
            assertEquals(2, test.size(), e.getKey() + ": " + test);
            assertEquals("CMD-SHELL", test.get(0), e.getKey());
            Matcher m = probe.matcher(test.get(1));
            assertTrue(m.matches(), e.getKey() + " probes /ready and wants a 200: " + test.get(1));
            // Compose turns $$ into a literal $ for the shell to expand.
            assertEquals(e.getValue(), m.group(1), e.getKey() + " probes the port its /ready is served on");
            assertHealthCheckTimes(e.getKey(), check);
        }
        for (String broker : List.of("kafka", "kafka-1", "kafka-2", "kafka-3")) {
            JsonNode check = services.path(broker).path("healthcheck");
            assertEquals(List.of("CMD-SHELL", "/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:9092"
                    + " > /dev/null"), strings(check.path("test")), broker);
            assertHealthCheckTimes(broker, check);
        }
        assertTrue(services.path("topics").path("healthcheck").isMissingNode(), "the one-shot topics job is not checked");
    }

    private static void assertHealthCheckTimes(String svc, JsonNode check) {
        Duration interval = duration(check.path("interval").asText());
        Duration timeout = duration(check.path("timeout").asText());
        assertTrue(timeout.compareTo(interval) <= 0, svc + ": a probe ends before the next starts");
        assertTrue(check.path("retries").asInt() >= 3, svc + ": one slow probe does not mark it unhealthy");
    }

    @Test
    void the_image_runs_the_launcher_jar_that_the_build_stage_produces() throws Exception {
        List<Dockerfile.Stage> stages = Dockerfile.parse(Files.readString(ROOT.resolve("Dockerfile")));
        assertEquals(2, stages.size(), "a build stage and a runtime stage");
        Dockerfile.Stage build = stages.get(0);
        Dockerfile.Stage run = stages.get(1);
        assertEquals("eclipse-temurin:17-jdk", build.image(), "Maven build stage on JDK 17");
        assertEquals("build", build.name());
        assertEquals(List.of("./mvnw -B -q -DskipTests package"), build.arguments("RUN"));
        assertEquals("eclipse-temurin:17-jre", run.image(), "JRE 17 runtime image");

        // The jar the runtime stage copies is the one the build stage's Maven run leaves in the launcher module.
        String built = build.arguments("WORKDIR").get(0) + "/launcher/target/wecom-pipeline.jar";
        List<String> copy = List.of(run.arguments("COPY").get(0).split(" "));
        assertEquals(List.of("--from=build", built, "/app/wecom-pipeline.jar"), copy);
        assertEquals(List.of("java", "-XX:MaxRAMPercentage=75", "-jar", "/app/wecom-pipeline.jar"), run.exec("ENTRYPOINT"));
        assertEquals(List.of("--help"), run.exec("CMD"), "without a command the image explains itself");
        assertEquals(List.of("wecom"), run.arguments("USER"), "not root");
        assertEquals(Set.of(IngressConfig.PORT.defaultValue(), WorkerConfig.PORT.defaultValue(), ReplyConfig.PORT.defaultValue()),
                run.arguments("EXPOSE").stream().flatMap(p -> Arrays.stream(p.split(" "))).map(Integer::valueOf)
                        .collect(Collectors.toSet()), "the three services' ports");

        // The jar the image copies is the one this build makes, with the launcher as its main class.
        String jar = System.getProperty("wecom.launcher.jar", ROOT.resolve("launcher/target/wecom-pipeline.jar").toString());
        assertTrue(jar.endsWith("launcher/target/wecom-pipeline.jar"), jar);
        String script = Files.readString(ROOT.resolve("bin/wecom-pipeline"));
        assertTrue(script.contains("launcher/target/wecom-pipeline.jar"), "bin/wecom-pipeline runs the same jar");
    }

    @Test
    void the_kafka_commands_option_defaults_name_the_declared_variables_and_defaults() throws Exception {
        assertEquals("${env:" + PipelineConfig.DATA_DIR.env() + ":-" + PipelineConfig.DATA_DIR.defaultValue() + "}",
                KafkaCommand.class.getDeclaredField("dataDir").getAnnotation(picocli.CommandLine.Option.class).defaultValue());
        assertEquals("${env:" + PipelineConfig.KAFKA_PORT.env() + ":-" + PipelineConfig.KAFKA_PORT.defaultValue() + "}",
                KafkaCommand.class.getDeclaredField("port").getAnnotation(picocli.CommandLine.Option.class).defaultValue());
    }

    @Test
    void env_example_and_readme_list_every_variable() throws Exception {
        String envExample = Files.readString(ROOT.resolve(".env.example"));
        String readme = Files.readString(ROOT.resolve("README.md"));
        for (String name : configVariables()) {
            assertTrue(envExample.contains(name + "="), ".env.example lacks " + name);
            assertTrue(readme.contains(name), "README lacks " + name);
        }
        for (String name : NON_CONFIG_VARIABLES) {
            assertTrue(envExample.contains(name + "="), ".env.example lacks " + name);
        }
    }

    private static final List<String> SERVICES = List.of("topics", "ingress", "agent-worker", "reply-service");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(s|m)");

    /**
     * The compose file as Compose reads it: SnakeYAML (under Jackson's YAML module) resolves the
     * {@code <<: *kafka-env} merges and aliases that Jackson's tree parser leaves as they are.
     */
    private static JsonNode compose() throws Exception {
        Object tree = new org.yaml.snakeyaml.Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
        return new ObjectMapper().valueToTree(tree);
    }

    private static Set<String> environment(JsonNode compose, String service) {
        Set<String> names = new TreeSet<>();
        compose.path("services").path(service).path("environment").fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> strings(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static Duration duration(String text) {
        Matcher m = DURATION.matcher(text);
        assertTrue(m.matches(), "a compose duration: '" + text + "'");
        return m.group(2).equals("s") ? Duration.ofSeconds(Long.parseLong(m.group(1)))
                : Duration.ofMinutes(Long.parseLong(m.group(1)));
    }

    private static Set<String> values(JsonNode list) {
        Set<String> out = new TreeSet<>();
        list.forEach(v -> out.add(v.asText()));
        return out;
    }

    @Test
    void each_service_gets_only_the_secrets_it_reads_and_never_the_whole_env_file() throws Exception {
        JsonNode compose = compose();
        for (String svc : SERVICES) {
            JsonNode s = compose.path("services").path(svc);
            assertTrue(s.path("env_file").isMissingNode(), svc + " must not get the whole .env");
            // Every value is the variable of the same name from .env (or a fixed one): no typo sends
            // one setting's value under another's name.
            for (Iterator<Map.Entry<String, JsonNode>> it = s.path("environment").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String value = e.getValue().asText();
                // The one exception: the cluster profile's brokers are named by a compose-only variable.
                boolean bootstrap = e.getKey().equals(KafkaConfig.BOOTSTRAP_SERVERS.env())
                        && value.equals("${COMPOSE_KAFKA_BOOTSTRAP_SERVERS:-kafka:9092}");
                assertTrue(!value.contains("${") || value.equals("${" + e.getKey() + ":-}") || bootstrap,
                        svc + ": " + e.getKey() + "=" + value);
            }
            // A secured cluster is reached by every service alike.
            assertTrue(environment(compose, svc).containsAll(List.of("KAFKA_PROPERTIES_SECURITY_PROTOCOL",
                    "KAFKA_PROPERTIES_SASL_JAAS_CONFIG", "KAFKA_PROPERTIES_SSL_TRUSTSTORE_LOCATION")), svc);
        }
        Set<String> ingress = environment(compose, "ingress");
        assertTrue(ingress.containsAll(List.of(AppConfig.CORP_ID.env(), AppConfig.AGENT_ID.env(), AppConfig.TOKEN.env(),
                AppConfig.ENCODING_AES_KEY.env())), ingress::toString);
        assertFalse(ingress.contains(AppConfig.CORP_SECRET.env()), "the ingress never calls WeCom's API");
        assertFalse(ingress.contains(OpenAiConfig.API_KEY.env()));

        Set<String> reply = environment(compose, "reply-service");
        assertTrue(reply.containsAll(List.of(AppConfig.CORP_ID.env(), AppConfig.CORP_SECRET.env(), AppConfig.AGENT_ID.env(),
                ReplyConfig.REQUEST_TIMEOUT.env())), reply::toString);
        assertFalse(reply.contains(OpenAiConfig.API_KEY.env()));

        Set<String> worker = environment(compose, "agent-worker");
        // The worker fetches media with media/get (issue #14): it needs the app's credentials and the API base.
        assertTrue(worker.containsAll(List.of(AppConfig.CORP_ID.env(), AppConfig.CORP_SECRET.env(), AppConfig.AGENT_ID.env(),
                ReplyConfig.WECOM_API_BASE.env())), worker::toString);
        assertTrue(worker.containsAll(List.of(WorkerConfig.AGENT.env(), WorkerConfig.COMMAND.env(), WorkerConfig.COMMAND_ENV.env(),
                WorkerConfig.COMMAND_MAX_OUTPUT_BYTES.env(), OpenAiConfig.BASE_URL.env(), OpenAiConfig.API_KEY.env(),
                ReplyConfig.FORMAT.env(), dev.wecompipeline.config.MediaConfig.OPENAI_VISION.env(),
                dev.wecompipeline.config.MediaConfig.MAX_IMAGE_BYTES.env())), worker::toString);

        Set<String> topics = environment(compose, "topics");
        assertTrue(topics.stream().allMatch(n -> n.startsWith("KAFKA_") || NON_CONFIG_VARIABLES.contains(n)), topics::toString);
    }

    @Test
    void services_run_read_only_without_privilege_gain_and_stop_within_a_grace_longer_than_their_own() throws Exception {
        JsonNode compose = compose();
        for (String svc : SERVICES) {
            JsonNode s = compose.path("services").path(svc);
            assertTrue(s.path("read_only").asBoolean(false), svc + " read_only");
            assertTrue(values(s.path("tmpfs")).contains("/tmp"), svc + " has a tmpfs /tmp");
            assertTrue(values(s.path("security_opt")).contains("no-new-privileges:true"), svc + " no-new-privileges");
        }
        // A SIGKILL before a service's own shutdown ends would cut off its grace for work in flight.
        assertLonger("agent-worker", WorkerService.longestShutdown(WorkerRuntimeOptions.DEFAULT_REVOKE_GRACE), compose);
        assertLonger("reply-service", ReplyService.longestShutdown(ReplyConfig.REQUEST_TIMEOUT.defaultValue()), compose);
        // Callbacks in flight are bounded by WeCom's 5 s; the producer's close takes at most 5 s more.
        assertLonger("ingress", IngressConfig.WECOM_RESPONSE_DEADLINE.plusSeconds(5), compose);
    }

    private static void assertLonger(String svc, Duration own, JsonNode compose) {
        Duration grace = duration(compose.path("services").path(svc).path("stop_grace_period").asText());
        assertTrue(grace.compareTo(own) > 0, svc + ": stop_grace_period " + grace + " is not longer than its own " + own);
    }

    @Test
    void the_build_context_leaves_out_secrets_local_state_and_backups() throws Exception {
        Set<String> ignored = new TreeSet<>(Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList());
        assertTrue(ignored.containsAll(List.of(".env", "config.yaml", "data/", "**/*.bak")), ignored::toString);
    }
}
