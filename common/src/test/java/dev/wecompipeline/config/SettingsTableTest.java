package dev.wecompipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.MissingNode;
import dev.wecompipeline.config.ConfigException.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration table and {@code .env.example} agree with the {@link Setting}
 * declarations. The table is generated: when it differs, regenerate it with
 * {@value #REGENERATE}.
 */
class SettingsTableTest {

    static final String REGENERATE = "./mvnw -B -o -pl common -am test-compile surefire:test -Dtest=SettingsTableTest "
            + "-Dsurefire.failIfNoSpecifiedTests=false -Dsettings.table.write=true";

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** {@code NAME=value} or {@code # NAME=value}: a variable line of .env.example. */
    private static final Pattern ENV_LINE = Pattern.compile("^(?:# )?([A-Z][A-Z0-9_]*)=(.*)$", Pattern.MULTILINE);
    /** Variables .env.example lists that no Setting declares: read by the launcher script, compose, logback or the JVM. */
    private static final Set<String> NOT_SETTINGS = Set.of(ConfigLoader.CONFIG_ENV, "WECOM_LOG_LEVEL", "JAVA_OPTS",
            "COMPOSE_KAFKA_BOOTSTRAP_SERVERS", "KAFKA_CLUSTER_ID");

    @Test
    void the_readme_table_is_the_one_generated_from_the_declarations() throws IOException {
        Path readme = ROOT.resolve("README.md");
        String text = Files.readString(readme);
        String generated = SettingsTable.replaceIn(text);
        if (Boolean.getBoolean("settings.table.write")) {
            Files.writeString(readme, generated);
            return;
        }
        if (!generated.equals(text)) {
            List<String> want = generated.lines().toList();
            List<String> have = text.lines().toList();
            int line = 0;
            while (line < Math.min(want.size(), have.size()) && want.get(line).equals(have.get(line))) {
                line++;
            }
            fail("README.md's configuration table differs from the Setting declarations at line " + (line + 1)
                    + ":\n  README:    " + (line < have.size() ? have.get(line) : "(end)")
                    + "\n  generated: " + (line < want.size() ? want.get(line) : "(end)")
                    + "\nRegenerate it (never edit it by hand): " + REGENERATE);
        }
    }

    @Test
    void every_declared_setting_is_a_row_of_the_readme_table_and_a_line_of_env_example() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String table = readme.substring(readme.indexOf(SettingsTable.START), readme.indexOf(SettingsTable.END));
        Map<String, String> envExample = envExample();
        for (Setting<?> s : SettingsCatalog.all()) {
            assertTrue(table.contains("| `" + s.env() + "` |"), "README table lacks " + s.env());
            assertTrue(table.contains("`" + s.yamlKey().substring(s.yamlKey().indexOf('.') < 0 ? 0
                    : groupOf(s).length() + 1) + "`"), "README table lacks " + s.yamlKey());
            assertTrue(envExample.containsKey(s.env()), ".env.example lacks " + s.env());
        }
    }

    @Test
    void env_example_shows_each_default_or_nothing_and_only_known_variables() throws IOException {
        Map<String, Setting<?>> byEnv = new LinkedHashMap<>();
        SettingsCatalog.all().forEach(s -> byEnv.put(s.env(), s));
        envExample().forEach((name, value) -> {
            Setting<?> setting = byEnv.get(name);
            assertTrue(setting != null || NOT_SETTINGS.contains(name), ".env.example lists " + name
                    + ", which no Setting declares");
            if (setting == null || value.isEmpty()) {
                return;
            }
            // Compared as read, so 300s and 5m are the same default.
            List<Problem> problems = new ArrayList<>();
            Object read = setting.read(new SettingReader(Map.of(name, value), MissingNode.getInstance(), problems));
            assertEquals(List.of(), problems, name);
            assertEquals(setting.defaultValue(), read, ".env.example shows " + name + "=" + value
                    + ", not its default " + setting.shownDefault() + " (an example belongs in the comment above it)");
        });
    }

    private static Map<String, String> envExample() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = ENV_LINE.matcher(Files.readString(ROOT.resolve(".env.example")));
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    private static String groupOf(Setting<?> s) {
        return SettingsCatalog.groups().stream().filter(g -> g.settings().contains(s)).findFirst().orElseThrow().section();
    }
}
