package dev.wecompipeline.launcher;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;

import dev.wecompipeline.config.AppConfig;
import dev.wecompipeline.config.ConfigException;
import dev.wecompipeline.config.ConfigLoader;
import dev.wecompipeline.config.IngressConfig;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.setup.Credentials;
import dev.wecompipeline.setup.EnvFile;
import dev.wecompipeline.setup.Prompter;
import dev.wecompipeline.setup.SetupAnswers;
import dev.wecompipeline.setup.SetupException;
import dev.wecompipeline.setup.SetupWriter;
import dev.wecompipeline.setup.SetupWriter.Format;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wecom-pipeline setup}: the guided walk-through that writes a working configuration for
 * one WeCom app and prints what to paste into WeCom's admin console.
 *
 * <pre>
 * bin/wecom-pipeline setup                                  # asks for everything
 * bin/wecom-pipeline setup --non-interactive --corp-id ww123 --corp-secret ... --agent-id 1000002 \
 *     --allowed-users zhangsan,lisi --public-url https://bot.example.com/wecom/callback
 * bin/wecom-pipeline setup --app dept-b                      # adds a second app to config.yaml's apps list
 * </pre>
 *
 * Nothing is written until every answer is valid and the result loads as a configuration; an
 * existing value is only replaced after a yes (or {@code --force}).
 */
@Command(name = "setup",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Writes .env / config.yaml for a WeCom app, prints what to paste in WeCom.",
                "Files get mode 600; existing values are replaced only after asking (or",
                "with --force). Asks for what the options do not give; --non-interactive",
                "never asks. Run it again with --app NAME to add another app."})
public final class SetupCommand implements Callable<Integer> {

    @Option(names = "--corp-id", description = "Corp ID (admin console: My Company → Company Information).")
    String corpId;

    @Option(names = "--corp-secret", description = "The app's Secret (Applications → your app). Never printed. "
            + "On a shared machine prefer the prompt: options are visible in the process list.")
    String corpSecret;

    @Option(names = "--agent-id", description = "The app's AgentId, e.g. 1000002.")
    String agentId;

    @Option(names = "--token", description = "Callback Token from WeCom's console (default: generate one).")
    String token;

    @Option(names = "--encoding-aes-key", description = "43-character EncodingAESKey from WeCom's console (default: generate one).")
    String encodingAesKey;

    @Option(names = "--allowed-users", split = ",", description = "User ids that may talk to the agent (comma separated).")
    List<String> allowedUsers;

    @Option(names = "--allow-all-users", description = "Everyone in the corp may talk to the agent.")
    boolean allowAllUsers;

    @Option(names = "--public-url", description = "The URL WeCom will call, e.g. https://bot.example.com/wecom/callback "
            + "(a bare https://host gets the callback path).")
    String publicUrl;

    @Option(names = "--app", description = "Add this app to config.yaml's apps list under this name (multi-app).")
    String app;

    @Option(names = "--env-file", defaultValue = ".env", description = "The .env file (default ${DEFAULT-VALUE}).")
    Path envFile;

    @Option(names = "--config-file", defaultValue = "config.yaml", description = "The YAML file (default ${DEFAULT-VALUE}).")
    Path configFile;

    @Option(names = "--format", converter = FormatConverter.class, description = "env, yaml or both (secrets in .env, the rest in config.yaml). "
            + "Default: env, or yaml with --app.")
    Format format;

    @Option(names = "--force", description = "Replace existing values without asking.")
    boolean force;

    @Option(names = "--non-interactive", description = "Never ask: fail when a required option is missing.")
    boolean nonInteractive;

    private final InputStream in;
    private final PrintStream out;
    private final Random random;

