package dev.wecompipeline.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wecompipeline.xml.InboundXmlMessage;
import dev.wecompipeline.xml.WeComXml;
import org.junit.jupiter.api.Test;

/** Tencent's published sample: if these fail, we are not wire-compatible with WeCom. */
class WxBizMsgCryptVectorsTest {

    private final WxBizMsgCrypt crypt = Fixtures.cryptWithoutWindow();

    @Test
    void sample_url_verification_returns_the_published_echo() {
        JsonNode v = Fixtures.VECTORS.get("verify_url");

        String echo = Fixtures.openVerification(crypt, v.get("msg_signature").asText(), v.get("timestamp").asText(),
                v.get("nonce").asText(), v.get("echostr").asText());

        assertEquals("1616140317555161061", echo);
        assertEquals(v.get("expected_plaintext").asText(), echo);
    }

    @Test
    void sample_signatures_are_reproduced() {
        JsonNode url = Fixtures.VECTORS.get("verify_url");
        JsonNode msg = Fixtures.VECTORS.get("decrypt_msg");
        String encrypt = WeComXml.parseEnvelope(msg.get("post_body").asText()).encrypt();

        assertEquals(url.get("msg_signature").asText(),
                crypt.signature(url.get("timestamp").asText(), url.get("nonce").asText(), url.get("echostr").asText()));
        assertEquals(msg.get("msg_signature").asText(),
                crypt.signature(msg.get("timestamp").asText(), msg.get("nonce").asText(), encrypt));
    }

    @Test
    void sample_message_decrypts_to_the_published_fields() {
        JsonNode v = Fixtures.VECTORS.get("decrypt_msg");
        JsonNode expected = v.get("expected_fields");

        String inner = Fixtures.openPost(crypt, v.get("msg_signature").asText(), v.get("timestamp").asText(),
                v.get("nonce").asText(), v.get("post_body").asText());
        InboundXmlMessage m = WeComXml.parseMessage(inner);

        assertEquals(expected.get("ToUserName").asText(), m.toUserName());
        assertEquals(expected.get("FromUserName").asText(), m.fromUserName());
        assertEquals(expected.get("CreateTime").asLong(), m.createTime());
        assertEquals(expected.get("MsgType").asText(), m.msgType());
        assertEquals(expected.get("Content").asText(), m.content());
        assertEquals(expected.get("MsgId").asText(), m.msgId());
        assertEquals(expected.get("AgentID").asText(), m.agentId());
        assertEquals("4561255354251345929", m.stableMessageId());
    }

    @Test
    void sample_message_is_stale_under_the_default_window() {
        JsonNode v = Fixtures.VECTORS.get("decrypt_msg");

        StaleTimestampException e = assertThrows(StaleTimestampException.class, () -> Fixtures.openPost(Fixtures.crypt(), 
                v.get("msg_signature").asText(), v.get("timestamp").asText(), v.get("nonce").asText(),
                v.get("post_body").asText()));

        assertEquals(1409659813L - Fixtures.NOW, e.skewSeconds());
        assertEquals(WeComCryptoException.VALIDATE_SIGNATURE_ERROR, e.errorCode());
    }
}
