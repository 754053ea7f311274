package dev.wecompipeline.config;

import dev.wecompipeline.config.ConfigException.Problem;
import dev.wecompipeline.config.SettingReader.Source;
import dev.wecompipeline.config.Validators.Validator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One setting, declared once, as Kafka's {@code ConfigDef.define} does: its environment variable,
 * its YAML key, its type, its default, its validators, one line of documentation and whether it
 * is a secret. Loading ({@link ConfigLoader}), validation (the records' constructors call
 * {@link #check}), masking ({@link #show}), {@code setup}'s output, {@code doctor} and the
 * README's configuration table ({@link SettingsTable}) all read the declaration.
 *
 * <pre>{@code
 * public static final Setting<Integer> PER_USER_PER_MINUTE = Setting.integer(
 *         "REPLY_PER_USER_PER_MINUTE", SECTION, "per_user_per_minute", 30)
 *         .validatedBy(Validators.atLeast(1))
 *         .doc("messages to one user per minute; WeCom's own limit");
 * }</pre>
 *
 * @param <T> the value's type in the config record
 */
public final class Setting<T> {

    /** How a setting's text becomes a value, and how a value is written in docs and {@code .env}. */
    interface Type<T> {
        T read(SettingReader in, Source source, T fallback, boolean secret);

        /** The value as an operator writes it, e.g. {@code 30m} or {@code enter_agent,subscribe}. */
        String format(T value);

        /** The type in a few words, for the README. */
        String describe();
    }

    private final String env;
    private final String section;
    private final String key;
    private final Type<T> type;
    private final T defaultValue;
    private final String shownDefault;
    private final String doc;
    private final boolean secret;
    private final List<Validator<? super T>> validators;

    private Setting(String env, String section, String key, Type<T> type, T defaultValue, String shownDefault,
                    String doc, boolean secret, List<Validator<? super T>> validators) {
        this.env = Objects.requireNonNull(env, "env");
        this.section = Objects.requireNonNull(section, "section");
        this.key = Objects.requireNonNull(key, "key");
        this.type = type;
        this.defaultValue = defaultValue;
        this.shownDefault = shownDefault;
        this.doc = doc;
        this.secret = secret;
        this.validators = List.copyOf(validators);
    }

    private static <T> Setting<T> of(String env, String section, String key, Type<T> type, T defaultValue) {
        return new Setting<>(env, section, key, type, defaultValue, null, "", false, List.of());
    }

    // ---- declarations, by type ----

    /** Text, trimmed; an empty value counts as unset. */
    public static Setting<String> text(String env, String section, String key, String defaultValue) {
        return of(env, section, key, TEXT, defaultValue);
    }

    /** Text that must never be printed: masked by {@link #show}, trimmed with a warning (never quoting it). */
    public static Setting<String> secret(String env, String section, String key) {
        return new Setting<>(env, section, key, TEXT, null, null, "", true, List.of());
    }

    public static Setting<Integer> integer(String env, String section, String key, int defaultValue) {
        return of(env, section, key, simple("whole number", SettingReader::integer, String::valueOf), defaultValue);
    }

    /** A whole number from 1 to {@code Short.MAX_VALUE}, e.g. a replication factor. */
    public static Setting<Short> shortInteger(String env, String section, String key, short defaultValue) {
        return of(env, section, key, simple("whole number", SettingReader::shortInteger, String::valueOf), defaultValue);
    }

    public static Setting<Double> decimal(String env, String section, String key, double defaultValue) {
        return of(env, section, key, simple("number", SettingReader::decimal, String::valueOf), defaultValue);
    }

    /** {@code true}/{@code false}, {@code 1}/{@code 0}, {@code yes}/{@code no}. */
    public static Setting<Boolean> bool(String env, String section, String key, boolean defaultValue) {
        return of(env, section, key, simple("boolean", SettingReader::bool, String::valueOf), defaultValue);
    }

    /**
     * A duration in {@link Durations} syntax; a bare number is in {@code plainUnit}. A key that
     * names its unit ({@code _ms}, {@code _seconds}, {@code _hours}) shows its default as a bare
     * number in that unit, the others as {@code 30m}, {@code 500ms}.
     */
    public static Setting<Duration> duration(String env, String section, String key, Duration defaultValue,
                                             ChronoUnit plainUnit) {
        boolean unitInName = key.endsWith("_ms") || key.endsWith("_seconds") || key.endsWith("_hours");
        String unit = plainUnit == ChronoUnit.MILLIS ? "milliseconds" : plainUnit.toString().toLowerCase(Locale.ROOT);
        return of(env, section, key, new Type<>() {
            @Override
            public Duration read(SettingReader in, Source source, Duration fallback, boolean secret) {
                return in.duration(source, fallback, plainUnit);
            }

            @Override
            public String format(Duration value) {
                return unitInName ? String.valueOf(value.toNanos() / plainUnit.getDuration().toNanos())
                        : Durations.format(value);
            }

            @Override
            public String describe() {
                return unitInName ? "duration in " + unit : "duration (a bare number: " + unit + ")";
            }
        }, defaultValue);
    }

    /** One of {@code type}'s constants, written in lower case. */
    public static <E extends Enum<E>> Setting<E> choice(String env, String section, String key, E defaultValue,
                                                        Class<E> type) {
        String names = Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
        return of(env, section, key, simple("one of " + names, (in, source, fallback) -> in.choice(source, fallback, type),
                e -> e.name().toLowerCase(Locale.ROOT)), defaultValue);
    }

    /** A YAML list or a comma-separated string; entries trimmed, empty ones dropped. */
    public static Setting<List<String>> list(String env, String section, String key, List<String> defaultValue) {
        return of(env, section, key, simple("list (comma-separated, or a YAML list)", SettingReader::list, v -> String.join(",", v)),
                List.copyOf(defaultValue));
    }

    /** Like {@link #list}, order and repeats not mattering. */
    public static Setting<Set<String>> set(String env, String section, String key, Set<String> defaultValue) {
        return of(env, section, key, simple("list (comma-separated, or a YAML list)",
                (in, source, fallback) -> Set.copyOf(in.list(source, List.copyOf(fallback))),
                v -> v.stream().sorted().collect(Collectors.joining(","))), Set.copyOf(defaultValue));
    }

    /** A program and its arguments: a YAML list as written, or a string split on whitespace. */
    public static Setting<List<String>> words(String env, String section, String key, List<String> defaultValue) {
        return of(env, section, key, simple("program and arguments", SettingReader::words, v -> String.join(" ", v)),
                List.copyOf(defaultValue));
    }

    public static Setting<Path> path(String env, String section, String key, Path defaultValue) {
        return of(env, section, key, simple("path", SettingReader::path, Path::toString), defaultValue);
    }

    // ---- refinements ----

    /** This setting with its one line of documentation. */
    public Setting<T> doc(String line) {
        return new Setting<>(env, section, key, type, defaultValue, shownDefault, line, secret, validators);
    }

    /** This setting with {@code rules} checked, in order, by {@link #check}. */
    @SafeVarargs
    public final Setting<T> validatedBy(Validator<? super T>... rules) {
        List<Validator<? super T>> all = new java.util.ArrayList<>(validators);
        all.addAll(Arrays.asList(rules));
        return new Setting<>(env, section, key, type, defaultValue, shownDefault, doc, secret, all);
    }

    /**
     * This setting with its default described in words, for a default that is computed or
     * absent ({@code "none (required for openai)"}, {@code "embedded broker"}).
     */
    public Setting<T> defaultShownAs(String words) {
        return new Setting<>(env, section, key, type, defaultValue, words, doc, secret, validators);
    }

    // ---- what the declaration says ----

    /** The environment variable, which wins over the YAML key. */
    public String env() {
        return env;
    }

    /** The YAML mapping the key lives in, e.g. {@code reply} or {@code worker.openai}. */
    public String section() {
        return section;
    }

    /** The key inside {@link #section()}, e.g. {@code per_user_per_minute}. */
    public String key() {
        return key;
    }

    /** The full YAML path, e.g. {@code reply.per_user_per_minute}; problems are named after it. */
    public String yamlKey() {
        return section + "." + key;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public String doc() {
        return doc;
    }

    public boolean secret() {
        return secret;
    }

    /** The type in a few words, e.g. {@code duration (a bare number: seconds)}. */
    public String typeDescription() {
        return secret ? "secret text" : type.describe();
    }

    /** The default as docs show it: in words if declared so, else as an operator would write it; "none" if unset. */
    public String shownDefault() {
        if (shownDefault != null) {
            return shownDefault;
        }
        return defaultValue == null ? "none" : type.format(defaultValue);
    }

    /** {@code value} fit to print: masked when this setting is a secret. */
    public String show(T value) {
        if (secret) {
            return Secrets.mask(value == null ? null : String.valueOf(value));
        }
        return value == null ? "none" : type.format(value);
    }

    /** Runs this setting's validators on {@code value}, problems named after {@link #yamlKey()}. */
    public void check(List<Problem> out, T value) {
        for (Validator<? super T> rule : validators) {
            rule.check(out, yamlKey(), value);
        }
    }

    /** The value from {@code in}: variable, else YAML key, else default; a parse failure becomes a problem. */
    T read(SettingReader in) {
        return type.read(in, in.at(env, section, key), defaultValue, secret);
    }

    @Override
    public String toString() {
        return env + " (" + yamlKey() + ")";
    }

    // ---- types ----

    @FunctionalInterface
    private interface Reading<T> {
        T read(SettingReader in, Source source, T fallback);
    }

    private static <T> Type<T> simple(String description, Reading<T> reading, Function<T, String> format) {
        return new Type<>() {
            @Override
            public T read(SettingReader in, Source source, T fallback, boolean secret) {
                return reading.read(in, source, fallback);
            }

            @Override
            public String format(T value) {
                return format.apply(value);
            }

            @Override
            public String describe() {
                return description;
            }
        };
    }

    /** Text; a secret's surrounding whitespace is trimmed with a warning, as it breaks signatures. */
    private static final Type<String> TEXT = new Type<>() {
        @Override
        public String read(SettingReader in, Source source, String fallback, boolean secret) {
            return in.text(source, fallback, secret);
        }

        @Override
        public String format(String value) {
            return value;
        }

        @Override
        public String describe() {
            return "text";
        }
    };

    /** The variables of {@code settings}, in order, without repeats. */
    static Set<String> envNames(Collection<Setting<?>> settings) {
        return settings.stream().map(Setting::env).collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
