package dev.wecompipeline.crypto;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Builds callbacks the way WeCom sends them: an encrypted, signed {@code POST} body with its
 * query string, and the {@code GET} URL verification. Used by the simulator, the demo, the
 * benchmark and tests; the ingress itself only ever decodes.
 */
public final class CallbackEncoder {

    private final WxBizMsgCrypt crypto;
    private final String corpId;
    private final String agentId;

    /**
     * @param crypto  the app's crypto (token, key, corp id as receive id)
     * @param corpId  the envelope's {@code ToUserName}
     * @param agentId the envelope's {@code AgentID}
     */
    public CallbackEncoder(WxBizMsgCrypt crypto, String corpId, String agentId) {
        this.crypto = crypto;
        this.corpId = corpId;
        this.agentId = agentId;
    }

    /** A request as WeCom would send it: the query string (without '?') and the body (empty for GET). */
    public record SignedCallback(String query, String body) {
    }

    /** A message callback: {@code innerXml} encrypted into the envelope, signed at {@code timestampSeconds}. */
    public SignedCallback post(String innerXml, long timestampSeconds) {
        String encrypt = crypto.encrypt(innerXml);
        String timestamp = Long.toString(timestampSeconds);
        String nonce = nonce();
        String body = "<xml><ToUserName><![CDATA[" + corpId + "]]></ToUserName>"
                + "<Encrypt><![CDATA[" + encrypt + "]]></Encrypt>"
                + "<AgentID><![CDATA[" + agentId + "]]></AgentID></xml>";
        return new SignedCallback(query(crypto.signature(timestamp, nonce, encrypt), timestamp, nonce, null), body);
    }

    /** The URL verification WeCom sends when the callback URL is saved in the admin console. */
    public SignedCallback verification(String echoPlaintext, long timestampSeconds) {
        String echostr = crypto.encrypt(echoPlaintext);
        String timestamp = Long.toString(timestampSeconds);
        String nonce = nonce();
        return new SignedCallback(query(crypto.signature(timestamp, nonce, echostr), timestamp, nonce, echostr), "");
    }

    private static String query(String signature, String timestamp, String nonce, String echostr) {
        String q = "msg_signature=" + signature + "&timestamp=" + timestamp + "&nonce=" + nonce;
        // Base64 carries '+', '/' and '=': encode it once, as WeCom does.
        return echostr == null ? q : q + "&echostr=" + URLEncoder.encode(echostr, StandardCharsets.UTF_8);
    }

    private static String nonce() {
        return Long.toString(ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_999_999_999L));
    }
}
