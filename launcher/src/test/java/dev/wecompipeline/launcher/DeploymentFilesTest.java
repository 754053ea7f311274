package dev.wecompipeline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.wecompipeline.config.AppConfig;
import dev.wecompipeline.config.ConfigLoader;
import dev.wecompipeline.config.EngineConfig;
import dev.wecompipeline.config.IngressConfig;
import dev.wecompipeline.config.KafkaConfig;
import dev.wecompipeline.config.OpenAiConfig;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.config.ReplyConfig;
import dev.wecompipeline.config.WorkerConfig;
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
                OpenAiConfig.class, ReplyConfig.class, EngineConfig.class, PipelineConfig.class, ConfigLoader.class)) {
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
        JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile());
        Set<String> commands = WecomPipelineCommand.commandLine().getSubcommands().keySet();
        Set<String> known = configVariables();
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
                assertTrue(known.contains(name), service.getKey() + " sets unknown variable " + name);
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
}
