package dev.wecompipeline.ingress;

import static dev.wecompipeline.ingress.IngressFixture.AES_KEY;
import static dev.wecompipeline.ingress.IngressFixture.AGENT;
import static dev.wecompipeline.ingress.IngressFixture.CORP;
import static dev.wecompipeline.ingress.IngressFixture.TOKEN;
import static dev.wecompipeline.ingress.IngressFixture.nowSeconds;
import static dev.wecompipeline.ingress.IngressFixture.textXml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import dev.wecompipeline.crypto.CallbackEncoder;
import dev.wecompipeline.crypto.CallbackEncoder.SignedCallback;
import dev.wecompipeline.crypto.WxBizMsgCrypt;
import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.kafka.RecordHeaders;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every row of the ingress's HTTP contract (operator-interface.md), against a real broker. */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngressContractTest {

    private static final String PATH = "/wecom/callback";
    private IngressFixture fx;

    @BeforeAll
    void start(KafkaBroker kafka) {
        fx = IngressFixture.start(kafka.bootstrapServers(), Map.of());
    }

    @AfterAll
    void stop() {
        fx.close();
    }

    @Test
    void get_with_a_valid_signature_answers_the_decrypted_echostr() {
        SignedCallback v = IngressFixture.encoder().verification("1616140317555161061", nowSeconds());
        HttpResponse<String> r = fx.get(PATH + "?" + v.query());
        assertEquals(200, r.statusCode());
        assertEquals("1616140317555161061", r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    }

    @Test
    void get_with_a_bad_or_missing_signature_is_403() {
        SignedCallback v = IngressFixture.encoder().verification("hello", nowSeconds());
        // 'z' is never a hex digit, so the signature always changes (a '0' left one in 16 unchanged).
        String tampered = v.query().replaceFirst("msg_signature=.", "msg_signature=z");
        assertEquals(403, fx.get(PATH + "?" + tampered).statusCode());
        assertEquals(403, fx.get(PATH + "?echostr=abc").statusCode());
        assertEquals(400, fx.get(PATH).statusCode(), "no echostr at all is a malformed request");
    }

    @Test
    void a_path_that_is_not_the_callback_path_is_404_so_a_wrong_url_is_told_from_a_mangled_request() {
        SignedCallback v = IngressFixture.encoder().verification("hello", nowSeconds());
        HttpResponse<String> r = fx.get("/wecom/callbak?" + v.query());
        assertEquals(404, r.statusCode());
        assertEquals("not_found", r.body());
    }

    @Test
    void valid_post_is_acknowledged_with_success_after_the_record_is_on_the_topic() {
        HttpResponse<String> r = fx.sendText("zhangsan", "700001", "你好, agent");
        assertEquals(200, r.statusCode());
        assertEquals("success", r.body());
        ConsumerRecord<String, InboundMessage> rec = find("700001");
        assertEquals(CORP + ":zhangsan", rec.key());
        assertEquals("你好, agent", rec.value().content());
        assertEquals("default", rec.value().appName());
        assertEquals(AGENT, rec.value().agentId());
        assertEquals("700001", RecordHeaders.get(rec.headers(), RecordHeaders.MESSAGE_ID).orElseThrow());
        assertEquals("default", RecordHeaders.get(rec.headers(), RecordHeaders.APP).orElseThrow());
        assertTrue(RecordHeaders.get(rec.headers(), RecordHeaders.TRACE_ID).isPresent());
        long receivedAt = Long.parseLong(RecordHeaders.get(rec.headers(), RecordHeaders.RECEIVED_AT).orElseThrow());
        assertTrue(Math.abs(System.currentTimeMillis() - receivedAt) < 60_000);
    }

    @Test
    void the_same_msgid_twice_is_acknowledged_twice_and_published_once() {
        SignedCallback callback = IngressFixture.encoder().post(textXml(CORP, "lisi", "700002", "retry me"), nowSeconds());
        assertEquals(200, fx.post(PATH, callback).statusCode());
        HttpResponse<String> retry = fx.post(PATH, callback);
        assertEquals(200, retry.statusCode());
        assertEquals("success", retry.body());
        fx.sendText("lisi", "700003", "marker after the retry");
        List<ConsumerRecord<String, InboundMessage>> all = fx.inbound(1);
        find("700003");
        assertEquals(1, fx.inbound(1).stream().filter(r -> r.value().messageId().equals("700002")).count());
        assertTrue(fx.outcomeCount("duplicate") >= 1);
        assertTrue(all.size() >= 1);
    }

    @Test
    void bad_signature_and_stale_timestamp_are_403() {
        SignedCallback ok = IngressFixture.encoder().post(textXml(CORP, "u1", "700010", "x"), nowSeconds());
        String badSig = ok.query().replaceFirst("msg_signature=[0-9a-f]", "msg_signature=z");
        assertEquals(403, fx.post(PATH + "?" + badSig, ok.body()).statusCode());
        assertEquals(403, fx.post(PATH, ok.body()).statusCode(), "missing query parameters");

        SignedCallback stale = IngressFixture.encoder().post(textXml(CORP, "u1", "700011", "x"), nowSeconds() - 301);
        assertEquals(403, fx.post(PATH, stale).statusCode());
        SignedCallback future = IngressFixture.encoder().post(textXml(CORP, "u1", "700012", "x"), nowSeconds() + 400);
        assertEquals(403, fx.post(PATH, future).statusCode());
    }

    @Test
    void malformed_xml_base64_padding_and_receive_id_are_400() {
        WxBizMsgCrypt crypto = new WxBizMsgCrypt(TOKEN, AES_KEY, CORP);
        String ts = Long.toString(nowSeconds());
        // Broken outer XML.
        assertEquals(400, fx.post(PATH + "?msg_signature=x&timestamp=" + ts + "&nonce=1", "<xml><Encrypt>").statusCode());
        // Signed, but not base64.
        assertEquals(400, postSignedEncrypt(crypto, ts, "not*base64!").statusCode());
        // Signed base64 whose padding is wrong: 32 zero bytes encrypted are not valid PKCS#7 after decryption.
        assertEquals(400, postSignedEncrypt(crypto, ts, java.util.Base64.getEncoder().encodeToString(new byte[32])).statusCode());
        // Encrypted for another corp (receive_id mismatch) but signed with our token.
        String otherCorp = new WxBizMsgCrypt(TOKEN, AES_KEY, "wwothercorp").encrypt(textXml(CORP, "u", "700020", "x"));
        assertEquals(400, postSignedEncrypt(crypto, ts, otherCorp).statusCode());
        // Inner message that is not a WeCom message.
        assertEquals(400, postSignedEncrypt(crypto, ts, crypto.encrypt("<xml><Nothing/></xml>")).statusCode());
        assertTrue(fx.outcomeCount("bad_request") >= 5);
    }

    @Test
    void a_query_string_that_is_not_percent_encoded_utf8_is_400_and_nothing_is_published() {
        SignedCallback ok = IngressFixture.encoder().post(textXml(CORP, "u1", "700030", "x"), nowSeconds());
        // %C3 starts a two-byte sequence that %28 ('(') cannot continue. (Java's HttpClient refuses
        // to send a broken escape such as %ZZ at all.)
        String badUtf8 = ok.query().replaceFirst("nonce=", "nonce=%C3%28");
        double before = fx.outcomeCount("bad_request");
        assertEquals(400, fx.post(PATH + "?" + badUtf8, ok.body()).statusCode());
        assertEquals(400, fx.get(PATH + "?echostr=%C3%28").statusCode());
        assertEquals(before + 2, fx.outcomeCount("bad_request"));
        // The same callback with its query intact is accepted: the 400s published nothing.
        assertEquals(200, fx.post(PATH, ok).statusCode());
        assertEquals(1, fx.inbound(1).stream().filter(r -> r.value().messageId().equals("700030")).count());
    }

    @Test
    void xxe_in_outer_or_inner_xml_is_refused_and_nothing_is_published() {
        WxBizMsgCrypt crypto = new WxBizMsgCrypt(TOKEN, AES_KEY, CORP);
        String ts = Long.toString(nowSeconds());
        String outer = "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                + "<xml><ToUserName>&xxe;</ToUserName><Encrypt>abc</Encrypt></xml>";
        HttpResponse<String> r1 = fx.post(PATH + "?msg_signature=x&timestamp=" + ts + "&nonce=1", outer);
        assertEquals(400, r1.statusCode());
        assertTrue(!r1.body().contains("root:"));
        String inner = "<!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><xml><ToUserName>" + CORP
                + "</ToUserName><FromUserName>xxeuser</FromUserName><CreateTime>" + ts
                + "</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content><MsgId>700030</MsgId></xml>";
        assertEquals(400, postSignedEncrypt(crypto, ts, crypto.encrypt(inner)).statusCode());
        fx.sendText("xxeuser", "700031", "marker");
        find("700031");
        assertTrue(fx.inbound(1).stream().noneMatch(r -> r.value().messageId().equals("700030")));
    }

    @Test
    void body_larger_than_64_kib_is_413() {
        String big = "<xml><Encrypt>" + "A".repeat(70_000) + "</Encrypt></xml>";
        assertEquals(413, fx.post(PATH + "?msg_signature=x&timestamp=1&nonce=1", big).statusCode());
        assertTrue(fx.outcomeCount("too_large") >= 1);
    }

    @Test
    void callback_for_an_unknown_corp_is_403() {
        CallbackEncoder other = new CallbackEncoder(new WxBizMsgCrypt(TOKEN, AES_KEY, "wwunknown"), "wwunknown", AGENT);
        assertEquals(403, fx.post(PATH, other.post(textXml("wwunknown", "u", "700040", "x"), nowSeconds())).statusCode());
        assertEquals(403, fx.post(PATH + "/no-such-app", IngressFixture.encoder()
                .post(textXml(CORP, "u", "700041", "x"), nowSeconds())).statusCode());
    }

    @Test
    void every_message_type_is_published_with_its_fields_and_enter_agent_is_dropped() {
        long ts = nowSeconds();
        String image = "<xml><ToUserName><![CDATA[" + CORP + "]]></ToUserName><FromUserName><![CDATA[typer]]></FromUserName>"
                + "<CreateTime>" + ts + "</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://p/1.jpg]]></PicUrl>"
                + "<MediaId><![CDATA[media-1]]></MediaId><MsgId>700050</MsgId><AgentID>" + AGENT + "</AgentID></xml>";
        String location = "<xml><ToUserName>" + CORP + "</ToUserName><FromUserName>typer</FromUserName><CreateTime>" + ts
                + "</CreateTime><MsgType>location</MsgType><Location_X>23.1</Location_X><Location_Y>113.3</Location_Y>"
                + "<Scale>20</Scale><Label>Guangzhou</Label><MsgId>700051</MsgId><AgentID>" + AGENT + "</AgentID></xml>";
        String click = "<xml><ToUserName>" + CORP + "</ToUserName><FromUserName>typer</FromUserName><CreateTime>" + ts
                + "</CreateTime><MsgType>event</MsgType><Event>click</Event><EventKey>menu-1</EventKey><AgentID>" + AGENT
                + "</AgentID></xml>";
        String enter = "<xml><ToUserName>" + CORP + "</ToUserName><FromUserName>typer</FromUserName><CreateTime>" + ts
                + "</CreateTime><MsgType>event</MsgType><Event>enter_agent</Event><AgentID>" + AGENT + "</AgentID></xml>";
        for (String xml : List.of(image, location, click, enter)) {
            assertEquals(200, fx.post(PATH, IngressFixture.encoder().post(xml, ts)).statusCode());
        }
        fx.sendText("typer", "700052", "marker");
        find("700052");
        List<InboundMessage> typer = fx.inbound(1).stream().map(ConsumerRecord::value)
                .filter(m -> m.userId().equals("typer")).toList();
        InboundMessage img = typer.stream().filter(m -> m.messageId().equals("700050")).findFirst().orElseThrow();
        assertEquals("image", img.msgType());
        assertEquals("media-1", img.fields().get("MediaId"));
        assertEquals("http://p/1.jpg", img.fields().get("PicUrl"));
        InboundMessage loc = typer.stream().filter(m -> m.msgType().equals("location")).findFirst().orElseThrow();
        assertEquals("Guangzhou", loc.fields().get("Label"));
        InboundMessage ev = typer.stream().filter(m -> m.msgType().equals("event")).findFirst().orElseThrow();
        assertEquals("click", ev.fields().get("Event"));
        assertEquals("menu-1", ev.fields().get("EventKey"));
        assertTrue(ev.messageId().startsWith("event:"));
        assertEquals(1, typer.stream().filter(m -> m.msgType().equals("event")).count(), "enter_agent is dropped");
        assertTrue(fx.outcomeCount("dropped") >= 1);
    }

    @Test
    void health_ready_and_metrics_answer() {
        HttpResponse<String> health = fx.get("/health");
        assertEquals(200, health.statusCode());
        assertEquals("{\"status\":\"ok\"}", health.body());
        assertEquals(200, fx.get("/ready").statusCode());
        fx.sendText("metrics-user", "700060", "count me");
        HttpResponse<String> metrics = fx.get("/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("wecom_ingress_requests_total{outcome=\"accepted\"}"), metrics.body());
        assertTrue(metrics.body().contains("wecom_ingress_publish_seconds_bucket"));
        assertTrue(metrics.body().contains("wecom_ingress_handling_seconds_count"));
    }

    private HttpResponse<String> postSignedEncrypt(WxBizMsgCrypt crypto, String ts, String encrypt) {
        String nonce = "4242";
        String body = "<xml><ToUserName><![CDATA[" + CORP + "]]></ToUserName><Encrypt><![CDATA[" + encrypt
                + "]]></Encrypt><AgentID>" + AGENT + "</AgentID></xml>";
        return fx.post(PATH + "?msg_signature=" + crypto.signature(ts, nonce, encrypt) + "&timestamp=" + ts
                + "&nonce=" + nonce, body);
    }

    @Test
    void a_console_style_key_whose_last_character_is_not_canonical_base64_is_accepted_end_to_end() {
        // WeCom's console makes 43 letters and digits; a last 'Z' (011001) carries two low bits that
        // canonical base64 would have zero. Decoders ignore them, as Tencent's SDK does.
        String consoleKey = "Q3vT8pLm2XkR9wYb7NcJ4hFd6GsA1eUz0oKiPqWtVyZ";
        assertEquals(43, consoleKey.length());
        try (IngressFixture own = IngressFixture.start(fx.bootstrap,
                Map.of("WECOM_CALLBACK_ENCODING_AES_KEY", consoleKey))) {
            CallbackEncoder encoder = new CallbackEncoder(new WxBizMsgCrypt(TOKEN, consoleKey, CORP), CORP, AGENT);
            SignedCallback verify = encoder.verification("4242", nowSeconds());
            assertEquals("4242", own.get(PATH + "?" + verify.query()).body());

            HttpResponse<String> r = own.post(PATH, encoder.post(textXml(CORP, "wangwu", "700900", "key ends in Z"),
                    nowSeconds()));
            assertEquals(200, r.statusCode());
            assertEquals("success", r.body());
            assertEquals("key ends in Z", own.inbound(1).stream().filter(m -> m.value().messageId().equals("700900"))
                    .findFirst().orElseThrow(() -> new AssertionError("not published")).value().content());
        }
    }

    private ConsumerRecord<String, InboundMessage> find(String messageId) {
        return fx.inbound(1).stream().filter(r -> r.value().messageId().equals(messageId)).findFirst()
                .orElseThrow(() -> new AssertionError("message " + messageId + " not on the topic"));
    }
}
