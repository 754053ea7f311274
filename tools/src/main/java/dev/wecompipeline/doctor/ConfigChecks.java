package dev.wecompipeline.doctor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.wecompipeline.config.AppConfig;
import dev.wecompipeline.config.ConfigException;
import dev.wecompipeline.config.ConfigException.Problem;
import dev.wecompipeline.config.ConfigLoader;
import dev.wecompipeline.config.IngressConfig;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.config.Setting;
import dev.wecompipeline.config.SettingsCatalog;
import dev.wecompipeline.crypto.WxBizMsgCrypt;
import dev.wecompipeline.setup.Credentials;

/**
 * Loading the configuration as every command does, each problem turned into a failed check with
 * its fix, each load-time warning (a secret trimmed of whitespace) into a warning; then each
 * app's EncodingAESKey through the crypto itself. A problem about a declared {@link Setting}
 * gets that declaration's type, default and meaning in its fix.
 */
public final class ConfigChecks {

    static final String NAME = "configuration";

    private ConfigChecks() {
    }

    /** The checks, and the configuration when it loaded. */
    public record Result(List<DoctorCheck> checks, Optional<PipelineConfig> config) {
    }

    public static Result run(Map<String, String> env) {
        List<DoctorCheck> checks = new ArrayList<>();
        PipelineConfig config;
        try {
            config = ConfigLoader.load(env).requireApps();
        } catch (ConfigException e) {
            e.details().forEach(p -> checks.add(DoctorCheck.fail(NAME, p.toString(), fixFor(p))));
            return new Result(checks, Optional.empty());
        }
        String source = env.containsKey(ConfigLoader.CONFIG_ENV) ? "environment and " + env.get(ConfigLoader.CONFIG_ENV)
                : java.nio.file.Files.isRegularFile(java.nio.file.Path.of(ConfigLoader.DEFAULT_CONFIG_FILE))
                ? "environment and " + ConfigLoader.DEFAULT_CONFIG_FILE : "environment";
        checks.add(DoctorCheck.pass(NAME, "valid (" + source + "), " + config.apps().size() + " app(s): "
                + String.join(", ", config.apps().stream().map(AppConfig::name).toList())));
        for (String warning : config.warnings()) {
            boolean whitespace = warning.contains("whitespace");
            checks.add(DoctorCheck.warn(NAME, warning, whitespace
                    ? "remove the spaces or tabs around that value (in .env: no spaces around '=', none inside quotes); "
                    + "it works now only because the loader trims it"
                    : "remove or correct that key; it has no effect"));
        }
        for (AppConfig app : config.apps()) {
            checks.add(aesKey(app));
        }
        if (!config.ingress().allowAllUsers() && config.ingress().allowedUsers().isEmpty()) {
            checks.add(DoctorCheck.warn("access", "nobody may talk to the agent (every user is refused)",
                    "set " + IngressConfig.ALLOWED_USERS.env() + "=user1,user2 or " + IngressConfig.ALLOW_ALL_USERS.env()
                            + "=true"));
        }
        return new Result(checks, Optional.of(config));
    }

    private static DoctorCheck aesKey(AppConfig app) {
        String name = "aes key (" + app.name() + ")";
        try {
            new WxBizMsgCrypt(app.token(), app.encodingAesKey(), app.corpId());
            Optional<String> refusedByConsole = Credentials.encodingAesKeyWarning(app.encodingAesKey());
            if (refusedByConsole.isPresent()) {
                return DoctorCheck.warn(name, "EncodingAESKey decodes to " + app.aesKey().length + " bytes, but "
                        + refusedByConsole.get().substring("the EncodingAESKey ".length()),
                        "generate a new key (`bin/wecom-pipeline setup` or the admin console) and save it in both places");
            }
            return DoctorCheck.pass(name, "EncodingAESKey decodes to " + app.aesKey().length + " bytes");
        } catch (RuntimeException e) {
            return DoctorCheck.fail(name, "EncodingAESKey unusable: " + e.getClass().getSimpleName(),
                    "copy the 43-character EncodingAESKey again from the admin console (app → Receive Messages)");
        }
    }

    /** The fix for one configuration problem, by the key it is about. */
    static String fixFor(Problem p) {
        String key = p.key();
        String message = p.message();
        if (key.contains("ENCODING_AES_KEY") || key.contains("encoding_aes_key")) {
            return "copy the EncodingAESKey again from the admin console (app → Receive Messages): exactly 43 characters, "
                    + "or generate a new pair with `bin/wecom-pipeline setup`";
        }
        if (message.contains("no WeCom app is configured")) {
            return "run `bin/wecom-pipeline setup` to write .env or config.yaml, then load it (set -a; . ./.env; set +a)";
        }
        Optional<Setting<?>> setting = SettingsCatalog.find(key);
        if (message.contains("is required")) {
            return "set " + key + setting.map(ConfigChecks::meaning).orElse("")
                    + " (see README, Configuration; `bin/wecom-pipeline setup` writes a complete one)";
        }
        if (message.contains("file not found")) {
            return "point " + ConfigLoader.CONFIG_ENV + " at an existing file, or unset it";
        }
        return "correct " + key + " as the message says" + setting.map(ConfigChecks::meaning).orElse("")
                + " (README, Configuration lists every setting)";
    }

    /** What the declaration says about a setting: its meaning, type and default. */
    private static String meaning(Setting<?> s) {
        return ": " + s.doc() + " (" + s.typeDescription() + ", default " + s.shownDefault() + ")";
    }
}
