package dev.wecompipeline.config;

import java.util.stream.Collectors;

/**
 * The README's configuration table, generated from the declarations in {@link SettingsCatalog}:
 * one row per setting (YAML key, variable, default, type, meaning), grouped by YAML section.
 *
 * <p>The README holds the table between {@value #START} and {@value #END}; {@code SettingsTableTest}
 * fails when it differs and says how to regenerate it.
 */
public final class SettingsTable {

    public static final String START = "<!-- settings-table:start (generated from the Setting declarations; "
            + "do not edit by hand) -->";
    public static final String END = "<!-- settings-table:end -->";

    private SettingsTable() {
    }

    /** The table in Markdown, one line per row, ending with a newline. */
    public static String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("| YAML key | variable | default | type | meaning |\n");
        out.append("|---|---|---|---|---|\n");
        for (SettingsCatalog.Group group : SettingsCatalog.groups()) {
            out.append("| **`").append(group.section()).append("`** (").append(group.note()).append(") | | | | |\n");
            for (Setting<?> s : group.settings()) {
                out.append("| `").append(s.yamlKey().substring(group.section().length() + 1)).append("` | `")
                        .append(s.env()).append("` | ").append(shownDefault(s)).append(" | ")
                        .append(s.typeDescription()).append(" | ").append(escape(s.doc()))
                        .append(s.secret() ? " (secret: masked wherever printed)" : "").append(" |\n");
            }
        }
        return out.toString();
    }

    /** {@code readme} with the text between the markers replaced by {@link #markdown()}. */
    public static String replaceIn(String readme) {
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("README lacks the markers " + START + " and " + END);
        }
        return readme.substring(0, start + START.length()) + "\n" + markdown() + readme.substring(end);
    }

    private static String shownDefault(Setting<?> s) {
        String shown = s.shownDefault();
        if (shown.isEmpty()) {
            return "empty";
        }
        // A value an operator could write is code; a default described in words is not.
        boolean literal = !s.secret() && s.defaultValue() != null && !"none".equals(shown)
                && s.shownDefault().equals(formatted(s));
        return literal ? "`" + shown + "`" : escape(shown);
    }

    private static <T> String formatted(Setting<T> s) {
        return s.show(s.defaultValue());
    }

    private static String escape(String text) {
        return text.chars().mapToObj(c -> c == '|' ? "\\|" : String.valueOf((char) c)).collect(Collectors.joining());
    }
}
