package dev.wecompipeline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import dev.wecompipeline.config.AppConfig;
import dev.wecompipeline.config.ConfigLoader;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.crypto.CallbackEncoder;
import dev.wecompipeline.crypto.WxBizMsgCrypt;
import dev.wecompipeline.setup.EnvFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code setup} in-process: answers from options or from standard input, files checked by loading them. */
class SetupCommandTest {

    private static final String PASTED_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";

    @TempDir
    Path dir;

    private record Run(int exitCode, String output) {
    }

    private Run setup(String stdin, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        SetupCommand command = new SetupCommand(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out,
                new Random(7));
        List<String> all = new ArrayList<>(List.of("--env-file", dir.resolve(".env").toString(),
                "--config-file", dir.resolve("config.yaml").toString()));
        all.addAll(List.of(args));
        int code = new CommandLine(command).execute(all.toArray(String[]::new));
        return new Run(code, bytes.toString(StandardCharsets.UTF_8));
    }

    private PipelineConfig load() throws Exception {
        Path yaml = dir.resolve("config.yaml");
        return ConfigLoader.load(EnvFile.read(dir.resolve(".env")).asMap(),
                Files.exists(yaml) ? Optional.of(yaml) : Optional.empty()).requireApps();
    }

    @Test
    void non_interactive_setup_writes_an_owner_only_env_file_that_loads_and_prints_what_to_paste() throws Exception {
        Run run = setup("", "--non-interactive", "--corp-id", "wwcorp1", "--corp-secret", "the-Secret_42",
                "--agent-id", "1000002", "--allowed-users", "zhangsan,lisi", "--public-url", "https://bot.example.com");
        assertEquals(0, run.exitCode(), run.output());

        Path env = dir.resolve(".env");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(env)));
        assertFalse(Files.exists(dir.resolve("config.yaml")), "format env writes only .env");
        AppConfig app = load().apps().get(0);
        assertEquals("wwcorp1", app.corpId());
        assertEquals("the-Secret_42", app.corpSecret());
        assertTrue(app.token().matches("[A-Za-z0-9]{32}"), "token: 32 letters and digits");
        assertTrue(app.encodingAesKey().matches("[A-Za-z0-9]{43}"), "key: 43 letters and digits, as WeCom's form wants");
        assertEquals(32, app.aesKey().length);
        assertEquals("https://bot.example.com/wecom/callback", load().ingress().publicUrl());
        assertEquals(java.util.Set.of("zhangsan", "lisi"), load().ingress().allowedUsers());

        String out = run.output();
        assertTrue(out.contains("URL             https://bot.example.com/wecom/callback"), out);
        assertTrue(out.contains("Token           " + app.token()), out);
        assertTrue(out.contains("EncodingAESKey  " + app.encodingAesKey()), out);
        assertTrue(out.contains("bin/wecom-pipeline all-in-one") && out.contains("bin/wecom-pipeline doctor"), out);
        assertFalse(out.contains("the-Secret_42"), "the corp secret is never printed");
        assertFalse(out.contains("warning"), out);
    }

    @Test
    void a_pasted_key_with_characters_the_console_refuses_is_kept_with_a_warning() throws Exception {
        String base64Style = "1KEQxMI8velbOEvE6+OTOuRZfz2GkpCz8zqyt3ZadJg";
        Run run = setup("", "--non-interactive", "--corp-id", "wwcorp1", "--corp-secret", "s", "--agent-id", "1000002",
                "--allow-all-users", "--encoding-aes-key", base64Style);
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("setup: warning: the EncodingAESKey has characters other than letters and digits"),
                run.output());
        assertEquals(base64Style, load().apps().get(0).encodingAesKey());
    }

    @Test
    void interactive_setup_takes_answers_from_standard_input_trims_them_and_asks_again_after_a_wrong_one() throws Exception {
        String answers = String.join("\n",
                "  wwcorp2 ",            // corp id with whitespace around it: trimmed
                "s3cret",                // secret
                "10000x2",               // not a number: asked again
                "1000003",
                "tok en",                // not letters and digits: asked again
                "PastedToken123",        // the console's token
                PASTED_KEY.substring(1), // truncated key: asked again
                PASTED_KEY,
                "zhangsan, wangwu",
                "") + "\n";
        Run run = setup(answers, "--format", "yaml");
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("the AgentId is a number"), run.output());
        assertTrue(run.output().contains("must be 43 characters, got 42"), run.output());
        assertFalse(run.output().contains("s3cret"), "the corp secret is never printed");

        PipelineConfig config = load();
        AppConfig app = config.apps().get(0);
        assertEquals("wwcorp2", app.corpId());
        assertEquals("1000003", app.agentId());
        assertEquals("PastedToken123", app.token());
        assertEquals(PASTED_KEY, app.encodingAesKey());
        assertEquals(java.util.Set.of("zhangsan", "wangwu"), config.ingress().allowedUsers());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("config.yaml"))));

        // The written credentials verify a callback signed as WeCom signs it.
        WxBizMsgCrypt crypto = new WxBizMsgCrypt(app.token(), app.encodingAesKey(), app.corpId());
        var signed = new CallbackEncoder(crypto, app.corpId(), app.agentId()).verification("echo-1", System.currentTimeMillis() / 1000);
        var q = java.util.Arrays.stream(signed.query().split("&")).map(p -> p.split("=", 2))
                .collect(java.util.stream.Collectors.toMap(p -> p[0], p -> java.net.URLDecoder.decode(p[1], StandardCharsets.UTF_8)));
        crypto.verifySignature(q.get("msg_signature"), q.get("timestamp"), q.get("nonce"), q.get("echostr"));
        assertEquals("echo-1", crypto.decrypt(q.get("echostr")));
    }

    @Test
    void existing_values_are_replaced_only_after_a_yes_or_with_force() throws Exception {
        assertEquals(0, setup("", "--non-interactive", "--corp-id", "wwcorp1", "--corp-secret", "old-secret",
                "--agent-id", "1000002", "--allow-all-users").exitCode());
        String before = Files.readString(dir.resolve(".env"));

        Run refused = setup("", "--non-interactive", "--corp-secret", "new-secret", "--allow-all-users");
        assertEquals(2, refused.exitCode(), refused.output());
        assertTrue(refused.output().contains("WECOM_CALLBACK_CORP_SECRET (replaced)") && refused.output().contains("--force"),
                refused.output());
        assertEquals(before, Files.readString(dir.resolve(".env")));

        Run declined = setup("\n\n\n\nn\n", "--corp-secret", "new-secret", "--allow-all-users", "--public-url", "");
        assertEquals(1, declined.exitCode(), declined.output());
        assertEquals(before, Files.readString(dir.resolve(".env")));

        Run forced = setup("", "--non-interactive", "--corp-secret", "new-secret", "--allow-all-users", "--force");
        assertEquals(0, forced.exitCode(), forced.output());
        assertEquals("new-secret", load().apps().get(0).corpSecret());
        assertEquals(before, Files.readString(dir.resolve(".env.bak")), "the previous file is kept");
        assertEquals("wwcorp1", load().apps().get(0).corpId(), "values not given are kept");
        assertTrue(forced.output().contains("Token           " + load().apps().get(0).token()));
        assertTrue(before.contains(load().apps().get(0).token()), "a re-run keeps the Token already pasted into WeCom");
    }

    @Test
    void app_option_adds_an_entry_to_the_apps_list_moving_the_single_app_into_it() throws Exception {
        assertEquals(0, setup("", "--non-interactive", "--corp-id", "wwcorpa", "--corp-secret", "secret-a",
                "--agent-id", "1000002", "--allowed-users", "zhangsan").exitCode());
        Run second = setup("", "--non-interactive", "--app", "dept-b", "--corp-id", "wwcorpb", "--corp-secret", "secret-b",
                "--agent-id", "1000003", "--allowed-users", "lisi", "--force");
        assertEquals(0, second.exitCode(), second.output());
        assertTrue(second.output().contains("moves into config.yaml's apps list as 'default'"), second.output());

        PipelineConfig config = load();
        assertEquals(List.of("default", "dept-b"), config.apps().stream().map(AppConfig::name).toList());
        assertEquals("secret-a", config.app("default").orElseThrow().corpSecret());
        assertEquals(java.util.Set.of("zhangsan", "wwcorpb:lisi"), config.ingress().allowedUsers());
        assertFalse(Files.readString(dir.resolve(".env")).contains("WECOM_CALLBACK_CORP_ID"), "moved, not duplicated");

        Run third = setup("", "--non-interactive", "--app", "dept-c", "--corp-id", "wwcorpb", "--corp-secret", "x",
                "--agent-id", "1000003", "--allowed-users", "lisi");
        assertEquals(2, third.exitCode(), "the same corp and agent cannot be two apps");
        assertTrue(third.output().contains("already configured as app 'dept-b'"), third.output());
    }

    @Test
    void a_truncated_key_or_missing_options_write_nothing() {
        Run truncated = setup("", "--non-interactive", "--corp-id", "wwcorp1", "--corp-secret", "s", "--agent-id", "1000002",
                "--encoding-aes-key", PASTED_KEY.substring(0, 42));
        assertEquals(2, truncated.exitCode());
        assertTrue(truncated.output().contains("must be 43 characters, got 42"), truncated.output());

        Run missing = setup("", "--non-interactive", "--corp-id", "wwcorp1");
        assertEquals(2, missing.exitCode());
        assertTrue(missing.output().contains("missing --corp-secret, --agent-id"), missing.output());

        Run ended = setup("wwcorp1\n");
        assertEquals(2, ended.exitCode());
        assertTrue(ended.output().contains("standard input ended"), ended.output());
        assertFalse(Files.exists(dir.resolve(".env")));
        assertFalse(Files.exists(dir.resolve("config.yaml")));
    }
}