    /** As run from the command line: the terminal, UTF-8 output, a {@link SecureRandom}. */
    public SetupCommand() {
        this(System.in, new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8),
                new SecureRandom());
    }

    /** For tests: answers from {@code in}, output to {@code out}. */
    public SetupCommand(InputStream in, PrintStream out, Random random) {
        this.in = in;
        this.out = out;
        this.random = random;
    }

    @Override
    public Integer call() throws IOException {
        try {
            return run();
        } catch (SetupException e) {
            out.println("setup: " + e.getMessage());
            return OneLineErrorHandler.EXIT_CONFIG_ERROR;
        }
    }

    private int run() throws IOException {
        Format fmt = format != null ? format : app != null ? Format.YAML : Format.ENV;
        if (app != null && fmt != Format.YAML) {
            throw new SetupException("--app adds to config.yaml's apps list; use --format yaml (the default with --app)");
        }
        Prompter ask = nonInteractive ? null : new Prompter(
                new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), out,
                in == System.in ? System.console() : null);
        if (!nonInteractive) {
            out.println("wecom-pipeline setup" + (app != null ? " of app '" + app + "'" : "")
                    + ": nothing is written until the end (Ctrl-C to stop).");
        }
        SetupAnswers answers = answers(ask);
        Path yaml = configFile;
        SetupWriter.Plan plan = SetupWriter.plan(answers, fmt, envFile, yaml);
        PipelineConfig result = check(plan, yaml);

        if (!plan.overwrites().isEmpty()) {
            out.println("setup: this changes existing settings (a .bak copy of each file is kept):");
            plan.overwrites().forEach(o -> out.println("  " + o));
            if (!force) {
                if (ask == null) {
                    throw new SetupException("existing settings would change; re-run with --force to replace them");
                }
                if (!ask.confirm("Go ahead", false)) {
                    out.println("setup: nothing written.");
                    return 1;
                }
            }
        }
        List<Path> backups = SetupWriter.apply(plan);
        plan.files().keySet().forEach(f -> out.println("setup: wrote " + f + " (mode 600)"));
        if (plan.files().isEmpty()) {
            out.println("setup: the configuration already says this; nothing to write");
        }
        if (plan.overwrites().stream().anyMatch(o -> o.contains("moves into"))) {
            out.println("setup: a shell that exported the old WECOM_CALLBACK_* variables still has them: "
                    + "open a new one (or unset them) before starting the pipeline");
        }
        backups.forEach(b -> out.println("setup: previous version kept as " + b));
        printNextSteps(answers, fmt, result);
        return 0;
    }

    /** In --non-interactive mode, what neither the options nor the current configuration give. */
    private static void requireValues(String corp, String secret, String agent) {
        List<String> missing = new ArrayList<>();
        if (corp == null) {
            missing.add("--corp-id");
        }
        if (secret == null) {
            missing.add("--corp-secret");
        }
        if (agent == null) {
            missing.add("--agent-id");
        }
        if (!missing.isEmpty()) {
            throw new SetupException("missing " + String.join(", ", missing) + " (or run without --non-interactive to be asked)");
        }
    }

    private SetupAnswers answers(Prompter ask) {
        // Running setup again for a configured app keeps what is already pasted into WeCom's console.
        Optional<AppConfig> current = existingApp();
        String corp = value(ask, corpId, current.map(AppConfig::corpId).orElse(null),
                "Corp ID (admin console → My Company → Company Information)", false,
                SetupCommand::plainValueProblem, "--corp-id");
        String secret = value(ask, corpSecret, current.map(AppConfig::corpSecret).orElse(null),
                "Secret of the app (Applications → your app → Secret; not shown)", true,
                SetupCommand::plainValueProblem, "--corp-secret");
        String agent = value(ask, agentId, current.map(AppConfig::agentId).orElse(null), "AgentId of the app (e.g. 1000002)",
                false, a -> a.matches("\\d{1,10}") ? Optional.empty() : Optional.of("the AgentId is a number like 1000002"),
                "--agent-id");
        requireValues(corp, secret, agent);
        Credentials generator = new Credentials(random);
        String keptToken = current.map(AppConfig::token).orElse(null);
        String tok = token != null ? checked(token.strip(), Credentials.tokenProblem(token.strip()), "--token")
                : ask == null ? Optional.ofNullable(keptToken).orElseGet(generator::newToken)
                : ask.ask("Token: Enter to " + (keptToken != null ? "keep the current one" : "generate one")
                        + ", or paste the one WeCom's console generated",
                        Optional.ofNullable(keptToken).orElseGet(generator::newToken), false, Credentials::tokenProblem);
        String keptKey = current.map(AppConfig::encodingAesKey).orElse(null);
        String key = encodingAesKey != null
                ? checked(encodingAesKey.strip(), Credentials.encodingAesKeyProblem(encodingAesKey.strip()), "--encoding-aes-key")
                : ask == null ? Optional.ofNullable(keptKey).orElseGet(generator::newEncodingAesKey)
                : ask.ask("EncodingAESKey: Enter to " + (keptKey != null ? "keep the current one" : "generate one")
                        + ", or paste the console's (43 characters)",
                        Optional.ofNullable(keptKey).orElseGet(generator::newEncodingAesKey), false,
                        Credentials::encodingAesKeyProblem);
        // A key from elsewhere may hold '+' or '/': it works here, but the console will not take it.
        Credentials.encodingAesKeyWarning(key).ifPresent(w -> out.println("setup: warning: " + w));

        List<String> users = allowedUsers == null ? List.of() : allowedUsers.stream().map(String::strip)
                .filter(u -> !u.isEmpty()).toList();
        boolean all = allowAllUsers;
        if (allowedUsers == null && !allowAllUsers && ask != null) {
            String who = ask.ask("Who may talk to the agent? User ids separated by commas, or * for everyone", null, false,
                    w -> w.isEmpty() ? Optional.of("name at least one user id, or * for everyone") : Optional.empty());
            all = who.equals("*");
            users = all ? List.of() : splitUsers(who);
        }
        String url = publicUrl;
        if (url == null && ask != null) {
            url = ask.ask("Public URL WeCom will call (e.g. https://bot.example.com/wecom/callback; Enter to skip)", "",
                    false, SetupCommand::urlProblem);
        }
        url = url == null || url.isBlank() ? null : withPath(url.strip());
        if (url != null) {
            checked(url, urlProblem(url), "--public-url");
        }
        String name = app == null ? AppConfig.DEFAULT_NAME : app;
        try {
            // The same rules the pipeline applies when it loads the file.
            new AppConfig(name, corp, secret, agent, tok, key);
        } catch (ConfigException e) {
            throw new SetupException(String.join("; ", e.problems()));
        }
        return new SetupAnswers(app, corp, secret, agent, tok, key, users, all, url);
    }

    /** The option's value; else the answer, where Enter keeps {@code current} (when there is one). */
    private String value(Prompter ask, String option, String current, String question, boolean secret,
                         java.util.function.Function<String, Optional<String>> check, String optionName) {
        if (option != null) {
            return checked(option.strip(), check.apply(option.strip()), optionName);
        }
        if (ask == null) {
            return current;
        }
        String shown = current == null ? "" : secret ? " [Enter: keep the current one]" : " [" + current + "]";
        return ask.ask(question + shown, current, secret, check);
    }

    /** This app as the target files configure it now, if they load. */
    private Optional<AppConfig> existingApp() {
        try {
            Map<String, String> env = EnvFile.read(envFile).asMap();
            Optional<Path> yaml = Files.isRegularFile(configFile) ? Optional.of(configFile) : Optional.empty();
            return ConfigLoader.load(env, yaml).app(app == null ? AppConfig.DEFAULT_NAME : app);
        } catch (ConfigException | IOException e) {
            return Optional.empty();
        }
    }

    private static String checked(String value, Optional<String> problem, String option) {
        problem.ifPresent(p -> {
            throw new SetupException(option + ": " + p);
        });
        return value;
    }

    private static Optional<String> plainValueProblem(String value) {
        if (value.isEmpty()) {
            return Optional.of("this is required");
        }
        return value.chars().anyMatch(Character::isWhitespace) ? Optional.of("it cannot contain spaces") : Optional.empty();
    }

    private static Optional<String> urlProblem(String url) {
        if (url.isEmpty()) {
            return Optional.empty();
        }
        if (!url.matches("https?://[^\\s/?#]+(/[^\\s?#]*)?")) {
            return Optional.of("give an http(s) URL without a query string, like https://bot.example.com/wecom/callback");
        }
        return Optional.empty();
    }

    /** A bare {@code https://host} means the default callback path there. */
    private static String withPath(String url) {
        String rest = url.substring(url.indexOf("://") + 3);
        return rest.contains("/") && !rest.endsWith("/") ? url
                : url.replaceAll("/+$", "") + IngressConfig.PATH.defaultValue();
    }

    /** Loads what would be written, exactly as the pipeline will, before anything is written. */
    private PipelineConfig check(SetupWriter.Plan plan, Path yaml) throws IOException {
        String envText = plan.files().containsKey(envFile) ? plan.files().get(envFile)
                : Files.exists(envFile) ? Files.readString(envFile) : "";
        Path dir = Files.createTempDirectory("wecom-setup");
        try {
            Optional<Path> yamlFile = Optional.empty();
            String yamlText = plan.files().containsKey(yaml) ? plan.files().get(yaml)
                    : Files.exists(yaml) ? Files.readString(yaml) : null;
            if (yamlText != null) {
                Path copy = dir.resolve("config.yaml");
                Files.writeString(copy, yamlText);
                yamlFile = Optional.of(copy);
            }
            return ConfigLoader.load(EnvFile.parse(envText).asMap(), yamlFile).requireApps();
        } catch (ConfigException e) {
            throw new SetupException("the result would not load: " + String.join("; ", e.problems()));
        } finally {
            TemporaryDirectories.deleteQuietly(dir);
        }
    }

    private void printNextSteps(SetupAnswers a, Format fmt, PipelineConfig config) {
        IngressConfig ingress = config.ingress();
        String url = a.publicUrl() != null ? a.publicUrl()
                : "https://<your-domain>" + ingress.path() + "   (proxy it to port " + ingress.port() + " of this machine)";
        out.println();
        out.println("Paste into WeCom's admin console: Applications → " + (a.multiApp() ? a.appName() : "your app")
                + " → Receive Messages → Set API Receiving");
        out.println("  URL             " + url);
        out.println("  Token           " + a.token());
        out.println("  EncodingAESKey  " + a.encodingAesKey());
        out.println("Also add this server's public IP under the app's Trusted IPs, or replies fail with errcode 60020.");
        if (!a.allowAllUsers() && config.ingress().allowedUsers().isEmpty()) {
            out.println("Nobody may talk to the agent yet: re-run with --allowed-users or --allow-all-users.");
        }
        out.println();
        out.println("Start the pipeline before saving in the console (WeCom verifies the URL at once):");
        String prefix = "";
        if (Files.exists(envFile) && !readEnv().isEmpty()) {
            out.println("  set -a; . " + shellPath(envFile) + "; set +a");
        }
        if (fmt != Format.ENV && !configFile.normalize().equals(Path.of(ConfigLoader.DEFAULT_CONFIG_FILE))) {
            prefix = ConfigLoader.CONFIG_ENV + "=" + configFile + " ";
        }
        out.println("  " + prefix + "bin/wecom-pipeline all-in-one");
        out.println("Then check everything (credentials, Kafka, the callback URL) with:");
        out.println("  " + prefix + "bin/wecom-pipeline doctor");
    }

    private Map<String, String> readEnv() {
        try {
            return EnvFile.read(envFile).asMap();
        } catch (IOException e) {
            return Map.of();
        }
    }

    private static String shellPath(Path p) {
        String s = p.toString();
        // `. name` without a slash searches PATH first.
        return p.isAbsolute() || s.contains("/") ? s : "./" + s;
    }

    private static List<String> splitUsers(String text) {
        return java.util.Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** {@code env}, {@code yaml} or {@code both}, in any case. */
    static final class FormatConverter implements picocli.CommandLine.ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            try {
                return Format.valueOf(value.strip().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not one of env, yaml, both");
            }
        }
    }
}
