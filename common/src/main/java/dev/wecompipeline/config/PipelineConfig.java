package dev.wecompipeline.config;

import dev.wecompipeline.config.ConfigException.Problem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The whole effective configuration of one process, as {@link ConfigLoader} assembled it from
 * config.yaml and the environment.
 *
 * <p>Cross-field rules live here: app names are unique (they route callbacks), and each
 * (corp_id, agent_id) pair appears once (it identifies the app to WeCom). Whether apps are needed
 * at all depends on the command, so an empty list is valid until {@link #requireApps()}.
 *
 * <p>Example, at a composition root:
 * <pre>{@code
 * PipelineConfig config = ConfigLoader.load(System.getenv()).requireApps();
 * log.info("{}", config.describe());
 * }</pre>
 *
 * @param apps      the WeCom apps, in configuration order
 * @param ingress   ingress-service settings
 * @param kafka     cluster and topics
 * @param worker    agent-worker settings
 * @param openai    the {@code openai} agent's endpoint and model
 * @param hermes    the {@code hermes} agent's server
 * @param reply     reply-service settings
 * @param engine    the exactly-once engine's bounds, shared by worker and reply-service
 * @param dataDir   local state, including the embedded broker's log directory
 * @param kafkaPort port of the embedded broker; 0 picks a free port (tests only)
 * @param warnings  things that were fixed up or ignored while loading (never containing secrets)
 * @param media     the worker's media fetching and what agents get of it
 */
public record PipelineConfig(List<AppConfig> apps, IngressConfig ingress, KafkaConfig kafka, WorkerConfig worker,
                             OpenAiConfig openai, HermesConfig hermes, ReplyConfig reply, EngineConfig engine,
                             Path dataDir, int kafkaPort, List<String> warnings, MediaConfig media) {

    public static final String YAML_SECTION = "pipeline";

    /** The apps list, Hermes' key for multi-app routing. */
    public static final String APPS_YAML = IngressConfig.YAML_SECTION + ".apps";

    public static final Setting<Path> DATA_DIR = Setting.path("WECOM_PIPELINE_DATA_DIR", YAML_SECTION, "data_dir",
                    Path.of("./data"))
            .validatedBy(Validators.present()).doc("embedded broker storage and local state");
    public static final Setting<Integer> KAFKA_PORT = Setting.integer("WECOM_PIPELINE_KAFKA_PORT", YAML_SECTION,
                    "kafka_port", 9092)
            .validatedBy(Validators.port()).doc("embedded broker port");

    /** Every setting of this section, in the README's order. */
    public static final List<Setting<?>> SETTINGS = List.of(DATA_DIR, KAFKA_PORT);

    public PipelineConfig {
        apps = apps == null ? null : List.copyOf(apps);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        media = media == null ? MediaConfig.defaults() : media;
        List<Problem> out = new ArrayList<>();
        Validators.present(out, APPS_YAML, apps);
        Validators.present(out, IngressConfig.YAML_SECTION, ingress);
        Validators.present(out, KafkaConfig.YAML_SECTION, kafka);
        Validators.present(out, WorkerConfig.YAML_SECTION, worker);
        Validators.present(out, OpenAiConfig.YAML_SECTION, openai);
        Validators.present(out, HermesConfig.YAML_SECTION, hermes);
        Validators.present(out, ReplyConfig.YAML_SECTION, reply);
        if (apps != null) {
            out.addAll(problems(apps, IntStream.range(0, apps.size()).mapToObj(PipelineConfig::appKey).toList(),
                    dataDir, kafkaPort));
        }
        if (!out.isEmpty()) {
            throw new ConfigException(out);
        }
    }

    /** This configuration with other apps, e.g. a test's. */
    public PipelineConfig withApps(List<AppConfig> other) {
        return new PipelineConfig(other, ingress, kafka, worker, openai, hermes, reply, engine, dataDir, kafkaPort,
                warnings, media);
    }

    /** This configuration with other media settings. */
    public PipelineConfig withMedia(MediaConfig other) {
        return new PipelineConfig(apps, ingress, kafka, worker, openai, hermes, reply, engine, dataDir, kafkaPort,
                warnings, other);
    }

    /**
     * This configuration, if it has at least one app; for commands that talk to WeCom.
     *
     * @throws ConfigException naming the settings that define apps
     */
    public PipelineConfig requireApps() {
        if (apps.isEmpty()) {
            throw new ConfigException(String.join(", ", Setting.envNames(AppConfig.SETTINGS))
                    + " (or " + APPS_YAML + " in config.yaml)", "no WeCom app is configured; this command needs one");
        }
        return this;
    }

    /** The app called {@code name}, if configured. */
    public java.util.Optional<AppConfig> app(String name) {
        return apps.stream().filter(a -> a.name().equals(name)).findFirst();
    }

    /** Where the embedded broker keeps its log. */
    public Path kafkaDataDir() {
        return dataDir.resolve("kafka");
    }

    /** The effective configuration on one screen, secrets masked, with the load-time warnings at the end. */
    public String describe() {
        StringBuilder out = new StringBuilder(describeSettings());
        warnings.forEach(w -> out.append("  warning: ").append(w).append('\n'));
        return out.toString();
    }

    /**
     * The effective configuration without the warnings, for a log that states each warning on a
     * line of its own (so it is said once, at WARN level).
     */
    public String describeSettings() {
        StringBuilder out = new StringBuilder("wecom-pipeline configuration\n");
        out.append("  apps (").append(apps.size()).append("):").append(apps.isEmpty() ? " none\n" : "\n");
        apps.forEach(app -> out.append("    ").append(app.describe()).append('\n'));
        out.append("  ").append(ingress.describe().replace("\n", "\n  ")).append('\n');
        out.append("  ").append(kafka.describe());
        if (kafka.usesEmbeddedBroker()) {
            out.append(" (port ").append(kafkaPort).append(", data ").append(kafkaDataDir()).append(')');
        }
        out.append('\n');
        out.append("  ").append(worker.describe()).append('\n');
        if (worker.agent() == WorkerConfig.Agent.OPENAI) {
            out.append("  ").append(openai.describe()).append('\n');
        }
        if (worker.agent() == WorkerConfig.Agent.HERMES) {
            out.append("  ").append(hermes.describe()).append('\n');
        }
        out.append("  ").append(media.describe()).append('\n');
        out.append("  ").append(reply.describe()).append('\n');
        out.append("  ").append(engine.describe()).append('\n');
        out.append("  data dir: ").append(dataDir).append('\n');
        return out.toString();
    }

    /**
     * Cross-field problems, with each app named by {@code appKeys} (its YAML entry or variables),
     * so the loader can check what it has even when another section failed.
     */
    static List<Problem> problems(List<AppConfig> apps, List<String> appKeys, Path dataDir, int kafkaPort) {
        List<Problem> out = new ArrayList<>();
        Map<String, Integer> byName = new HashMap<>();
        Map<String, Integer> byAgent = new HashMap<>();
        for (int i = 0; i < apps.size(); i++) {
            AppConfig app = apps.get(i);
            Integer sameName = byName.putIfAbsent(app.name(), i);
            if (sameName != null) {
                out.add(new Problem(appKeys.get(i) + "." + AppConfig.NAME_YAML,
                        "duplicate app name '" + app.name() + "', already used by " + appKeys.get(sameName)));
            }
            Integer sameAgent = byAgent.putIfAbsent(app.corpId() + "/" + app.agentId(), i);
            if (sameAgent != null) {
                out.add(new Problem(appKeys.get(i) + "." + AppConfig.AGENT_ID.key(), app.name(),
                        "corp_id " + app.corpId() + " with agent_id " + app.agentId() + " is already configured as "
                                + appKeys.get(sameAgent) + " (" + apps.get(sameAgent).name() + ")"));
            }
        }
        DATA_DIR.check(out, dataDir);
        KAFKA_PORT.check(out, kafkaPort);
        return out;
    }

    private static String appKey(int index) {
        return APPS_YAML + "[" + index + "]";
    }
}
