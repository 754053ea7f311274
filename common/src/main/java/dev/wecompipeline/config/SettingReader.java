package dev.wecompipeline.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.wecompipeline.config.ConfigException.Problem;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Typed reading of one setting from the environment (which wins) or the YAML tree (else the
 * default), remembering where each value came from.
 *
 * <p>A value that does not parse becomes one problem naming the variable or key, and the default
 * is used in its place so reading continues and every mistake is reported together. Values
 * quoted in problems are non-secret settings only; secrets go through {@link #text} and are never
 * quoted. Which method reads a setting is its {@link Setting}'s type. Environment variables set to an empty string count as unset, as {@code KEY=} in a
 * {@code .env} file usually means "not configured".
 */
final class SettingReader {

    /** Longest value quoted back in a problem, so a pasted blob does not flood the log. */
    private static final int MAX_QUOTED = 40;

    private final Map<String, String> env;
    private final JsonNode root;
    private final List<Problem> problems;
    private final Set<String> warnings = new LinkedHashSet<>();
    /** YAML path of a setting to the variable that overrode it, for naming problems. */
    private final Map<String, String> envSources = new HashMap<>();
    /** Keys read from each YAML mapping, to warn about the ones nobody reads (typos). */
    private final Map<JsonNode, Set<String>> readKeys = new IdentityHashMap<>();
    private final Map<String, JsonNode> sections = new HashMap<>();

    SettingReader(Map<String, String> env, JsonNode root, List<Problem> problems) {
        this.env = Map.copyOf(env);
        this.root = root;
        this.problems = problems;
    }

    /** Where one setting may be found: a variable (or null) and a key in a YAML mapping (or null). */
    record Source(String envName, JsonNode container, String key, String yamlLabel) {
    }

    /** The mapping at a dotted path like {@code platforms.wecom_callback.extra}, or an empty node. */
    JsonNode section(String dottedPath) {
        // Cached so a misshapen section is reported once, not once per setting in it.
        return sections.computeIfAbsent(dottedPath, this::findSection);
    }

    private JsonNode findSection(String dottedPath) {
        JsonNode node = root;
        StringBuilder walked = new StringBuilder();
        for (String part : dottedPath.split("\\.")) {
            walked.append(walked.length() == 0 ? "" : ".").append(part);
            node = node.path(part);
            if (node.isMissingNode() || node.isNull()) {
                return MissingNode.getInstance();
            }
            if (!node.isObject()) {
                problems.add(new Problem(walked.toString(), "must be a mapping of keys to values"));
                return MissingNode.getInstance();
            }
        }
        return node;
    }

    /** A setting of {@code section}, overridable by {@code envName}. */
    Source at(String envName, String section, String key) {
        return new Source(envName, section(section), key, section + "." + key);
    }

    boolean hasEnv(String name) {
        return name != null && env.containsKey(name) && !env.get(name).isBlank();
    }

    /** The text of a setting, trimmed; warns when secrets lost whitespace, since that breaks signatures. */
    String text(Source source, String fallback, boolean warnOnTrim) {
        return raw(source).map(raw -> {
            String trimmed = raw.strip();
            if (warnOnTrim && !trimmed.equals(raw)) {
                warnings.add(label(source) + " had surrounding whitespace; trimmed");
            }
            return trimmed.isEmpty() ? fallback : trimmed;
        }).orElse(fallback);
    }

    int integer(Source source, int fallback) {
        return parsed(source, fallback, text -> {
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                return null;
            }
        }, "must be a whole number");
    }

    short shortInteger(Source source, short fallback) {
        int value = integer(source, fallback);
        if (value < 1 || value > Short.MAX_VALUE) {
            problems.add(new Problem(label(source), "must be between 1 and " + Short.MAX_VALUE + ", got " + value));
            return fallback;
        }
        return (short) value;
    }

    double decimal(Source source, double fallback) {
        return parsed(source, fallback, text -> {
            try {
                double value = Double.parseDouble(text);
                // "NaN" and "Infinity" parse, but nobody means them.
                return Double.isFinite(value) ? value : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }, "must be a number like 0.7");
    }

    boolean bool(Source source, boolean fallback) {
        return parsed(source, fallback, text -> switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> Boolean.TRUE;
            case "false", "0", "no" -> Boolean.FALSE;
            default -> null;
        }, "must be true/false, 1/0 or yes/no");
    }

    Duration duration(Source source, Duration fallback, ChronoUnit plainUnit) {
        return parsed(source, fallback, text -> Durations.parse(text, plainUnit).orElse(null),
                "must be a duration like 30s, 500ms, 30m or PT30M (a bare number is in "
                        + plainUnit.toString().toLowerCase(Locale.ROOT) + ")");
    }

    <E extends Enum<E>> E choice(Source source, E fallback, Class<E> type) {
        String allowed = String.join(", ", Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).toList());
        return parsed(source, fallback, text -> Arrays.stream(type.getEnumConstants())
                .filter(e -> e.name().equalsIgnoreCase(text)).findFirst().orElse(null),
                "must be one of " + allowed);
    }

    Path path(Source source, Path fallback) {
        return parsed(source, fallback, text -> {
            try {
                return Path.of(text);
            } catch (InvalidPathException e) {
                return null;
            }
        }, "must be a file system path");
    }

    /** A YAML list or a comma-separated string; entries trimmed, empty ones dropped. */
    List<String> list(Source source, List<String> fallback) {
        if (node(source).isArray() && !hasEnv(source.envName())) {
            List<String> values = new ArrayList<>();
            for (JsonNode item : node(source)) {
                if (item.isValueNode()) {
                    addTrimmed(values, item.asText());
                } else if (!item.isNull()) {
                    problems.add(new Problem(source.yamlLabel(), "entries must be plain values"));
                }
            }
            return values;
        }
        return raw(source).map(text -> {
            List<String> values = new ArrayList<>();
            Arrays.stream(text.split(",")).forEach(part -> addTrimmed(values, part));
            return values;
        }).orElse(fallback);
    }

    /**
     * A program and its arguments: a YAML list taken as written (so an argument may contain spaces),
     * or a string split on whitespace.
     */
    List<String> words(Source source, List<String> fallback) {
        if (node(source).isArray() && !hasEnv(source.envName())) {
            List<String> values = new ArrayList<>();
            for (JsonNode item : node(source)) {
                if (item.isValueNode() && !item.isNull()) {
                    values.add(item.asText());
                } else {
                    problems.add(new Problem(source.yamlLabel(), "entries must be plain values"));
                }
            }
            return values;
        }
        return raw(source).map(String::strip).filter(text -> !text.isEmpty())
                .map(text -> List.of(text.split("\\s+"))).orElse(fallback);
    }

    /** {@code problem} named after the variable that set the value, if one did. */
    Problem relabel(Problem problem) {
        return problem.withKey(envSources.getOrDefault(problem.key(), problem.key()));
    }

    /** The environment variable that set this setting, else its YAML key. */
    String label(Source source) {
        return hasEnv(source.envName()) ? source.envName() : source.yamlLabel();
    }

    /** Warns about keys of {@code container} that were never read: usually a misspelt setting. */
    void warnUnreadKeys(JsonNode container, String containerLabel) {
        if (!container.isObject()) {
            return;
        }
        Set<String> read = readKeys.getOrDefault(container, Set.of());
        container.fieldNames().forEachRemaining(key -> {
            if (!read.contains(key)) {
                warnings.add(containerLabel + "." + key + ": unknown key; ignored");
            }
        });
    }

    /** Marks {@code key} of {@code container} as understood, for keys read without a Source. */
    void markRead(JsonNode container, String key) {
        readKeys.computeIfAbsent(container, c -> new LinkedHashSet<>()).add(key);
    }

    /** The variables whose names start with {@code prefix} (non-blank ones only, as everywhere). */
    Map<String, String> envWithPrefix(String prefix) {
        Map<String, String> out = new java.util.TreeMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith(prefix) && !value.isBlank()) {
                out.put(name, value);
            }
        });
        return out;
    }

    /**
     * A mapping of plain values at {@code key} of {@code section}, as strings; a nested value is a
     * problem naming its key.
     */
    Map<String, String> plainMapping(String section, String key) {
        markRead(section(section), key);
        Map<String, String> out = new java.util.TreeMap<>();
        JsonNode mapping = section(section + "." + key);
        mapping.fields().forEachRemaining(field -> {
            JsonNode value = field.getValue();
            if (value.isValueNode()) {
                out.put(field.getKey(), value.isNull() ? "" : value.asText());
            } else {
                problems.add(new Problem(section + "." + key + "." + field.getKey(), "must be a single value, not a "
                        + (value.isArray() ? "list" : "mapping")));
            }
        });
        return out;
    }

    void warn(String warning) {
        warnings.add(warning);
    }

    List<String> warnings() {
        return List.copyOf(warnings);
    }

    void problem(Problem problem) {
        problems.add(problem);
    }

    private <T> T parsed(Source source, T fallback, Function<String, T> parser, String expectation) {
        Optional<String> raw = raw(source).map(String::strip);
        if (raw.isEmpty() || raw.get().isEmpty()) {
            return fallback;
        }
        T value = parser.apply(raw.get());
        if (value == null) {
            problems.add(new Problem(label(source), expectation + ", got '" + quote(raw.get()) + "'"));
            return fallback;
        }
        return value;
    }

    /** The value as written, from the environment first; marks where it came from. */
    private Optional<String> raw(Source source) {
        // Looked up even when overridden, so the YAML key is not reported as unknown.
        JsonNode node = node(source);
        if (hasEnv(source.envName())) {
            envSources.put(source.yamlLabel(), source.envName());
            return Optional.of(env.get(source.envName()));
        }
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isValueNode()) {
            problems.add(new Problem(source.yamlLabel(), "must be a single value, not a "
                    + (node.isArray() ? "list" : "mapping")));
            return Optional.empty();
        }
        return Optional.of(node.asText());
    }

    private JsonNode node(Source source) {
        if (source.container() == null || source.key() == null) {
            return MissingNode.getInstance();
        }
        markRead(source.container(), source.key());
        return source.container().path(source.key());
    }

    private static void addTrimmed(List<String> values, String value) {
        String trimmed = value.strip();
        if (!trimmed.isEmpty()) {
            values.add(trimmed);
        }
    }

    private static String quote(String value) {
        return value.length() <= MAX_QUOTED ? value : value.substring(0, MAX_QUOTED) + "...";
    }
}
