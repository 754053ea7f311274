package dev.wecompipeline.setup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code .env} file as the README uses it ({@code set -a; . ./.env; set +a}) and as docker
 * compose reads it: {@code KEY=value} lines, comments kept. Changes are made line by line, so the
 * operator's comments and other variables stay where they were.
 */
public final class EnvFile {

    /** {@code KEY=...}, {@code export KEY=...} or a commented-out {@code # KEY=...} as .env.example has them. */
    private static final Pattern ASSIGNMENT = Pattern.compile("^\\s*(#\\s*)?(export\\s+)?([A-Za-z_][A-Za-z0-9_]*)\\s*=(.*)$");
    /** Values made only of these need no quotes in a shell or in compose. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:,@+=%-]*");

    private final List<String> lines;

    private EnvFile(List<String> lines) {
        this.lines = new ArrayList<>(lines);
    }

    /** The file's lines, or an empty file if it does not exist. */
    public static EnvFile read(Path file) throws IOException {
        return new EnvFile(Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of());
    }

    /** The value of the last active assignment of {@code key}, unquoted; empty if unset or commented out. */
    public Optional<String> get(String key) {
        String value = null;
        for (String line : lines) {
            Matcher m = ASSIGNMENT.matcher(line);
            if (m.matches() && m.group(1) == null && m.group(3).equals(key)) {
                value = unquote(m.group(4));
            }
        }
        return Optional.ofNullable(value).filter(v -> !v.isEmpty());
    }

    /** Every active assignment, unquoted, the last one winning: the environment the file gives a shell. */
    public Map<String, String> asMap() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher m = ASSIGNMENT.matcher(line);
            if (m.matches() && m.group(1) == null) {
                out.put(m.group(3), unquote(m.group(4)));
            }
        }
        return out;
    }

    /** Parses {@code text} as a .env file. */
    public static EnvFile parse(String text) {
        return new EnvFile(text.lines().toList());
    }

    /** The keys of {@code updates} whose current value is set and different: what writing them would overwrite. */
    public List<String> wouldOverwrite(Map<String, String> updates) {
        List<String> out = new ArrayList<>();
        updates.forEach((key, value) -> get(key).filter(old -> !old.equals(value)).ifPresent(old -> out.add(key)));
        return out;
    }

    /**
     * Sets each key: its active line is replaced, else its first commented-out line (as in
     * .env.example), else a line is appended under {@code header}.
     */
    public EnvFile set(Map<String, String> updates, String header) {
        Map<String, String> pending = new LinkedHashMap<>(updates);
        for (boolean commented : new boolean[] {false, true}) {
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = ASSIGNMENT.matcher(lines.get(i));
                if (m.matches() && (m.group(1) != null) == commented && pending.containsKey(m.group(3))) {
                    String key = m.group(3);
                    lines.set(i, key + "=" + quote(pending.remove(key)));
                }
            }
        }
        // A later active line would win over the one just set; drop such repeats.
        dropRepeats(updates.keySet());
        if (!pending.isEmpty()) {
            if (!lines.isEmpty() && !lines.get(lines.size() - 1).isBlank()) {
                lines.add("");
            }
            lines.add("# " + header);
            pending.forEach((key, value) -> lines.add(key + "=" + quote(value)));
        }
        return this;
    }

    /** Removes every active assignment of these keys (their values move elsewhere). */
    public EnvFile remove(Set<String> keys) {
        lines.removeIf(line -> {
            Matcher m = ASSIGNMENT.matcher(line);
            return m.matches() && m.group(1) == null && keys.contains(m.group(3));
        });
        return this;
    }

    public String text() {
        return String.join("\n", lines) + "\n";
    }

    private void dropRepeats(Set<String> keys) {
        Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = ASSIGNMENT.matcher(lines.get(i));
            if (m.matches() && m.group(1) == null && keys.contains(m.group(3)) && !seen.add(m.group(3))) {
                lines.remove(i--);
            }
        }
    }

    /** Single quotes when needed: the shell then takes the value literally, and compose strips them. */
    static String quote(String value) {
        if (PLAIN.matcher(value).matches()) {
            return value;
        }
        return "'" + value.replace("'", "'\\''") + "'";
    }

    static String unquote(String raw) {
        String v = raw.strip();
        if (v.length() >= 2 && (v.startsWith("'") && v.endsWith("'") || v.startsWith("\"") && v.endsWith("\""))) {
            return v.substring(1, v.length() - 1).replace("'\\''", "'");
        }
        int comment = v.indexOf(" #");
        return comment >= 0 ? v.substring(0, comment).strip() : v;
    }
}
