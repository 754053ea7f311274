package dev.wecompipeline.setup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wecompipeline.config.AppConfig;
import dev.wecompipeline.config.IngressConfig;
import dev.wecompipeline.config.Setting;
import dev.wecompipeline.config.YamlTree;

/**
 * Turns {@link SetupAnswers} into the new text of {@code .env} and/or {@code config.yaml}, and
 * says which existing values that would replace, so {@code setup} can ask before writing.
 *
 * <ul>
 *   <li>{@link Format#ENV}: the single app and its access settings as {@code WECOM_CALLBACK_*} lines
 *       (the reference doc's way).</li>
 *   <li>{@link Format#YAML}: the same under {@code platforms.wecom_callback.extra}; with an app name,
 *       an entry of the {@code apps} list (a single app already configured moves into the list as
 *       {@code default} first, since the loader refuses both at once).</li>
 *   <li>{@link Format#BOTH}: the secrets (corp secret, Token, EncodingAESKey) in {@code .env}, the
 *       rest in {@code config.yaml}, which can then be shared or committed.</li>
 * </ul>
 * Where each value goes comes from the {@link Setting} declarations ({@link AppConfig#SETTINGS},
 * {@link IngressConfig#ALLOWED_USERS}, ...): their variable, YAML section and key, and whether they
 * are secret; this class has no table of its own.
 * Comments and unrelated lines of an existing {@code .env} are kept; {@code config.yaml} is
 * rewritten from its parsed tree (values kept exactly, comments not), after a {@code .bak} copy.
 */
public final class SetupWriter {

    public enum Format { ENV, YAML, BOTH }

    /**
     * What setup is about to do.
     *
     * @param files      path to new content, in writing order
     * @param overwrites existing values that would be replaced or moved, one line each (no values shown)
     */
    public record Plan(Map<Path, String> files, List<String> overwrites) {
    }

    static final String HEADER = "written by wecom-pipeline setup";
    /** The section the app and access settings are declared in (Hermes' own). */
    private static final String EXTRA = AppConfig.CORP_ID.section();
    private static final String APPS = "apps";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Setting<?> ALLOWED_USERS = IngressConfig.ALLOWED_USERS;
    private static final Setting<?> ALLOW_ALL_USERS = IngressConfig.ALLOW_ALL_USERS;
    private static final Setting<?> PUBLIC_URL = IngressConfig.PUBLIC_URL;

    private SetupWriter() {
    }

