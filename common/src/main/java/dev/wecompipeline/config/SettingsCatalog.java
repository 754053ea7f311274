package dev.wecompipeline.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Every declared {@link Setting}, section by section in the README's order: what the loader reads,
 * the README table shows ({@link SettingsTable}), {@code .env.example} lists and {@code doctor}
 * explains. Each section's settings are declared in its own record ({@code ReplyConfig.SETTINGS},
 * ...); this class only orders them.
 */
public final class SettingsCatalog {

    /**
     * The settings under one top-level YAML section.
     *
     * @param section  the YAML section, e.g. {@code worker}; keys in the table are relative to it
     * @param note     what the section is for, shown beside it in the table
     * @param settings its settings, nested sections ({@code worker.openai}) included
     */
    public record Group(String section, String note, List<Setting<?>> settings) {
        public Group {
            settings = List.copyOf(settings);
        }
    }

    private SettingsCatalog() {
    }

    // Methods, not constants: the records' declarations must be initialised before they are listed.

    /** The groups in the README's order. */
    public static List<Group> groups() {
        return List.of(
                new Group(IngressConfig.YAML_SECTION, "the app and the ingress",
                        concat(AppConfig.SETTINGS, IngressConfig.SETTINGS)),
                new Group(KafkaConfig.YAML_SECTION, "cluster and topics", KafkaConfig.SETTINGS),
                new Group(WorkerConfig.YAML_SECTION, "agent-worker and its agents",
                        concat(WorkerConfig.SETTINGS, OpenAiConfig.SETTINGS, HermesConfig.SETTINGS, MediaConfig.SETTINGS)),
                new Group(ReplyConfig.YAML_SECTION, "reply-service", ReplyConfig.SETTINGS),
                new Group(EngineConfig.YAML_SECTION, "the exactly-once engine of worker and reply-service",
                        EngineConfig.SETTINGS),
                new Group(PipelineConfig.YAML_SECTION, "the all-in-one's embedded broker", PipelineConfig.SETTINGS));
    }

    /** Every setting, in the README's order. */
    public static List<Setting<?>> all() {
        return groups().stream().flatMap(g -> g.settings().stream()).toList();
    }

    /** The YAML sections settings live in, nested ones included, in order. */
    static Set<String> sections() {
        Set<String> out = new LinkedHashSet<>();
        all().forEach(s -> out.add(s.section()));
        return out;
    }

    /** The variables of the settings declared secret: masked when printed, never passed to an agent program. */
    public static Set<String> secretVariables() {
        Set<String> out = new LinkedHashSet<>();
        all().stream().filter(Setting::secret).forEach(s -> out.add(s.env()));
        return out;
    }

    /**
     * The setting a problem is about, found by its variable or YAML key ({@code REPLY_PORT},
     * {@code reply.port}), e.g. for {@code doctor} to say what it means.
     */
    public static Optional<Setting<?>> find(String variableOrKey) {
        return all().stream().filter(s -> s.env().equals(variableOrKey) || s.yamlKey().equals(variableOrKey))
                .findFirst();
    }

    @SafeVarargs
    private static List<Setting<?>> concat(List<Setting<?>>... lists) {
        List<Setting<?>> out = new ArrayList<>();
        Stream.of(lists).forEach(out::addAll);
        return out;
    }
}
