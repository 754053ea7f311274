package dev.wecompipeline.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.wecompipeline.config.ReplyConfig;
import org.junit.jupiter.api.Test;

/** {@code doctor}'s configuration check loads through the loader and explains a setting from its declaration. */
class ConfigChecksTest {

    private static Map<String, String> validApp() {
        Map<String, String> env = new HashMap<>();
        env.put("WECOM_CALLBACK_CORP_ID", "wx5823bf96d3bd56c7");
        env.put("WECOM_CALLBACK_CORP_SECRET", "s3cr3t-corp-secret-value-0123456789abcdefXY");
        env.put("WECOM_CALLBACK_AGENT_ID", "1000002");
        env.put("WECOM_CALLBACK_TOKEN", "QDG6eKtoken");
        env.put("WECOM_CALLBACK_ENCODING_AES_KEY", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C");
        return env;
    }

    @Test
    void every_bad_setting_fails_at_once_with_its_declared_meaning_in_the_fix() {
        Map<String, String> env = validApp();
        env.put(ReplyConfig.PORT.env(), "70000");
        env.put(ReplyConfig.FORMAT.env(), "html");

        ConfigChecks.Result result = ConfigChecks.run(env);

        List<DoctorCheck> failed = result.checks().stream().filter(DoctorCheck::failed).toList();
        assertEquals(2, failed.size(), result.checks()::toString);
        DoctorCheck port = about("REPLY_PORT: must be between 0 and 65535", failed);
        assertTrue(port.fix().contains(ReplyConfig.PORT.doc()), port::fix);
        DoctorCheck format = about("REPLY_FORMAT: must be one of text, markdown", failed);
        assertTrue(format.fix().contains("one of text, markdown, default text"), format::fix);
        assertTrue(result.config().isEmpty());
    }

    private static DoctorCheck about(String detail, List<DoctorCheck> checks) {
        return checks.stream().filter(c -> c.detail().startsWith(detail)).findFirst()
                .orElseThrow(() -> new AssertionError("no check '" + detail + "' in " + checks));
    }

    @Test
    void a_valid_configuration_passes_and_names_its_apps() {
        ConfigChecks.Result result = ConfigChecks.run(validApp());

        assertTrue(result.checks().stream().noneMatch(DoctorCheck::failed), result.checks()::toString);
        assertTrue(result.checks().get(0).detail().contains("1 app(s): default"), result.checks().get(0)::detail);
    }
}