    public static Plan plan(SetupAnswers a, Format format, Path envPath, Path yamlPath) throws IOException {
        EnvFile env = EnvFile.read(envPath);
        boolean yamlExisted = Files.exists(yamlPath);
        ObjectNode root = yamlExisted ? YamlTree.readForEdit(yamlPath) : NODES.objectNode();
        String yamlBefore = YamlTree.write(root);
        ObjectNode extra = section(root, EXTRA);
        List<String> overwrites = new ArrayList<>();
        Map<String, String> envUpdates = new LinkedHashMap<>();
        Set<String> envRemovals = new LinkedHashSet<>();

        Map<String, String> appValues = appValues(a);
        if (a.multiApp()) {
            if (format != Format.YAML) {
                throw new SetupException("--app adds an entry to config.yaml's apps list, so it needs --format yaml "
                        + "(the default with --app)");
            }
            moveSingleAppIntoList(env, extra, envPath, yamlPath, overwrites, envRemovals);
            putListedApp(a, extra, yamlPath, overwrites);
        } else {
            if (extra.has(APPS)) {
                throw new SetupException(yamlPath.getFileName() + " already has an apps list (" + EXTRA + ".apps); "
                        + "add this app to it with --app NAME");
            }
            for (Setting<?> k : AppConfig.SETTINGS) {
                boolean toEnv = format == Format.ENV || format == Format.BOTH && k.secret()
                        // In BOTH, a corp id or agent id already in .env would shadow config.yaml: keep it current there.
                        || format == Format.BOTH && env.get(k.env()).isPresent();
                if (toEnv) {
                    envUpdates.put(k.env(), appValues.get(k.key()));
                } else {
                    putText(extra, k.key(), appValues.get(k.key()), EXTRA, yamlPath, overwrites);
                    if (env.get(k.env()).isPresent()) {
                        // A variable wins over config.yaml: the stale one must go, or the new value is ignored.
                        envRemovals.add(k.env());
                        overwrites.add(envPath.getFileName() + ": " + k.env() + " (removed; it would override "
                                + yamlPath.getFileName() + ")");
                    }
                }
            }
        }

        // Access and the public URL go where they already live, else where the app went.
        boolean accessInEnv = format == Format.ENV || env.get(ALLOWED_USERS.env()).isPresent()
                || env.get(ALLOW_ALL_USERS.env()).isPresent();
        if (accessInEnv) {
            List<String> users = a.multiApp()
                    ? union(splitList(env.get(ALLOWED_USERS.env()).orElse("")), a.scopedUsers())
                    : a.scopedUsers();
            boolean allowAll = a.allowAllUsers() || a.multiApp()
                    && env.get(ALLOW_ALL_USERS.env()).map(Boolean::parseBoolean).orElse(false);
            envUpdates.put(ALLOWED_USERS.env(), String.join(",", users));
            envUpdates.put(ALLOW_ALL_USERS.env(), Boolean.toString(allowAll));
        } else {
            List<String> users = a.multiApp() ? union(textList(extra.path(ALLOWED_USERS.key())), a.scopedUsers())
                    : a.scopedUsers();
            boolean allowAll = a.allowAllUsers() || a.multiApp()
                    && "true".equalsIgnoreCase(extra.path(ALLOW_ALL_USERS.key()).asText(""));
            ArrayNode list = NODES.arrayNode();
            users.forEach(list::add);
            extra.set(ALLOWED_USERS.key(), list);
            // A real YAML boolean: Hermes reads this file too, and a quoted "false" is truthy in Python.
            extra.put(ALLOW_ALL_USERS.key(), allowAll);
        }
        if (a.publicUrl() != null) {
            if (format == Format.ENV || env.get(PUBLIC_URL.env()).isPresent()) {
                envUpdates.put(PUBLIC_URL.env(), a.publicUrl());
            } else {
                putText(extra, PUBLIC_URL.key(), a.publicUrl(), EXTRA, yamlPath, overwrites);
            }
        }

        env.wouldOverwrite(envUpdates).forEach(k -> overwrites.add(envPath.getFileName() + ": " + k + " (replaced)"));
        Map<Path, String> files = new LinkedHashMap<>();
        if (!envUpdates.isEmpty() || !envRemovals.isEmpty()) {
            String before = env.text();
            String after = env.remove(envRemovals).set(envUpdates, HEADER).text();
            if (!after.equals(before) || !Files.exists(envPath)) {
                files.put(envPath, after);
            }
        }
        String yamlAfter = YamlTree.write(root);
        // In ENV format nothing goes to config.yaml (the walk to the extra section only created empty mappings).
        if (format != Format.ENV && (!yamlAfter.equals(yamlBefore) || !yamlExisted)) {
            files.put(yamlPath, yamlAfter);
        }
        return new Plan(files, overwrites);
    }

    /** Writes the plan (existing files first copied to {@code .bak}), every file mode 600; returns the backups. */
    public static List<Path> apply(Plan plan) throws IOException {
        List<Path> backups = new ArrayList<>();
        for (Map.Entry<Path, String> f : plan.files().entrySet()) {
            if (Files.exists(f.getKey())) {
                backups.add(SecureFiles.backup(f.getKey()));
            }
            SecureFiles.write(f.getKey(), f.getValue());
        }
        return backups;
    }

