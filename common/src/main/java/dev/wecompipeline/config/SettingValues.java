package dev.wecompipeline.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The resolved values of some settings, by declaration; a setting not among them has its default.
 * A config record is built from these by its {@code from} factory:
 *
 * <pre>{@code
 * ReplyConfig reply = ReplyConfig.from(SettingValues.read(in, ReplyConfig.SETTINGS));
 * }</pre>
 */
public final class SettingValues {

    /** No value resolved: every setting at its default. */
    public static final SettingValues DEFAULTS = new SettingValues(Map.of());

    private final Map<Setting<?>, Object> values;

    private SettingValues(Map<Setting<?>, Object> values) {
        this.values = values;
    }

    /** Reads each of {@code settings} from {@code in}; every parse problem goes to {@code in}'s list. */
    static SettingValues read(SettingReader in, List<Setting<?>> settings) {
        Map<Setting<?>, Object> values = new HashMap<>();
        for (Setting<?> setting : settings) {
            Object value = setting.read(in);
            if (value != null) {
                values.put(setting, value);
            }
        }
        return new SettingValues(values);
    }

    /** These values with {@code setting} set to {@code value}, e.g. in a test. */
    public <T> SettingValues with(Setting<T> setting, T value) {
        Map<Setting<?>, Object> copy = new HashMap<>(values);
        copy.put(setting, value);
        return new SettingValues(copy);
    }

    /** The value of {@code setting}, or its default. */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        Object value = values.get(setting);
        return value == null ? setting.defaultValue() : (T) value;
    }
}
