package dev.wecompipeline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wecompipeline.config.KafkaClientProperties;
import dev.wecompipeline.config.AppConfig;
import dev.wecompipeline.config.ConfigLoader;
import dev.wecompipeline.config.EngineConfig;
import dev.wecompipeline.config.HermesConfig;
import dev.wecompipeline.config.IngressConfig;
import dev.wecompipeline.config.KafkaConfig;
import dev.wecompipeline.config.OpenAiConfig;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.config.ReplyConfig;
import dev.wecompipeline.config.WorkerConfig;
import dev.wecompipeline.reply.ReplyService;
import dev.wecompipeline.worker.WorkerService;
import dev.wecompipeline.worker.WorkerRuntimeOptions;
import org.junit.jupiter.api.Test;

/**
 * There is no Docker engine on our machines, so the Docker files are checked here instead: every
 * compose service runs a launcher command with variables the pipeline knows, the image's entry
 * point is the launcher jar, and .env.example and the README list every variable.
 */
class DeploymentFilesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** Read by the launcher script, logback or the JVM rather than the configuration classes. */
    private static final Set<String> NON_CONFIG_VARIABLES = Set.of("WECOM_LOG_LEVEL", "JAVA_OPTS");

    static Set<String> configVariables() throws IllegalAccessException {
        Set<String> names = new TreeSet<>();
        for (Class<?> c : List.of(AppConfig.class, IngressConfig.class, KafkaConfig.class, WorkerConfig.class,
                OpenAiConfig.class, HermesConfig.class, dev.wecompipeline.config.MediaConfig.class, ReplyConfig.class,
                EngineConfig.class, PipelineConfig.class, ConfigLoader.class)) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && f.getName().endsWith("_ENV")) {
                    f.setAccessible(true);
                    names.add((String) f.get(null));
                }
            }
        }
        return names;
    }

    @Test
    void every_compose_service_runs_a_launcher_command_with_known_variables() throws Exception {
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
            String command = s.path("command").get(0).asText();
            assertTrue(commands.contains(command), service.getKey() + " runs unknown command " + command);
            for (Iterator<String> env = s.path("environment").fieldNames(); env.hasNext(); ) {
                String name = env.next();
                // Client properties pass through by prefix (KafkaClientProperties).
                assertTrue(known.contains(name) || name.startsWith(KafkaClientProperties.ENV_PREFIX),
                        service.getKey() + " sets unknown variable " + name);
            }
        }
        assertEquals(Set.of("topics", "ingress", "agent-worker", "reply-service"), new TreeSet<>(ours));
        assertTrue(compose.path("services").path("kafka").path("image").asText().startsWith("apache/kafka:"));
        assertEquals("broker,controller",
                compose.path("services").path("kafka").path("environment").path("KAFKA_PROCESS_ROLES").asText());
        assertEquals("8645:8645", compose.path("services").path("ingress").path("ports").get(0).asText());
        for (String svc : List.of("ingress", "agent-worker", "reply-service", "kafka")) {
            assertFalse(compose.path("services").path(svc).path("healthcheck").isMissingNode(), svc + " has a health check");
        }
    }

    @Test
    void the_image_runs_the_launcher_jar_that_the_build_stage_produces() throws Exception {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        assertTrue(dockerfile.contains("FROM eclipse-temurin:17-jdk AS build"), "Maven build stage on JDK 17");
        assertTrue(dockerfile.contains("./mvnw -B -q -DskipTests package"));
        assertTrue(dockerfile.contains("COPY --from=build /src/launcher/target/wecom-pipeline.jar /app/wecom-pipeline.jar"));
        assertTrue(dockerfile.contains("FROM eclipse-temurin:17-jre"), "JRE 17 runtime image");
        assertTrue(dockerfile.contains("ENTRYPOINT [\"java\", \"-XX:MaxRAMPercentage=75\", \"-jar\", \"/app/wecom-pipeline.jar\"]"));
        // The jar the image copies is the one this build makes, with the launcher as its main class.
        String jar = System.getProperty("wecom.launcher.jar", ROOT.resolve("launcher/target/wecom-pipeline.jar").toString());
        assertTrue(jar.endsWith("launcher/target/wecom-pipeline.jar"), jar);
        String script = Files.readString(ROOT.resolve("bin/wecom-pipeline"));
        assertTrue(script.contains("launcher/target/wecom-pipeline.jar"), "bin/wecom-pipeline runs the same jar");
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
                boolean bootstrap = e.getKey().equals(KafkaConfig.BOOTSTRAP_SERVERS_ENV)
                        && value.equals("${COMPOSE_KAFKA_BOOTSTRAP_SERVERS:-kafka:9092}");
                assertTrue(!value.contains("${") || value.equals("${" + e.getKey() + ":-}") || bootstrap,
                        svc + ": " + e.getKey() + "=" + value);
            }
            // A secured cluster is reached by every service alike.
            assertTrue(environment(compose, svc).containsAll(List.of("KAFKA_PROPERTIES_SECURITY_PROTOCOL",
                    "KAFKA_PROPERTIES_SASL_JAAS_CONFIG", "KAFKA_PROPERTIES_SSL_TRUSTSTORE_LOCATION")), svc);
        }
        Set<String> ingress = environment(compose, "ingress");
        assertTrue(ingress.containsAll(List.of(AppConfig.CORP_ID_ENV, AppConfig.AGENT_ID_ENV, AppConfig.TOKEN_ENV,
                AppConfig.ENCODING_AES_KEY_ENV)), ingress::toString);
        assertFalse(ingress.contains(AppConfig.CORP_SECRET_ENV), "the ingress never calls WeCom's API");
        assertFalse(ingress.contains(OpenAiConfig.API_KEY_ENV));

        Set<String> reply = environment(compose, "reply-service");
        assertTrue(reply.containsAll(List.of(AppConfig.CORP_ID_ENV, AppConfig.CORP_SECRET_ENV, AppConfig.AGENT_ID_ENV,
                ReplyConfig.REQUEST_TIMEOUT_ENV)), reply::toString);
        assertFalse(reply.contains(OpenAiConfig.API_KEY_ENV));

        Set<String> worker = environment(compose, "agent-worker");
        // The worker fetches media with media/get (issue #14): it needs the app's credentials and the API base.
        assertTrue(worker.containsAll(List.of(AppConfig.CORP_ID_ENV, AppConfig.CORP_SECRET_ENV, AppConfig.AGENT_ID_ENV,
                ReplyConfig.WECOM_API_BASE_ENV)), worker::toString);
        assertTrue(worker.containsAll(List.of(WorkerConfig.AGENT_ENV, WorkerConfig.COMMAND_ENV, WorkerConfig.COMMAND_ENV_ENV,
                WorkerConfig.COMMAND_MAX_OUTPUT_BYTES_ENV, OpenAiConfig.BASE_URL_ENV, OpenAiConfig.API_KEY_ENV,
                ReplyConfig.FORMAT_ENV, dev.wecompipeline.config.MediaConfig.OPENAI_VISION_ENV,
                dev.wecompipeline.config.MediaConfig.MAX_IMAGE_BYTES_ENV)), worker::toString);

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
        assertLonger("reply-service", ReplyService.longestShutdown(ReplyConfig.DEFAULT_REQUEST_TIMEOUT), compose);
        // Callbacks in flight are bounded by WeCom's 5 s; the producer's close takes at most 5 s more.
        assertLonger("ingress", IngressConfig.WECOM_RESPONSE_DEADLINE.plusSeconds(5), compose);
    }

    private static void assertLonger(String svc, Duration own, JsonNode compose) {
        String text = compose.path("services").path(svc).path("stop_grace_period").asText();
        Matcher m = DURATION.matcher(text);
        assertTrue(m.matches(), svc + " stop_grace_period '" + text + "'");
        Duration grace = m.group(2).equals("s") ? Duration.ofSeconds(Long.parseLong(m.group(1)))
                : Duration.ofMinutes(Long.parseLong(m.group(1)));
        assertTrue(grace.compareTo(own) > 0, svc + ": stop_grace_period " + grace + " is not longer than its own " + own);
    }

    @Test
    void the_build_context_leaves_out_secrets_local_state_and_backups() throws Exception {
        Set<String> ignored = new TreeSet<>(Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList());
        assertTrue(ignored.containsAll(List.of(".env", "config.yaml", "data/", "**/*.bak")), ignored::toString);
    }
}
