package dev.wecompipeline.config;

import static java.time.temporal.ChronoUnit.HOURS;
import static java.time.temporal.ChronoUnit.MILLIS;
import static java.time.temporal.ChronoUnit.SECONDS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.wecompipeline.config.ConfigException.Problem;
import dev.wecompipeline.config.SettingReader.Source;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
 * has top-level sections. Every key:
 *
 * <table>
 * <caption>Settings: YAML key, environment variable, default</caption>
 * <tr><th>YAML key</th><th>variable</th><th>default</th></tr>
 * <tr><td colspan="3"><b>platforms.wecom_callback.extra</b> (ingress and apps; see {@link IngressConfig})</td></tr>
 * <tr><td>corp_id, corp_secret, agent_id, token, encoding_aes_key</td>
 *     <td>WECOM_CALLBACK_CORP_ID, _CORP_SECRET, _AGENT_ID, _TOKEN, _ENCODING_AES_KEY</td><td>-</td></tr>
 * <tr><td>apps: [{name, corp_id, corp_secret, agent_id, token, encoding_aes_key}]</td><td>-</td><td>-</td></tr>
 * <tr><td>host</td><td>WECOM_CALLBACK_HOST</td><td>0.0.0.0</td></tr>
 * <tr><td>port</td><td>WECOM_CALLBACK_PORT</td><td>8645</td></tr>
 * <tr><td>path</td><td>WECOM_CALLBACK_PATH</td><td>/wecom/callback</td></tr>
 * <tr><td>per_app_paths</td><td>WECOM_CALLBACK_PER_APP_PATHS</td><td>true</td></tr>
 * <tr><td>max_body_bytes</td><td>WECOM_CALLBACK_MAX_BODY_BYTES</td><td>65536</td></tr>
 * <tr><td>allowed_source_cidrs</td><td>WECOM_CALLBACK_ALLOWED_SOURCE_CIDRS</td><td>empty: any source</td></tr>
 * <tr><td>trusted_proxies</td><td>WECOM_CALLBACK_TRUSTED_PROXIES</td><td>empty</td></tr>
 * <tr><td>allowed_users</td><td>WECOM_CALLBACK_ALLOWED_USERS</td><td>empty: nobody</td></tr>
 * <tr><td>allow_all_users</td><td>WECOM_CALLBACK_ALLOW_ALL_USERS</td><td>false</td></tr>
 * <tr><td>timestamp_window_seconds</td><td>WECOM_CALLBACK_TIMESTAMP_WINDOW_SECONDS</td><td>300 (0: off)</td></tr>
 * <tr><td>ack_timeout_ms</td><td>WECOM_CALLBACK_ACK_TIMEOUT_MS</td><td>3000 (below 5000)</td></tr>
 * <tr><td>dedupe_ttl_seconds</td><td>WECOM_CALLBACK_DEDUPE_TTL_SECONDS</td><td>300</td></tr>
 * <tr><td>drop_events</td><td>WECOM_CALLBACK_DROP_EVENTS</td><td>enter_agent, subscribe</td></tr>
 * <tr><td>access_denied_reply</td><td>WECOM_CALLBACK_ACCESS_DENIED_REPLY</td><td>none</td></tr>
 * <tr><td>public_url</td><td>WECOM_CALLBACK_PUBLIC_URL</td><td>none (doctor checks it when set)</td></tr>
 * <tr><td>ops_port</td><td>WECOM_CALLBACK_OPS_PORT</td><td>unset: ops endpoints on the callback port</td></tr>
 * <tr><td>idle_timeout</td><td>WECOM_CALLBACK_IDLE_TIMEOUT</td><td>10s (longer than ack_timeout_ms)</td></tr>
 * <tr><td>min_data_rate</td><td>WECOM_CALLBACK_MIN_DATA_RATE</td><td>1024 bytes/s (0: off)</td></tr>
 * <tr><td>max_connections</td><td>WECOM_CALLBACK_MAX_CONNECTIONS</td><td>512 (0: no limit)</td></tr>
 * <tr><td colspan="3"><b>kafka</b> ({@link KafkaConfig})</td></tr>
 * <tr><td>bootstrap_servers</td><td>KAFKA_BOOTSTRAP_SERVERS</td><td>embedded broker</td></tr>
 * <tr><td>inbound_topic, replies_topic, replies_dlq_topic, inbound_dlq_topic, sessions_topic, delivered_topic</td>
 *     <td>KAFKA_TOPIC_INBOUND, _REPLIES, _REPLIES_DLQ, _INBOUND_DLQ, _SESSIONS, _DELIVERED</td>
 *     <td>wecom.inbound, wecom.replies, wecom.replies.dlq, wecom.inbound.dlq, wecom.sessions,
 *     wecom.replies.delivered</td></tr>
 * <tr><td>partitions</td><td>KAFKA_TOPIC_PARTITIONS</td><td>12</td></tr>
 * <tr><td>replication_factor</td><td>KAFKA_TOPIC_REPLICATION_FACTOR</td><td>1</td></tr>
 * <tr><td>retention_hours</td><td>KAFKA_TOPIC_RETENTION_HOURS</td><td>168 (7 days)</td></tr>
 * <tr><td colspan="3"><b>worker</b> ({@link WorkerConfig})</td></tr>
 * <tr><td>port</td><td>WORKER_PORT</td><td>8646</td></tr>
 * <tr><td>concurrency</td><td>WORKER_CONCURRENCY</td><td>64</td></tr>
 * <tr><td>agent</td><td>AGENT</td><td>echo (or openai, command, hermes)</td></tr>
 * <tr><td>echo_delay_ms</td><td>AGENT_ECHO_DELAY_MS</td><td>0</td></tr>
 * <tr><td>agent_timeout</td><td>AGENT_TIMEOUT</td><td>30m (bare number: seconds)</td></tr>
 * <tr><td>group_id</td><td>WORKER_GROUP_ID</td><td>wecom-agent-workers</td></tr>
 * <tr><td>history_turns</td><td>AGENT_HISTORY_TURNS</td><td>10</td></tr>
 * <tr><td>apology</td><td>AGENT_APOLOGY</td><td>Sorry, something went wrong ...</td></tr>
 * <tr><td>command</td><td>AGENT_COMMAND</td><td>none (list, or words separated by whitespace)</td></tr>
 * <tr><td>session_timeout_ms</td><td>WORKER_SESSION_TIMEOUT_MS</td><td>45000 (bare number: ms)</td></tr>
 * <tr><td>answer_max_chars</td><td>AGENT_ANSWER_MAX_CHARS</td><td>16000 (a longer answer is cut and says so)</td></tr>
 * <tr><td>command_env</td><td>AGENT_COMMAND_ENV</td><td>none (names passed to the command agent besides PATH, HOME, LANG)</td></tr>
 * <tr><td>command_max_output_bytes</td><td>AGENT_COMMAND_MAX_OUTPUT_BYTES</td><td>1048576 (stdout kept; beyond it the program is stopped)</td></tr>
 * <tr><td>history_max_bytes</td><td>AGENT_HISTORY_MAX_BYTES</td><td>262144 (oldest turns go first)</td></tr>
 * <tr><td>progress_notice_after</td><td>AGENT_PROGRESS_NOTICE_AFTER</td><td>0 (off; bare number: seconds)</td></tr>
 * <tr><td>progress_notice</td><td>AGENT_PROGRESS_NOTICE</td><td>收到，正在处理，请稍候…</td></tr>
 * <tr><td>openai.base_url</td><td>OPENAI_BASE_URL</td><td>none (required for openai)</td></tr>
 * <tr><td>openai.model</td><td>OPENAI_MODEL</td><td>gpt-4o-mini</td></tr>
 * <tr><td>openai.api_key</td><td>OPENAI_API_KEY</td><td>none</td></tr>
 * <tr><td>openai.system_prompt</td><td>OPENAI_SYSTEM_PROMPT</td><td>a short helpful-assistant prompt</td></tr>
 * <tr><td>openai.temperature</td><td>OPENAI_TEMPERATURE</td><td>0.7</td></tr>
 * <tr><td>openai.max_tokens</td><td>OPENAI_MAX_TOKENS</td><td>1024</td></tr>
 * <tr><td>openai.timeout</td><td>OPENAI_TIMEOUT</td><td>5m (bare number: seconds)</td></tr>
 * <tr><td>hermes.base_url</td><td>HERMES_BASE_URL</td><td>http://127.0.0.1:8642</td></tr>
 * <tr><td>hermes.api_key</td><td>HERMES_API_KEY</td><td>none (secret)</td></tr>
 * <tr><td>hermes.poll_interval</td><td>HERMES_POLL_INTERVAL</td><td>1s (bare number: ms)</td></tr>
 * <tr><td>media.openai_vision</td><td>OPENAI_VISION</td><td>false</td></tr>
 * <tr><td>media.max_image_bytes, _voice_, _video_, _file_</td><td>MEDIA_MAX_IMAGE_BYTES, ...</td><td>10 MiB, 2 MiB, 10 MiB, 20 MiB</td></tr>
 * <tr><td>media.agent_media_hosts</td><td>AGENT_MEDIA_HOSTS</td><td>empty: no image link is fetched</td></tr>
 * <tr><td>media.agent_media_fetch_timeout</td><td>AGENT_MEDIA_FETCH_TIMEOUT</td><td>30s (bare number: seconds)</td></tr>
 * <tr><td colspan="3"><b>reply</b> ({@link ReplyConfig})</td></tr>
 * <tr><td>port</td><td>REPLY_PORT</td><td>8647</td></tr>
 * <tr><td>wecom_api_base</td><td>WECOM_API_BASE</td><td>https://qyapi.weixin.qq.com</td></tr>
 * <tr><td>per_user_per_minute, per_user_per_hour</td><td>REPLY_PER_USER_PER_MINUTE, _PER_HOUR</td><td>30, 1000</td></tr>
 * <tr><td>format</td><td>REPLY_FORMAT</td><td>text (or markdown)</td></tr>
 * <tr><td>max_chunk_bytes</td><td>REPLY_MAX_CHUNK_BYTES</td><td>2048</td></tr>
 * <tr><td>duplicate_check_interval_seconds</td><td>REPLY_DUPLICATE_CHECK_INTERVAL_SECONDS</td><td>1800</td></tr>
 * <tr><td>group_id</td><td>REPLY_GROUP_ID</td><td>wecom-reply-service</td></tr>
 * <tr><td>concurrency</td><td>REPLY_CONCURRENCY</td><td>32 (WeCom calls in flight)</td></tr>
 * <tr><td>max_attempts, max_retry_duration</td><td>REPLY_MAX_ATTEMPTS, REPLY_MAX_RETRY_DURATION</td><td>8, 5m</td></tr>
 * <tr><td>retry_initial_backoff, retry_max_backoff</td><td>REPLY_RETRY_INITIAL_BACKOFF, REPLY_RETRY_MAX_BACKOFF</td>
 *     <td>500ms, 30s</td></tr>
 * <tr><td>freq_limit_backoff</td><td>REPLY_FREQ_LIMIT_BACKOFF</td><td>60s (after 45009, per app)</td></tr>
 * <tr><td>app_sends_per_second</td><td>REPLY_APP_SENDS_PER_SECOND</td><td>0 (off)</td></tr>
 * <tr><td>minute_window, hour_window</td><td>REPLY_MINUTE_WINDOW, REPLY_HOUR_WINDOW</td><td>60s, 1h</td></tr>
 * <tr><td>token_refresh_margin</td><td>REPLY_TOKEN_REFRESH_MARGIN</td><td>300s</td></tr>
 * <tr><td>request_timeout</td><td>REPLY_REQUEST_TIMEOUT</td><td>10s</td></tr>
 * <tr><td>session_timeout_ms</td><td>REPLY_SESSION_TIMEOUT_MS</td><td>45000 (bare number: ms)</td></tr>
 * <tr><td colspan="3"><b>engine</b> ({@link EngineConfig}, worker and reply-service)</td></tr>
 * <tr><td>stall_timeout</td><td>ENGINE_STALL_TIMEOUT</td><td>2m (bare number: seconds)</td></tr>
 * <tr><td>offset_metadata_max_bytes</td><td>ENGINE_OFFSET_METADATA_MAX_BYTES</td><td>4096 (the brokers' offset.metadata.max.bytes)</td></tr>
 * <tr><td>max_queued_per_key</td><td>ENGINE_MAX_QUEUED_PER_KEY</td><td>100</td></tr>
 * <tr><td>max_held_per_partition</td><td>ENGINE_MAX_HELD_PER_PARTITION</td><td>10000</td></tr>
 * <tr><td colspan="3"><b>pipeline</b> ({@link PipelineConfig})</td></tr>
 * <tr><td>data_dir</td><td>WECOM_PIPELINE_DATA_DIR</td><td>./data</td></tr>
 * <tr><td>kafka_port</td><td>WECOM_PIPELINE_KAFKA_PORT</td><td>9092</td></tr>
 * </table>
 *
 * <p>Lists take a YAML list or a comma-separated string. Booleans take true/false, 1/0, yes/no.
 * Durations take {@link Durations} syntax ({@code 30m}, {@code 500ms}, {@code PT30M}); a bare
 * number is in the unit the key names. An empty variable counts as unset. App fields are trimmed
 * of surrounding whitespace with a warning (never showing the value), because a stray space breaks
 * WeCom's signature check. Unknown keys in the sections above produce warnings, not errors, since
 * Hermes may know keys this version does not. Warnings are kept in {@link PipelineConfig#warnings()}
 * and not logged here: the caller says them once, the launcher as log lines, {@code doctor} as
 * its own check lines.
 */
public final class ConfigLoader {

    public static final String CONFIG_ENV = "WECOM_PIPELINE_CONFIG";
    public static final String DEFAULT_CONFIG_FILE = "config.yaml";

    private static final String EXTRA = IngressConfig.YAML_SECTION;
    private static final String APPS_KEY = "apps";

    /** App fields in YAML order, each with its single-app variable. */
    private static final List<String[]> APP_FIELDS = List.of(
            new String[] {AppConfig.CORP_ID_YAML, AppConfig.CORP_ID_ENV},
            new String[] {AppConfig.CORP_SECRET_YAML, AppConfig.CORP_SECRET_ENV},
            new String[] {AppConfig.AGENT_ID_YAML, AppConfig.AGENT_ID_ENV},
            new String[] {AppConfig.TOKEN_YAML, AppConfig.TOKEN_ENV},
            new String[] {AppConfig.ENCODING_AES_KEY_YAML, AppConfig.ENCODING_AES_KEY_ENV});

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

        List<AppConfig> apps = new ArrayList<>();
        List<String> appKeys = new ArrayList<>();
        readApps(in, apps, appKeys);
        IngressConfig ingress = build(in, () -> readIngress(in));
        KafkaConfig kafka = build(in, () -> readKafka(in));
        if (kafka != null && kafka.usesEmbeddedBroker() && !kafka.clientProperties().isEmpty()) {
            in.warn(KafkaClientProperties.ENV_PREFIX + "* / kafka.properties are ignored: without "
                    + KafkaConfig.BOOTSTRAP_SERVERS_ENV + " all-in-one runs its own plain loopback broker");
        }
        WorkerConfig worker = build(in, () -> readWorker(in));
        OpenAiConfig openai = build(in, () -> readOpenAi(in));
        HermesConfig hermes = build(in, () -> readHermes(in));
        MediaConfig media = build(in, () -> readMedia(in));
        ReplyConfig reply = build(in, () -> readReply(in));
        EngineConfig engine = build(in, () -> readEngine(in));
        Path dataDir = in.path(in.at(PipelineConfig.DATA_DIR_ENV, PipelineConfig.YAML_SECTION,
                PipelineConfig.DATA_DIR_YAML), PipelineConfig.DEFAULT_DATA_DIR);
        int kafkaPort = in.integer(in.at(PipelineConfig.KAFKA_PORT_ENV, PipelineConfig.YAML_SECTION,
                PipelineConfig.KAFKA_PORT_YAML), PipelineConfig.DEFAULT_KAFKA_PORT);
        // Cross-field checks run on whatever was valid, so they are reported alongside the rest.
        PipelineConfig.problems(apps, appKeys, dataDir, kafkaPort).forEach(p -> problems.add(in.relabel(p)));

        for (String section : List.of(EXTRA, KafkaConfig.YAML_SECTION, WorkerConfig.YAML_SECTION,
                OpenAiConfig.YAML_SECTION, HermesConfig.YAML_SECTION, MediaConfig.YAML_SECTION, ReplyConfig.YAML_SECTION,
                EngineConfig.YAML_SECTION,
                PipelineConfig.YAML_SECTION)) {
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

    private static void readApps(SettingReader in, List<AppConfig> apps, List<String> appKeys) {
        JsonNode extra = in.section(EXTRA);
        JsonNode list = extra.path(APPS_KEY);
        in.markRead(extra, APPS_KEY);
        List<String> envSet = APP_FIELDS.stream().map(f -> f[1]).filter(in::hasEnv).toList();
        List<String> flatSet = APP_FIELDS.stream().map(f -> f[0])
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
        String[] values = APP_FIELDS.stream()
                .map(f -> in.text(new Source(null, entry, f[0], key + "." + f[0]), null, true))
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
        List<Source> sources = APP_FIELDS.stream().map(f -> in.at(f[1], EXTRA, f[0])).toList();
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

    private static IngressConfig readIngress(SettingReader in) {
        return new IngressConfig(
                in.string(in.at(IngressConfig.HOST_ENV, EXTRA, IngressConfig.HOST_YAML), IngressConfig.DEFAULT_HOST),
                in.integer(in.at(IngressConfig.PORT_ENV, EXTRA, IngressConfig.PORT_YAML), IngressConfig.DEFAULT_PORT),
                in.string(in.at(IngressConfig.PATH_ENV, EXTRA, IngressConfig.PATH_YAML), IngressConfig.DEFAULT_PATH),
                in.bool(in.at(IngressConfig.PER_APP_PATHS_ENV, EXTRA, IngressConfig.PER_APP_PATHS_YAML),
                        IngressConfig.DEFAULT_PER_APP_PATHS),
                in.integer(in.at(IngressConfig.MAX_BODY_BYTES_ENV, EXTRA, IngressConfig.MAX_BODY_BYTES_YAML),
                        IngressConfig.DEFAULT_MAX_BODY_BYTES),
                in.list(in.at(IngressConfig.ALLOWED_SOURCE_CIDRS_ENV, EXTRA, IngressConfig.ALLOWED_SOURCE_CIDRS_YAML),
                        IngressConfig.DEFAULT_ALLOWED_SOURCE_CIDRS),
                in.list(in.at(IngressConfig.TRUSTED_PROXIES_ENV, EXTRA, IngressConfig.TRUSTED_PROXIES_YAML),
                        IngressConfig.DEFAULT_TRUSTED_PROXIES),
                new HashSet<>(in.list(in.at(IngressConfig.ALLOWED_USERS_ENV, EXTRA, IngressConfig.ALLOWED_USERS_YAML),
                        List.copyOf(IngressConfig.DEFAULT_ALLOWED_USERS))),
                in.bool(in.at(IngressConfig.ALLOW_ALL_USERS_ENV, EXTRA, IngressConfig.ALLOW_ALL_USERS_YAML),
                        IngressConfig.DEFAULT_ALLOW_ALL_USERS),
                in.duration(in.at(IngressConfig.TIMESTAMP_WINDOW_ENV, EXTRA, IngressConfig.TIMESTAMP_WINDOW_YAML),
                        IngressConfig.DEFAULT_TIMESTAMP_WINDOW, SECONDS),
                in.duration(in.at(IngressConfig.ACK_TIMEOUT_ENV, EXTRA, IngressConfig.ACK_TIMEOUT_YAML),
                        IngressConfig.DEFAULT_ACK_TIMEOUT, MILLIS),
                in.duration(in.at(IngressConfig.DEDUPE_TTL_ENV, EXTRA, IngressConfig.DEDUPE_TTL_YAML),
                        IngressConfig.DEFAULT_DEDUPE_TTL, SECONDS),
                new HashSet<>(in.list(in.at(IngressConfig.DROP_EVENTS_ENV, EXTRA, IngressConfig.DROP_EVENTS_YAML),
                        List.copyOf(IngressConfig.DEFAULT_DROP_EVENTS))),
                in.string(in.at(IngressConfig.ACCESS_DENIED_REPLY_ENV, EXTRA, IngressConfig.ACCESS_DENIED_REPLY_YAML),
                        IngressConfig.DEFAULT_ACCESS_DENIED_REPLY),
                in.string(in.at(IngressConfig.PUBLIC_URL_ENV, EXTRA, IngressConfig.PUBLIC_URL_YAML),
                        IngressConfig.DEFAULT_PUBLIC_URL),
                in.integer(in.at(IngressConfig.OPS_PORT_ENV, EXTRA, IngressConfig.OPS_PORT_YAML),
                        IngressConfig.DEFAULT_OPS_PORT),
                in.duration(in.at(IngressConfig.IDLE_TIMEOUT_ENV, EXTRA, IngressConfig.IDLE_TIMEOUT_YAML),
                        IngressConfig.DEFAULT_IDLE_TIMEOUT, SECONDS),
                in.integer(in.at(IngressConfig.MIN_DATA_RATE_ENV, EXTRA, IngressConfig.MIN_DATA_RATE_YAML),
                        IngressConfig.DEFAULT_MIN_DATA_RATE),
                in.integer(in.at(IngressConfig.MAX_CONNECTIONS_ENV, EXTRA, IngressConfig.MAX_CONNECTIONS_YAML),
                        IngressConfig.DEFAULT_MAX_CONNECTIONS));
    }

    private static KafkaConfig readKafka(SettingReader in) {
        String s = KafkaConfig.YAML_SECTION;
        return new KafkaConfig(
                in.string(in.at(KafkaConfig.BOOTSTRAP_SERVERS_ENV, s, KafkaConfig.BOOTSTRAP_SERVERS_YAML),
                        KafkaConfig.DEFAULT_BOOTSTRAP_SERVERS),
                in.string(in.at(KafkaConfig.INBOUND_TOPIC_ENV, s, KafkaConfig.INBOUND_TOPIC_YAML),
                        KafkaConfig.DEFAULT_INBOUND_TOPIC),
                in.string(in.at(KafkaConfig.REPLIES_TOPIC_ENV, s, KafkaConfig.REPLIES_TOPIC_YAML),
                        KafkaConfig.DEFAULT_REPLIES_TOPIC),
                in.string(in.at(KafkaConfig.REPLIES_DLQ_TOPIC_ENV, s, KafkaConfig.REPLIES_DLQ_TOPIC_YAML),
                        KafkaConfig.DEFAULT_REPLIES_DLQ_TOPIC),
                in.string(in.at(KafkaConfig.INBOUND_DLQ_TOPIC_ENV, s, KafkaConfig.INBOUND_DLQ_TOPIC_YAML),
                        KafkaConfig.DEFAULT_INBOUND_DLQ_TOPIC),
                in.string(in.at(KafkaConfig.SESSIONS_TOPIC_ENV, s, KafkaConfig.SESSIONS_TOPIC_YAML),
                        KafkaConfig.DEFAULT_SESSIONS_TOPIC),
                in.string(in.at(KafkaConfig.DELIVERED_TOPIC_ENV, s, KafkaConfig.DELIVERED_TOPIC_YAML),
                        KafkaConfig.DEFAULT_DELIVERED_TOPIC),
                in.integer(in.at(KafkaConfig.PARTITIONS_ENV, s, KafkaConfig.PARTITIONS_YAML),
                        KafkaConfig.DEFAULT_PARTITIONS),
                in.shortInteger(in.at(KafkaConfig.REPLICATION_FACTOR_ENV, s, KafkaConfig.REPLICATION_FACTOR_YAML),
                        KafkaConfig.DEFAULT_REPLICATION_FACTOR),
                in.duration(in.at(KafkaConfig.RETENTION_ENV, s, KafkaConfig.RETENTION_YAML),
                        KafkaConfig.DEFAULT_RETENTION, HOURS),
                KafkaClientProperties.read(in.plainMapping(s, KafkaClientProperties.YAML_KEY),
                        in.envWithPrefix(KafkaClientProperties.ENV_PREFIX), in::problem, in::warn));
    }

    private static EngineConfig readEngine(SettingReader in) {
        String s = EngineConfig.YAML_SECTION;
        return new EngineConfig(
                in.duration(in.at(EngineConfig.STALL_TIMEOUT_ENV, s, EngineConfig.STALL_TIMEOUT_YAML),
                        EngineConfig.DEFAULT_STALL_TIMEOUT, SECONDS),
                in.integer(in.at(EngineConfig.OFFSET_METADATA_MAX_BYTES_ENV, s, EngineConfig.OFFSET_METADATA_MAX_BYTES_YAML),
                        EngineConfig.DEFAULT_OFFSET_METADATA_MAX_BYTES),
                in.integer(in.at(EngineConfig.MAX_QUEUED_PER_KEY_ENV, s, EngineConfig.MAX_QUEUED_PER_KEY_YAML),
                        EngineConfig.DEFAULT_MAX_QUEUED_PER_KEY),
                in.integer(in.at(EngineConfig.MAX_HELD_PER_PARTITION_ENV, s, EngineConfig.MAX_HELD_PER_PARTITION_YAML),
                        EngineConfig.DEFAULT_MAX_HELD_PER_PARTITION));
    }

    private static WorkerConfig readWorker(SettingReader in) {
        String s = WorkerConfig.YAML_SECTION;
        return new WorkerConfig(
                in.integer(in.at(WorkerConfig.PORT_ENV, s, WorkerConfig.PORT_YAML), WorkerConfig.DEFAULT_PORT),
                in.integer(in.at(WorkerConfig.CONCURRENCY_ENV, s, WorkerConfig.CONCURRENCY_YAML),
                        WorkerConfig.DEFAULT_CONCURRENCY),
                in.choice(in.at(WorkerConfig.AGENT_ENV, s, WorkerConfig.AGENT_YAML), WorkerConfig.DEFAULT_AGENT,
                        WorkerConfig.Agent.class),
                in.duration(in.at(WorkerConfig.ECHO_DELAY_ENV, s, WorkerConfig.ECHO_DELAY_YAML),
                        WorkerConfig.DEFAULT_ECHO_DELAY, MILLIS),
                in.duration(in.at(WorkerConfig.AGENT_TIMEOUT_ENV, s, WorkerConfig.AGENT_TIMEOUT_YAML),
                        WorkerConfig.DEFAULT_AGENT_TIMEOUT, SECONDS),
                in.string(in.at(WorkerConfig.GROUP_ID_ENV, s, WorkerConfig.GROUP_ID_YAML), WorkerConfig.DEFAULT_GROUP_ID),
                in.integer(in.at(WorkerConfig.HISTORY_TURNS_ENV, s, WorkerConfig.HISTORY_TURNS_YAML),
                        WorkerConfig.DEFAULT_HISTORY_TURNS),
                in.string(in.at(WorkerConfig.APOLOGY_ENV, s, WorkerConfig.APOLOGY_YAML), WorkerConfig.DEFAULT_APOLOGY),
                in.words(in.at(WorkerConfig.COMMAND_ENV, s, WorkerConfig.COMMAND_YAML), WorkerConfig.DEFAULT_COMMAND),
                in.duration(in.at(WorkerConfig.SESSION_TIMEOUT_ENV, s, WorkerConfig.SESSION_TIMEOUT_YAML),
                        WorkerConfig.DEFAULT_SESSION_TIMEOUT, MILLIS),
                in.integer(in.at(WorkerConfig.ANSWER_MAX_CHARS_ENV, s, WorkerConfig.ANSWER_MAX_CHARS_YAML),
                        WorkerConfig.DEFAULT_ANSWER_MAX_CHARS),
                in.integer(in.at(WorkerConfig.HISTORY_MAX_BYTES_ENV, s, WorkerConfig.HISTORY_MAX_BYTES_YAML),
                        WorkerConfig.DEFAULT_HISTORY_MAX_BYTES),
                in.list(in.at(WorkerConfig.COMMAND_ENV_ENV, s, WorkerConfig.COMMAND_ENV_YAML),
                        WorkerConfig.DEFAULT_COMMAND_ENV),
                in.integer(in.at(WorkerConfig.COMMAND_MAX_OUTPUT_BYTES_ENV, s, WorkerConfig.COMMAND_MAX_OUTPUT_BYTES_YAML),
                        WorkerConfig.DEFAULT_COMMAND_MAX_OUTPUT_BYTES),
                in.duration(in.at(WorkerConfig.PROGRESS_NOTICE_AFTER_ENV, s, WorkerConfig.PROGRESS_NOTICE_AFTER_YAML),
                        WorkerConfig.DEFAULT_PROGRESS_NOTICE_AFTER, SECONDS),
                in.string(in.at(WorkerConfig.PROGRESS_NOTICE_ENV, s, WorkerConfig.PROGRESS_NOTICE_YAML),
                        WorkerConfig.DEFAULT_PROGRESS_NOTICE));
    }

    private static MediaConfig readMedia(SettingReader in) {
        String s = MediaConfig.YAML_SECTION;
        // The section nests inside worker, so worker's own unknown-key check must not flag it.
        in.markRead(in.section(WorkerConfig.YAML_SECTION), MediaConfig.SECTION_YAML);
        return new MediaConfig(
                in.integer(in.at(MediaConfig.MAX_IMAGE_BYTES_ENV, s, MediaConfig.MAX_IMAGE_BYTES_YAML),
                        MediaConfig.DEFAULT_MAX_IMAGE_BYTES),
                in.integer(in.at(MediaConfig.MAX_VOICE_BYTES_ENV, s, MediaConfig.MAX_VOICE_BYTES_YAML),
                        MediaConfig.DEFAULT_MAX_VOICE_BYTES),
                in.integer(in.at(MediaConfig.MAX_VIDEO_BYTES_ENV, s, MediaConfig.MAX_VIDEO_BYTES_YAML),
                        MediaConfig.DEFAULT_MAX_VIDEO_BYTES),
                in.integer(in.at(MediaConfig.MAX_FILE_BYTES_ENV, s, MediaConfig.MAX_FILE_BYTES_YAML),
                        MediaConfig.DEFAULT_MAX_FILE_BYTES),
                in.bool(in.at(MediaConfig.OPENAI_VISION_ENV, s, MediaConfig.OPENAI_VISION_YAML),
                        MediaConfig.DEFAULT_OPENAI_VISION),
                in.list(in.at(MediaConfig.AGENT_MEDIA_HOSTS_ENV, s, MediaConfig.AGENT_MEDIA_HOSTS_YAML),
                        MediaConfig.DEFAULT_AGENT_MEDIA_HOSTS),
                in.duration(in.at(MediaConfig.AGENT_MEDIA_FETCH_TIMEOUT_ENV, s,
                        MediaConfig.AGENT_MEDIA_FETCH_TIMEOUT_YAML), MediaConfig.DEFAULT_AGENT_MEDIA_FETCH_TIMEOUT, SECONDS));
    }

    private static OpenAiConfig readOpenAi(SettingReader in) {
        String s = OpenAiConfig.YAML_SECTION;
        // The section nests inside worker, so worker's own unknown-key check must not flag it.
        in.markRead(in.section(WorkerConfig.YAML_SECTION), OpenAiConfig.SECTION_YAML);
        return new OpenAiConfig(
                in.string(in.at(OpenAiConfig.BASE_URL_ENV, s, OpenAiConfig.BASE_URL_YAML), OpenAiConfig.DEFAULT_BASE_URL),
                in.string(in.at(OpenAiConfig.MODEL_ENV, s, OpenAiConfig.MODEL_YAML), OpenAiConfig.DEFAULT_MODEL),
                in.text(in.at(OpenAiConfig.API_KEY_ENV, s, OpenAiConfig.API_KEY_YAML), OpenAiConfig.DEFAULT_API_KEY, true),
                in.string(in.at(OpenAiConfig.SYSTEM_PROMPT_ENV, s, OpenAiConfig.SYSTEM_PROMPT_YAML),
                        OpenAiConfig.DEFAULT_SYSTEM_PROMPT),
                in.decimal(in.at(OpenAiConfig.TEMPERATURE_ENV, s, OpenAiConfig.TEMPERATURE_YAML),
                        OpenAiConfig.DEFAULT_TEMPERATURE),
                in.integer(in.at(OpenAiConfig.MAX_TOKENS_ENV, s, OpenAiConfig.MAX_TOKENS_YAML),
                        OpenAiConfig.DEFAULT_MAX_TOKENS),
                in.duration(in.at(OpenAiConfig.TIMEOUT_ENV, s, OpenAiConfig.TIMEOUT_YAML),
                        OpenAiConfig.DEFAULT_TIMEOUT, SECONDS));
    }

    private static HermesConfig readHermes(SettingReader in) {
        String s = HermesConfig.YAML_SECTION;
        // The section nests inside worker, so worker's own unknown-key check must not flag it.
        in.markRead(in.section(WorkerConfig.YAML_SECTION), HermesConfig.SECTION_YAML);
        return new HermesConfig(
                in.string(in.at(HermesConfig.BASE_URL_ENV, s, HermesConfig.BASE_URL_YAML), HermesConfig.DEFAULT_BASE_URL),
                in.text(in.at(HermesConfig.API_KEY_ENV, s, HermesConfig.API_KEY_YAML), HermesConfig.DEFAULT_API_KEY, true),
                in.duration(in.at(HermesConfig.POLL_INTERVAL_ENV, s, HermesConfig.POLL_INTERVAL_YAML),
                        HermesConfig.DEFAULT_POLL_INTERVAL, MILLIS));
    }

    private static ReplyConfig readReply(SettingReader in) {
        String s = ReplyConfig.YAML_SECTION;
        return new ReplyConfig(
                in.integer(in.at(ReplyConfig.PORT_ENV, s, ReplyConfig.PORT_YAML), ReplyConfig.DEFAULT_PORT),
                in.string(in.at(ReplyConfig.WECOM_API_BASE_ENV, s, ReplyConfig.WECOM_API_BASE_YAML),
                        ReplyConfig.DEFAULT_WECOM_API_BASE),
                in.integer(in.at(ReplyConfig.PER_USER_PER_MINUTE_ENV, s, ReplyConfig.PER_USER_PER_MINUTE_YAML),
                        ReplyConfig.DEFAULT_PER_USER_PER_MINUTE),
                in.integer(in.at(ReplyConfig.PER_USER_PER_HOUR_ENV, s, ReplyConfig.PER_USER_PER_HOUR_YAML),
                        ReplyConfig.DEFAULT_PER_USER_PER_HOUR),
                in.choice(in.at(ReplyConfig.FORMAT_ENV, s, ReplyConfig.FORMAT_YAML), ReplyConfig.DEFAULT_FORMAT,
                        ReplyConfig.Format.class),
                in.integer(in.at(ReplyConfig.MAX_CHUNK_BYTES_ENV, s, ReplyConfig.MAX_CHUNK_BYTES_YAML),
                        ReplyConfig.DEFAULT_MAX_CHUNK_BYTES),
                in.duration(in.at(ReplyConfig.DUPLICATE_CHECK_INTERVAL_ENV, s, ReplyConfig.DUPLICATE_CHECK_INTERVAL_YAML),
                        ReplyConfig.DEFAULT_DUPLICATE_CHECK_INTERVAL, SECONDS),
                in.string(in.at(ReplyConfig.GROUP_ID_ENV, s, ReplyConfig.GROUP_ID_YAML), ReplyConfig.DEFAULT_GROUP_ID),
                in.integer(in.at(ReplyConfig.CONCURRENCY_ENV, s, ReplyConfig.CONCURRENCY_YAML),
                        ReplyConfig.DEFAULT_CONCURRENCY),
                in.integer(in.at(ReplyConfig.MAX_ATTEMPTS_ENV, s, ReplyConfig.MAX_ATTEMPTS_YAML),
                        ReplyConfig.DEFAULT_MAX_ATTEMPTS),
                in.duration(in.at(ReplyConfig.MAX_RETRY_DURATION_ENV, s, ReplyConfig.MAX_RETRY_DURATION_YAML),
                        ReplyConfig.DEFAULT_MAX_RETRY_DURATION, SECONDS),
                in.duration(in.at(ReplyConfig.RETRY_INITIAL_BACKOFF_ENV, s, ReplyConfig.RETRY_INITIAL_BACKOFF_YAML),
                        ReplyConfig.DEFAULT_RETRY_INITIAL_BACKOFF, MILLIS),
                in.duration(in.at(ReplyConfig.RETRY_MAX_BACKOFF_ENV, s, ReplyConfig.RETRY_MAX_BACKOFF_YAML),
                        ReplyConfig.DEFAULT_RETRY_MAX_BACKOFF, SECONDS),
                in.duration(in.at(ReplyConfig.FREQ_LIMIT_BACKOFF_ENV, s, ReplyConfig.FREQ_LIMIT_BACKOFF_YAML),
                        ReplyConfig.DEFAULT_FREQ_LIMIT_BACKOFF, SECONDS),
                in.integer(in.at(ReplyConfig.APP_SENDS_PER_SECOND_ENV, s, ReplyConfig.APP_SENDS_PER_SECOND_YAML),
                        ReplyConfig.DEFAULT_APP_SENDS_PER_SECOND),
                in.duration(in.at(ReplyConfig.MINUTE_WINDOW_ENV, s, ReplyConfig.MINUTE_WINDOW_YAML),
                        ReplyConfig.DEFAULT_MINUTE_WINDOW, SECONDS),
                in.duration(in.at(ReplyConfig.HOUR_WINDOW_ENV, s, ReplyConfig.HOUR_WINDOW_YAML),
                        ReplyConfig.DEFAULT_HOUR_WINDOW, SECONDS),
                in.duration(in.at(ReplyConfig.TOKEN_REFRESH_MARGIN_ENV, s, ReplyConfig.TOKEN_REFRESH_MARGIN_YAML),
                        ReplyConfig.DEFAULT_TOKEN_REFRESH_MARGIN, SECONDS),
                in.duration(in.at(ReplyConfig.REQUEST_TIMEOUT_ENV, s, ReplyConfig.REQUEST_TIMEOUT_YAML),
                        ReplyConfig.DEFAULT_REQUEST_TIMEOUT, SECONDS),
                in.duration(in.at(ReplyConfig.SESSION_TIMEOUT_ENV, s, ReplyConfig.SESSION_TIMEOUT_YAML),
                        ReplyConfig.DEFAULT_SESSION_TIMEOUT, MILLIS));
    }
}
