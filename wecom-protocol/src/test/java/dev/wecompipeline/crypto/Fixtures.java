package dev.wecompipeline.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wecompipeline.xml.WeComXml;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** Tencent's sample vectors plus a reference AES-CBC, independent of the code under test. */
final class Fixtures {

    static final JsonNode VECTORS = load();
    static final String TOKEN = VECTORS.get("token").asText();
    static final String KEY = VECTORS.get("encoding_aes_key").asText();
    static final String CORP_ID = VECTORS.get("corp_id").asText();
    static final long NOW = 1_700_000_000L;
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);

    private Fixtures() {
    }

    /** An instance at a fixed clock with the default window and a seeded generator. */
    static WxBizMsgCrypt crypt() {
        return new WxBizMsgCrypt(TOKEN, KEY, CORP_ID, WxBizMsgCrypt.DEFAULT_TIMESTAMP_WINDOW, CLOCK, new Random(7));
    }

    /** An instance with the freshness check off, for the 2014 vectors. */
    static WxBizMsgCrypt cryptWithoutWindow() {
        return new WxBizMsgCrypt(TOKEN, KEY, CORP_ID, Duration.ZERO, CLOCK, new Random(7));
    }

    /**
     * A callback POST opened the way the ingress opens it ({@code AppRouter}, {@code CallbackHandler}):
     * {@code Encrypt} from the envelope, the signature over it verified, then decrypted.
     */
    static String openPost(WxBizMsgCrypt crypt, String signature, String timestamp, String nonce, String body) {
        String encrypt = WeComXml.parseEnvelope(body).encrypt();
        crypt.verifySignature(signature, timestamp, nonce, encrypt);
        return crypt.decrypt(encrypt);
    }

    /** The URL verification GET as the ingress answers it: the signature over {@code echostr} verified, then decrypted. */
    static String openVerification(WxBizMsgCrypt crypt, String signature, String timestamp, String nonce, String echostr) {
        crypt.verifySignature(signature, timestamp, nonce, echostr);
        return crypt.decrypt(echostr);
    }

    /** The value of {@code name} in a query string {@link CallbackEncoder} built (URL-decoded). */
    static String queryParam(String query, String name) {
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (pair.substring(0, eq).equals(name)) {
                return java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError(name + " not in " + query);
    }

    static String envelope(String encrypt) {
        return "<xml><ToUserName><![CDATA[" + CORP_ID + "]]></ToUserName><Encrypt><![CDATA[" + encrypt
                + "]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>";
    }

    static byte[] aesKey() {
        return Base64.getDecoder().decode(KEY + "=");
    }

    /** Encrypts raw frame bytes (no padding added) so tests can craft malformed frames. */
    static String rawEncrypt(byte[] frame) {
        return Base64.getEncoder().encodeToString(aes(Cipher.ENCRYPT_MODE, frame));
    }

    static byte[] rawDecrypt(byte[] ciphertext) {
        return aes(Cipher.DECRYPT_MODE, ciphertext);
    }

    private static byte[] aes(int mode, byte[] input) {
        byte[] key = aesKey();
        try {
            Cipher cipher = Cipher.getInstance("AES/CBC/NoPadding");
            cipher.init(mode, new SecretKeySpec(key, "AES"), new IvParameterSpec(key, 0, 16));
            return cipher.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode load() {
        try (InputStream in = Fixtures.class.getResourceAsStream("/wxbizmsgcrypt-sample-vectors.json")) {
            if (in == null) {
                throw new IllegalStateException("wxbizmsgcrypt-sample-vectors.json not on the test classpath");
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
