package dev.wecompipeline.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.wecompipeline.config.ConfigException.Problem;
import dev.wecompipeline.config.SettingReader.Source;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Builds the {@link PipelineConfig} from config.yaml and environment variables; variables win.
 *
 * <pre>{@code
 * PipelineConfig config = ConfigLoader.load(System.getenv());   // throws ConfigException listing every mistake
 * }</pre>
 *
 * <p>The file is {@value #CONFIG_ENV} if set (it must exist), else {@value #DEFAULT_CONFIG_FILE}
 * in the working directory if present, else none. The file is Hermes-compatible: apps and
 * ingress settings sit under {@code platforms.wecom_callback.extra}, either as flat keys for one
 * app (named {@value AppConfig#DEFAULT_NAME}) or as an {@code apps} list, never both. The rest
 * has top-level sections.
 *
 * <p>Every setting is a {@link Setting} declared in its section's record and listed by
 * {@link SettingsCatalog}; the README's configuration table is generated from them
 * ({@link SettingsTable}). This class reads each section's declarations generically and builds
 * the record from the values, so a new setting needs no line here.
 *
 * <p>Lists take a YAML list or a comma-separated string. Booleans take true/false, 1/0, yes/no.
 * Durations take {@link Durations} syntax ({@code 30m}, {@code 500ms}, {@code PT30M}); a bare
 * number is in the setting's own unit. An empty variable counts as unset. App fields and secrets
 * are trimmed of surrounding whitespace with a warning (never showing the value), because a stray
 * space breaks WeCom's signature check. Unknown keys in the declared sections produce warnings,
 * not errors, since Hermes may know keys this version does not. Warnings are kept in
 * {@link PipelineConfig#warnings()} and not logged here: the caller says them once, the launcher
 * as log lines, {@code doctor} as its own check lines.
 */
public final class ConfigLoader {

    public static final String CONFIG_ENV = "WECOM_PIPELINE_CONFIG";
    public static final String DEFAULT_CONFIG_FILE = "config.yaml";

    private static final String EXTRA = IngressConfig.YAML_SECTION;
    private static final String APPS_KEY = "apps";

    private ConfigLoader() {
    }

    /**
     * Loads from {@code env} and the config file it points to ({@value #CONFIG_ENV}, else
     * {@value #DEFAULT_CONFIG_FILE} in the working directory if present).
     *
     * @throws ConfigException listing every problem found
     */
    public static PipelineConfig load(Map<String, String> env) {
        return load(env, configFile(env, Paths.get("").toAbsolutePath()));
    }

    /**
     * Loads from {@code env} and {@code yamlFile}, which must exist if given.
     *
     * @throws ConfigException listing every problem found
     */
    public static PipelineConfig load(Map<String, String> env, Optional<Path> yamlFile) {
        List<Problem> problems = new ArrayList<>();
        JsonNode root = yamlFile.map(file -> Files.isRegularFile(file) ? YamlTree.read(file, problems) : missing(file, problems))
                .orElse(MissingNode.getInstance());
        SettingReader in = new SettingReader(env, root, problems);
        markNestedSections(in);

        List<AppConfig> apps = new ArrayList<>();
        List<String> appKeys = new ArrayList<>();
        readApps(in, apps, appKeys);
        IngressConfig ingress = build(in, () -> IngressConfig.from(SettingValues.read(in, IngressConfig.SETTINGS)));
        KafkaConfig kafka = build(in, () -> KafkaConfig.from(SettingValues.read(in, KafkaConfig.SETTINGS),
                KafkaClientProperties.read(in.plainMapping(KafkaConfig.YAML_SECTION, KafkaClientProperties.YAML_KEY),
                        in.envWithPrefix(KafkaClientProperties.ENV_PREFIX), in::problem, in::warn)));
        if (kafka != null && kafka.usesEmbeddedBroker() && !kafka.clientProperties().isEmpty()) {
            in.warn(KafkaClientProperties.ENV_PREFIX + "* / kafka.properties are ignored: without "
                    + KafkaConfig.BOOTSTRAP_SERVERS.env() + " all-in-one runs its own plain loopback broker");
        }
        WorkerConfig worker = build(in, () -> WorkerConfig.from(SettingValues.read(in, WorkerConfig.SETTINGS)));
        OpenAiConfig openai = build(in, () -> OpenAiConfig.from(SettingValues.read(in, OpenAiConfig.SETTINGS)));
        HermesConfig hermes = build(in, () -> HermesConfig.from(SettingValues.read(in, HermesConfig.SETTINGS)));
        MediaConfig media = build(in, () -> MediaConfig.from(SettingValues.read(in, MediaConfig.SETTINGS)));
        ReplyConfig reply = build(in, () -> ReplyConfig.from(SettingValues.read(in, ReplyConfig.SETTINGS)));
        EngineConfig engine = build(in, () -> EngineConfig.from(SettingValues.read(in, EngineConfig.SETTINGS)));
        SettingValues pipeline = SettingValues.read(in, PipelineConfig.SETTINGS);
        Path dataDir = pipeline.get(PipelineConfig.DATA_DIR);
        int kafkaPort = pipeline.get(PipelineConfig.KAFKA_PORT);
        // Cross-field checks run on whatever was valid, so they are reported alongside the rest.
        PipelineConfig.problems(apps, appKeys, dataDir, kafkaPort).forEach(p -> problems.add(in.relabel(p)));

        for (String section : SettingsCatalog.sections()) {
            in.warnUnreadKeys(in.section(section), section);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        List<String> warnings = in.warnings();
        return new PipelineConfig(apps, ingress, kafka, worker, openai, hermes, reply, engine, dataDir, kafkaPort,
                warnings, media);
    }

    /** The config file to read: {@value #CONFIG_ENV} (must exist) or {@value #DEFAULT_CONFIG_FILE} if present. */
    static Optional<Path> configFile(Map<String, String> env, Path workingDir) {
        String configured = env.get(CONFIG_ENV);
        if (configured != null && !configured.isBlank()) {
            Path file = workingDir.resolve(configured.strip());
            if (!Files.isRegularFile(file)) {
                throw new ConfigException(CONFIG_ENV, "file not found: " + file);
            }
            return Optional.of(file);
        }
        Path fallback = workingDir.resolve(DEFAULT_CONFIG_FILE);
        return Files.isRegularFile(fallback) ? Optional.of(fallback) : Optional.empty();
    }

    private static JsonNode missing(Path file, List<Problem> problems) {
        problems.add(new Problem(file.toString(), "file not found"));
        return MissingNode.getInstance();
    }

    /** Runs a record constructor, turning its problems into problems named after their source. */
    private static <T> T build(SettingReader in, Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (ConfigException e) {
            e.details().forEach(p -> in.problem(in.relabel(p)));
            return null;
        }
    }

    /** A section nested in another ({@code worker.openai}) is a key its parent's unknown-key check must not flag. */
    private static void markNestedSections(SettingReader in) {
        Set<String> sections = SettingsCatalog.sections();
        for (String section : sections) {
            int dot = section.lastIndexOf('.');
            if (dot > 0 && sections.contains(section.substring(0, dot))) {
                in.markRead(in.section(section.substring(0, dot)), section.substring(dot + 1));
            }
        }
    }

    private static void readApps(SettingReader in, List<AppConfig> apps, List<String> appKeys) {
        JsonNode extra = in.section(EXTRA);
        JsonNode list = extra.path(APPS_KEY);
        in.markRead(extra, APPS_KEY);
        List<String> envSet = AppConfig.SETTINGS.stream().map(Setting::env).filter(in::hasEnv).toList();
        List<String> flatSet = AppConfig.SETTINGS.stream().map(Setting::key)
                .filter(k -> !extra.path(k).isMissingNode() && !extra.path(k).isNull())
                .map(k -> EXTRA + "." + k).toList();

        if (list.isMissingNode() || list.isNull()) {
            if (!envSet.isEmpty() || !flatSet.isEmpty()) {
                readSingleApp(in, apps, appKeys);
            }
            return;
        }
        if (!envSet.isEmpty()) {
            in.problem(new Problem(String.join(", ", envSet), "set together with " + PipelineConfig.APPS_YAML
                    + " in the config file; define apps either by these variables (one app) or by the list"));
        }
        if (!flatSet.isEmpty()) {
            in.problem(new Problem(String.join(", ", flatSet), "set together with " + PipelineConfig.APPS_YAML
                    + "; move them into an entry of the list"));
        }
        if (!list.isArray()) {
            in.problem(new Problem(PipelineConfig.APPS_YAML, "must be a list of apps"));
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            readListedApp(in, list.get(i), PipelineConfig.APPS_YAML + "[" + i + "]", apps, appKeys);
        }
    }

    private static void readListedApp(SettingReader in, JsonNode entry, String key, List<AppConfig> apps,
                                      List<String> appKeys) {
        if (!entry.isObject()) {
            in.problem(new Problem(key, "must be a mapping with name, corp_id, corp_secret, agent_id, token, "
                    + "encoding_aes_key"));
            return;
        }
        String name = in.text(new Source(null, entry, AppConfig.NAME_YAML, key + "." + AppConfig.NAME_YAML), null, true);
        String[] values = AppConfig.SETTINGS.stream()
                .map(f -> in.text(new Source(null, entry, f.key(), key + "." + f.key()), null, true))
                .toArray(String[]::new);
        in.warnUnreadKeys(entry, key);
        try {
            apps.add(new AppConfig(name, values[0], values[1], values[2], values[3], values[4]));
            appKeys.add(key);
        } catch (ConfigException e) {
            e.details().forEach(p -> in.problem(p.withKey(key + "." + p.key())));
        }
    }

    private static void readSingleApp(SettingReader in, List<AppConfig> apps, List<String> appKeys) {
        List<Source> sources = AppConfig.SETTINGS.stream().map(f -> in.at(f.env(), f.section(), f.key())).toList();
        String[] values = sources.stream().map(s -> in.text(s, null, true)).toArray(String[]::new);
        try {
            apps.add(new AppConfig(AppConfig.DEFAULT_NAME, values[0], values[1], values[2], values[3], values[4]));
            appKeys.add("WECOM_CALLBACK_*");
        } catch (ConfigException e) {
            for (Problem p : e.details()) {
                Source source = sources.stream().filter(s -> s.key().equals(p.key())).findFirst().orElseThrow();
                boolean given = values[sources.indexOf(source)] != null;
                // A missing value could go in either place, so name both.
                String key = given ? in.label(source) : source.envName() + " (or " + source.yamlLabel() + ")";
                in.problem(new Problem(key, p.message()));
            }
        }
    }
}