    private static Map<String, String> appValues(SetupAnswers a) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put(AppConfig.CORP_ID.key(), a.corpId());
        v.put(AppConfig.CORP_SECRET.key(), a.corpSecret());
        v.put(AppConfig.AGENT_ID.key(), a.agentId());
        v.put(AppConfig.TOKEN.key(), a.token());
        v.put(AppConfig.ENCODING_AES_KEY.key(), a.encodingAesKey());
        return v;
    }

    /** A single app defined by .env variables or flat YAML keys becomes apps entry {@code default}. */
    private static void moveSingleAppIntoList(EnvFile env, ObjectNode extra, Path envPath, Path yamlPath,
                                              List<String> overwrites, Set<String> envRemovals) {
        ObjectNode moved = NODES.objectNode();
        moved.put(AppConfig.NAME_YAML, AppConfig.DEFAULT_NAME);
        boolean any = false;
        for (Setting<?> k : AppConfig.SETTINGS) {
            String fromEnv = env.get(k.env()).orElse(null);
            JsonNode flat = extra.remove(k.key());
            String value = fromEnv != null ? fromEnv : flat != null && !flat.isNull() ? flat.asText() : null;
            if (fromEnv != null) {
                envRemovals.add(k.env());
            }
            if (value != null) {
                moved.put(k.key(), value);
                any = true;
            }
        }
        if (!any) {
            return;
        }
        String from = envRemovals.isEmpty() ? yamlPath.getFileName().toString()
                : envPath.getFileName() + (moved.size() - 1 > envRemovals.size() ? " and " + yamlPath.getFileName() : "");
        overwrites.add("the single app configured in " + from + " moves into " + yamlPath.getFileName()
                + "'s apps list as '" + AppConfig.DEFAULT_NAME + "' (the loader takes either one app or a list, not both)");
        list(extra).add(moved);
    }

    private static void putListedApp(SetupAnswers a, ObjectNode extra, Path yamlPath, List<String> overwrites) {
        ArrayNode apps = list(extra);
        ObjectNode entry = NODES.objectNode();
        entry.put(AppConfig.NAME_YAML, a.appName());
        appValues(a).forEach(entry::put);
        for (int i = 0; i < apps.size(); i++) {
            JsonNode other = apps.get(i);
            if (a.appName().equals(other.path(AppConfig.NAME_YAML).asText())) {
                overwrites.add(yamlPath.getFileName() + ": apps entry '" + a.appName() + "' (replaced)");
                apps.set(i, entry);
                return;
            }
            if (a.corpId().equals(other.path(AppConfig.CORP_ID.key()).asText())
                    && a.agentId().equals(other.path(AppConfig.AGENT_ID.key()).asText())) {
                throw new SetupException("corp " + a.corpId() + " with agent " + a.agentId() + " is already configured as app '"
                        + other.path(AppConfig.NAME_YAML).asText() + "'; re-run with --app "
                        + other.path(AppConfig.NAME_YAML).asText() + " to replace it");
            }
        }
        apps.add(entry);
    }

    private static ArrayNode list(ObjectNode extra) {
        JsonNode apps = extra.get(APPS);
        if (apps instanceof ArrayNode array) {
            return array;
        }
        if (apps != null && !apps.isNull()) {
            throw new SetupException(EXTRA + ".apps is not a list; fix config.yaml first");
        }
        return extra.putArray(APPS);
    }

    private static void putText(ObjectNode node, String key, String value, String section, Path file, List<String> overwrites) {
        JsonNode old = node.get(key);
        if (old != null && !old.isNull() && !old.asText().isEmpty() && !old.asText().equals(value)) {
            overwrites.add(file.getFileName() + ": " + section + "." + key + " (replaced)");
        }
        node.put(key, value);
    }

    /** The mapping at a dotted path, created where missing. */
    private static ObjectNode section(ObjectNode root, String dotted) {
        ObjectNode node = root;
        for (String part : dotted.split("\\.")) {
            JsonNode child = node.get(part);
            if (child instanceof ObjectNode object) {
                node = object;
            } else if (child == null || child.isNull()) {
                node = node.putObject(part);
            } else {
                throw new SetupException(dotted + " in config.yaml is not a mapping; fix the file first");
            }
        }
        return node;
    }

    private static List<String> textList(JsonNode node) {
        if (node.isArray()) {
            List<String> out = new ArrayList<>();
            node.forEach(n -> out.add(n.asText()));
            return out;
        }
        return splitList(node.asText(""));
    }

    static List<String> splitList(String text) {
        return java.util.Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static List<String> union(List<String> a, List<String> b) {
        Set<String> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
