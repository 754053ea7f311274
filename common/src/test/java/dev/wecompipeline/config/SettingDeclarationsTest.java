package dev.wecompipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wecompipeline.config.ConfigException.Problem;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link Setting} declaration promises, checked over all of them: each is read from its
 * variable and its YAML key, every bad value is reported at once by name, and a secret never
 * appears unmasked where the configuration is printed.
 */
class SettingDeclarationsTest {

    @TempDir
    Path dir;

    /** Settings that no text parses as "not-a-value": numbers, booleans, durations, choices. */
    private static List<Setting<?>> typed() {
        Set<String> untyped = Set.of("text", "secret text", "path", "program and arguments");
        return SettingsCatalog.all().stream()
                .filter(s -> !untyped.contains(s.typeDescription()) && !s.typeDescription().startsWith("list"))
                .toList();
    }

    @Test
    void every_bad_variable_is_reported_at_once_each_by_its_name() {
        Map<String, String> env = new HashMap<>();
        typed().forEach(s -> env.put(s.env(), "not-a-value"));

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(env, Optional.empty()));

        Set<String> named = new TreeSet<>(e.details().stream().map(Problem::key).toList());
        assertEquals(new TreeSet<>(env.keySet()), named);
        assertTrue(typed().size() > 40, "the filter keeps most settings: " + typed().size());
        e.details().forEach(p -> assertTrue(p.message().endsWith("got 'not-a-value'"), p::toString));
    }

    @Test
    void every_bad_yaml_key_is_reported_at_once_each_by_its_full_path() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        for (Setting<?> s : typed()) {
            ObjectNode section = root;
            for (String part : s.section().split("\\.")) {
                section = section.has(part) ? (ObjectNode) section.get(part) : section.putObject(part);
            }
            section.put(s.key(), "not-a-value");
        }

        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(Map.of(), Optional.of(Fixtures.write(dir, YamlTree.write(root)))));

        Set<String> expected = new TreeSet<>(typed().stream().map(Setting::yamlKey).toList());
        assertEquals(expected, new TreeSet<>(e.details().stream().map(Problem::key).toList()));
    }

    @Test
    void every_declared_key_is_read_so_none_is_warned_about_as_unknown() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        PipelineConfig defaults = ConfigLoader.load(Map.of(), Optional.empty());
        for (Setting<?> s : SettingsCatalog.all()) {
            if (AppConfig.SETTINGS.contains(s) || s.defaultValue() == null || s.shownDefault().isEmpty()) {
                continue;
            }
            ObjectNode section = root;
            for (String part : s.section().split("\\.")) {
                section = section.has(part) ? (ObjectNode) section.get(part) : section.putObject(part);
            }
            section.put(s.key(), envForm(s));
        }

        PipelineConfig config = ConfigLoader.load(Map.of(), Optional.of(Fixtures.write(dir, YamlTree.write(root))));

        assertEquals(List.of(), config.warnings());
        assertEquals(defaults.describeSettings(), config.describeSettings(), "each default written out reads back as itself");
    }

    @Test
    void a_secret_setting_never_appears_unmasked_where_the_configuration_is_printed() {
        List<Setting<?>> secrets = SettingsCatalog.all().stream().filter(Setting::secret).toList();
        assertEquals(Set.of("WECOM_CALLBACK_CORP_SECRET", "WECOM_CALLBACK_TOKEN", "WECOM_CALLBACK_ENCODING_AES_KEY",
                "OPENAI_API_KEY", "HERMES_API_KEY"), new HashSet<>(SettingsCatalog.secretVariables()));
        for (Setting<?> secret : secrets) {
            // The AES key must be a valid one to load; the others are any text.
            String value = secret == AppConfig.ENCODING_AES_KEY ? Fixtures.AES_KEY_B
                    : "Sekr3t-" + secret.env().toLowerCase() + "-0123456789";
            for (String agent : List.of("openai", "hermes")) {
                Map<String, String> env = Fixtures.singleAppEnv();
                env.putAll(Map.of("AGENT", agent, "OPENAI_BASE_URL", "https://api.openai.com", secret.env(), value));
                PipelineConfig config = ConfigLoader.load(env, Optional.empty());

                String printed = config.describe() + "\n" + config;
                assertFalse(printed.contains(value), secret.env() + " printed unmasked:\n" + printed);
                assertTrue(printed.contains(Secrets.mask(value)), secret.env() + " is loaded and shown masked:\n" + printed);
                assertTrue(WorkerConfig.isPipelineSecret(secret.env()), secret.env() + " is never given to an agent program");
            }
        }
    }

    private static <T> String envForm(Setting<T> s) {
        return s.show(s.defaultValue());
    }
}
