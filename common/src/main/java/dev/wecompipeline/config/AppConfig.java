package dev.wecompipeline.config;

import dev.wecompipeline.config.ConfigException.Problem;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One WeCom self-built app: the credentials to call its API and to decrypt its callbacks.
 *
 * <p>Built from the single-app settings ({@code WECOM_CALLBACK_CORP_ID} ... or the flat keys under
 * {@code platforms.wecom_callback.extra}), which give an app named {@value #DEFAULT_NAME}, or from
 * one entry of the {@code apps} list. {@link #toString()} masks the secrets.
 *
 * @param name           routing name, also the last segment of {@code /wecom/callback/{name}}
 * @param corpId         the enterprise's Corp ID, the {@code receive_id} inside every callback
 * @param corpSecret     the app's secret for {@code /cgi-bin/gettoken} (secret); may be absent (null) where
 *                       only callbacks are handled: the ingress never calls WeCom's API, so a deployment
 *                       keeps the secret out of it. Whatever calls the API requires it ({@link #requireCorpSecret})
 * @param agentId        the app's numeric AgentId, kept as text as WeCom's admin console shows it
 * @param token          the callback signature token (secret)
 * @param encodingAesKey the 43-character EncodingAESKey (secret)
 */
public record AppConfig(String name, String corpId, String corpSecret, String agentId, String token,
                        String encodingAesKey) {

    /** Name of the app defined by the single-app settings. */
    public static final String DEFAULT_NAME = "default";

    /** Where the single app's keys, and the {@code apps} list, live: Hermes' own section. */
    private static final String S = IngressConfig.YAML_SECTION;

    /** The key of an entry's name in the {@code apps} list (the single app is {@value #DEFAULT_NAME}). */
    public static final String NAME_YAML = "name";

    // Each field: environment variable (single app only) and YAML key (flat or inside an apps entry).
    // Checked together by problems(), since a problem names the app it belongs to.
    public static final Setting<String> CORP_ID = Setting.text("WECOM_CALLBACK_CORP_ID", S, "corp_id", null)
            .doc("the enterprise's Corp ID (single app, named `default`)");
    public static final Setting<String> CORP_SECRET = Setting.secret("WECOM_CALLBACK_CORP_SECRET", S, "corp_secret")
            .doc("the app's secret for `gettoken`; may be left out where only the ingress runs (the reply-service, "
                    + "the worker's media, `all-in-one` and `doctor` need it)");
    public static final Setting<String> AGENT_ID = Setting.text("WECOM_CALLBACK_AGENT_ID", S, "agent_id", null)
            .doc("the app's numeric AgentId");
    public static final Setting<String> TOKEN = Setting.secret("WECOM_CALLBACK_TOKEN", S, "token")
            .doc("the callback signature Token");
    public static final Setting<String> ENCODING_AES_KEY = Setting.secret("WECOM_CALLBACK_ENCODING_AES_KEY", S,
                    "encoding_aes_key")
            .doc("the 43-character EncodingAESKey");

    /** The app's fields in YAML order; read by {@link ConfigLoader} as one app or per {@code apps} entry. */
    public static final List<Setting<?>> SETTINGS = List.of(CORP_ID, CORP_SECRET, AGENT_ID, TOKEN, ENCODING_AES_KEY);

    /** The EncodingAESKey is base64 of a 32-byte AES key without its trailing "=". */
    public static final int ENCODING_AES_KEY_LENGTH = 43;
    static final int AES_KEY_BYTES = 32;

    /** Names appear in URL paths and Kafka headers, so keep them to URL-safe characters. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** WeCom's message/send takes {@code agentid} as a 32-bit integer. */
    private static final Pattern AGENT_ID_NUMBER = Pattern.compile("\\d{1,10}");

    public AppConfig {
        List<Problem> problems = problems(name, corpId, corpSecret, agentId, token, encodingAesKey);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    /**
     * This app, if its corp secret is set; for what calls WeCom's API.
     *
     * @throws ConfigException naming the setting to add
     */
    public AppConfig requireCorpSecret(String who) {
        if (corpSecret == null) {
            throw new ConfigException(DEFAULT_NAME.equals(name) ? CORP_SECRET.env() + " (or " + CORP_SECRET.key() + ")"
                    : "apps[" + name + "]." + CORP_SECRET.key(), "is required by " + who + ", which calls WeCom's API");
        }
        return this;
    }

    /** The AgentId as the number {@code message/send} expects. */
    public int agentIdNumber() {
        return Integer.parseInt(agentId);
    }

    /** The 32-byte AES key (and IV source) for callback decryption. */
    public byte[] aesKey() {
        return Base64.getDecoder().decode(encodingAesKey + "=");
    }

    /**
     * Problems with these values, keyed by YAML key ({@code corp_id}, ...) with the app name as
     * subject, so the loader can rename keys after the variable or list entry they came from.
     */
    static List<Problem> problems(String name, String corpId, String corpSecret, String agentId,
                                  String token, String encodingAesKey) {
        List<Problem> out = new ArrayList<>();
        if (Validators.notBlank(out, NAME_YAML, name) && !NAME.matcher(name).matches()) {
            out.add(new Problem(NAME_YAML, "'" + name
                    + "' must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"));
        }
        checkText(out, CORP_ID.key(), corpId);
        if (corpSecret != null) {
            checkText(out, CORP_SECRET.key(), corpSecret);
        }
        if (checkText(out, AGENT_ID.key(), agentId) && !isAgentId(agentId)) {
            out.add(new Problem(AGENT_ID.key(), "must be a number like 1000002, got '" + agentId + "'"));
        }
        checkText(out, TOKEN.key(), token);
        if (checkText(out, ENCODING_AES_KEY.key(), encodingAesKey)) {
            checkAesKey(out, encodingAesKey);
        }
        String subject = name == null || name.isBlank() ? null : name;
        return out.stream().map(p -> p.withSubject(subject)).toList();
    }

    private static boolean isAgentId(String agentId) {
        if (!AGENT_ID_NUMBER.matcher(agentId).matches()) {
            return false;
        }
        return Long.parseLong(agentId) <= Integer.MAX_VALUE;
    }

    /** Present and without the surrounding whitespace that breaks signatures (the loader trims it). */
    private static boolean checkText(List<Problem> out, String key, String value) {
        if (!Validators.notBlank(out, key, value)) {
            return false;
        }
        if (!value.equals(value.strip())) {
            out.add(new Problem(key, "has surrounding whitespace"));
            return false;
        }
        return true;
    }

    // Messages state lengths and rules only: the key itself must never reach a log.
    private static void checkAesKey(List<Problem> out, String key) {
        if (key.length() != ENCODING_AES_KEY_LENGTH) {
            out.add(new Problem(ENCODING_AES_KEY.key(), "must be " + ENCODING_AES_KEY_LENGTH
                    + " characters, got " + key.length()));
            return;
        }
        try {
            int bytes = Base64.getDecoder().decode(key + "=").length;
            if (bytes != AES_KEY_BYTES) {
                out.add(new Problem(ENCODING_AES_KEY.key(), "must decode to " + AES_KEY_BYTES
                        + " bytes, got " + bytes));
            }
        } catch (IllegalArgumentException e) {
            out.add(new Problem(ENCODING_AES_KEY.key(),
                    "must be base64 (letters, digits, '+' and '/'); copy it again from the WeCom admin console"));
        }
    }

    /** One line for the startup log, secrets masked. */
    public String describe() {
        return name + ": corp_id=" + corpId + " agent_id=" + agentId
                + " corp_secret=" + CORP_SECRET.show(corpSecret)
                + " token=" + TOKEN.show(token)
                + " encoding_aes_key=" + ENCODING_AES_KEY.show(encodingAesKey);
    }

    @Override
    public String toString() {
        return "AppConfig[name=" + name + ", corpId=" + corpId + ", corpSecret=" + CORP_SECRET.show(corpSecret)
                + ", agentId=" + agentId + ", token=" + TOKEN.show(token)
                + ", encodingAesKey=" + ENCODING_AES_KEY.show(encodingAesKey) + "]";
    }
}
