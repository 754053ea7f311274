package dev.wecompipeline.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Valid values and small helpers shared by the config tests. */
final class Fixtures {

    /** Tencent's published WXBizMsgCrypt sample key: a real-world 43-character EncodingAESKey. */
    static final String SAMPLE_AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
    static final String AES_KEY_A = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    static final String AES_KEY_B = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut";
    static final String CORP_SECRET = "s3cr3t-corp-secret-value-0123456789abcdefXY";
    static final String TOKEN = "QDG6eKtoken";

    private Fixtures() {
    }

    /** Environment variables defining one valid app. */
    static Map<String, String> singleAppEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("WECOM_CALLBACK_CORP_ID", "wx5823bf96d3bd56c7");
        env.put("WECOM_CALLBACK_CORP_SECRET", CORP_SECRET);
        env.put("WECOM_CALLBACK_AGENT_ID", "1000002");
        env.put("WECOM_CALLBACK_TOKEN", TOKEN);
        env.put("WECOM_CALLBACK_ENCODING_AES_KEY", SAMPLE_AES_KEY);
        return env;
    }

    /** The reference doc's multi-app example, with valid keys. */
    static String twoAppsYaml() {
        return """
                platforms:
                  wecom_callback:
                    enabled: true
                    extra:
                      host: "0.0.0.0"
                      port: 8645
                      apps:
                        - name: "dept-a"
                          corp_id: "ww_corp_a"
                          corp_secret: "secret-a"
                          agent_id: "1000002"
                          token: "token-a"
                          encoding_aes_key: "%s"
                        - name: "dept-b"
                          corp_id: "ww_corp_b"
                          corp_secret: "secret-b"
                          agent_id: "1000003"
                          token: "token-b"
                          encoding_aes_key: "%s"
                """.formatted(AES_KEY_A, AES_KEY_B);
    }

    static Path write(Path dir, String yaml) {
        try {
            return Files.writeString(dir.resolve("config.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
