package dev.wecompipeline.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wecompipeline.crypto.MalformedXmlException;
import dev.wecompipeline.crypto.WeComCryptoException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WeComXmlTest {

    private static final String HEAD = "<xml><ToUserName><![CDATA[ww1234567890abcdef]]></ToUserName>"
            + "<FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>1700000000</CreateTime>";
    private static final String TAIL = "<AgentID>1000002</AgentID></xml>";

    @Test
    void envelope_gives_addressee_agent_and_ciphertext() {
        CallbackEnvelope env = WeComXml.parseEnvelope("<xml><ToUserName><![CDATA[ww1234567890abcdef]]></ToUserName>"
                + "<AgentID><![CDATA[1000002]]></AgentID><Encrypt><![CDATA[RypEvHKD8QQ+KFhvQ6Q==]]></Encrypt></xml>");

        assertEquals(new CallbackEnvelope("ww1234567890abcdef", "1000002", "RypEvHKD8QQ+KFhvQ6Q=="), env);
    }

    @Test
    void envelope_without_encrypt_is_malformed() {
        MalformedXmlException e = assertThrows(MalformedXmlException.class,
                () -> WeComXml.parseEnvelope("<xml><ToUserName>ww1</ToUserName><AgentID>1</AgentID></xml>"));

        assertEquals(WeComCryptoException.PARSE_XML_ERROR, e.errorCode());
        assertTrue(e.getMessage().contains("Encrypt"), e.getMessage());
    }

    @Test
    void text_message_parses_with_its_fields() {
        InboundXmlMessage m = WeComXml.parseMessage(HEAD + "<MsgType><![CDATA[text]]></MsgType>"
                + "<Content><![CDATA[  你好 <b>世界</b> & ]]></Content><MsgId>7234567890123456789</MsgId>" + TAIL);

        assertEquals("ww1234567890abcdef", m.toUserName());
        assertEquals("zhangsan", m.fromUserName());
        assertEquals(1_700_000_000L, m.createTime());
        assertEquals("text", m.msgType());
        assertEquals("  你好 <b>世界</b> & ", m.content(), "CDATA text is kept verbatim, whitespace included");
        assertEquals("7234567890123456789", m.msgId());
        assertEquals("1000002", m.agentId());
        assertFalse(m.isEvent());
    }

    @Test
    void image_message_parses_with_its_fields() {
        InboundXmlMessage m = WeComXml.parseMessage(HEAD + "<MsgType><![CDATA[image]]></MsgType>"
                + "<PicUrl><![CDATA[https://wework.qpic.cn/wwpic/abc/0]]></PicUrl>"
                + "<MediaId><![CDATA[1Yv-zXfHjSjU-7LH-GwtYqDGS-zz6w22KmWAT5COgP7o]]></MediaId>"
                + "<MsgId>1234567890123456</MsgId>" + TAIL);

        assertEquals("image", m.msgType());
        assertEquals("https://wework.qpic.cn/wwpic/abc/0", m.picUrl());
        assertEquals("1Yv-zXfHjSjU-7LH-GwtYqDGS-zz6w22KmWAT5COgP7o", m.mediaId());
    }

    @Test
    void voice_message_parses_with_its_fields() {
        InboundXmlMessage m = WeComXml.parseMessage(HEAD + "<MsgType><![CDATA[voice]]></MsgType>"
                + "<MediaId><![CDATA[voice-media]]></MediaId><Format><![CDATA[amr]]></Format>"
                + "<MsgId>1234567890123457</MsgId>" + TAIL);

        assertEquals("voice", m.msgType());
        assertEquals("voice-media", m.mediaId());
        assertEquals("amr", m.format());
    }

    @Test
    void video_message_parses_with_its_fields() {
        InboundXmlMessage m = WeComXml.parseMessage(HEAD + "<MsgType><![CDATA[video]]></MsgType>"
                + "<MediaId><![CDATA[video-media]]></MediaId><ThumbMediaId><![CDATA[thumb-media]]></ThumbMediaId>"
                + "<MsgId>1234567890123458</MsgId>" + TAIL);

        assertEquals("video-media", m.mediaId());
        assertEquals("thumb-media", m.thumbMediaId());
    }

    @Test
    void file_message_parses_with_its_fields() {
        InboundXmlMessage m = WeComXml.parseMessage(HEAD + "<MsgType><![CDATA[file]]></MsgType>"
                + "<MediaId><![CDATA[file-media]]></MediaId><FileName><![CDATA[季度报告.pdf]]></FileName>"
                + "<FileExtension><![CDATA[pdf]]></FileExtension><FileSize>204800</FileSize>"
                + "<MsgId>1234567890123459</MsgId>" + TAIL);

        assertEquals("file", m.msgType());
        assertEquals("file-media", m.mediaId());
        assertEquals("季度报告.pdf", m.fileName());
        assertEquals("pdf", m.fileExtension());
        assertEquals("204800", m.fileSize());
    }

    @Test
    void location_message_parses_with_its_fields() {
        InboundXmlMessage m = WeComXml.parseMessage(HEAD + "<MsgType><![CDATA[location]]></MsgType>"
                + "<Location_X>23.134521</Location_X><Location_Y>113.358803</Location_Y><Scale>20</Scale>"
                + "<Label><![CDATA[广州市海珠区客村艺苑路 106号]]></Label><MsgId>1234567890123460</MsgId>"
                + "<AgentID>1000002</AgentID><AppType><![CDATA[wxwork]]></AppType></xml>");

        assertEquals("23.134521", m.locationX());
        assertEquals("113.358803", m.locationY());
        assertEquals("20", m.scale());
        assertEquals("广州市海珠区客村艺苑路 106号", m.label());
    }

    @Test
    void link_message_parses_with_its_fields() {
        InboundXmlMessage m = WeComXml.parseMessage(HEAD + "<MsgType><![CDATA[link]]></MsgType>"
                + "<Title><![CDATA[企业微信]]></Title><Description><![CDATA[工作沟通工具]]></Description>"
                + "<Url><![CDATA[https://work.weixin.qq.com/?a=1&b=2]]></Url>"
                + "<PicUrl><![CDATA[https://work.weixin.qq.com/logo.png]]></PicUrl>"
                + "<MsgId>1234567890123461</MsgId>" + TAIL);

        assertEquals("企业微信", m.title());
        assertEquals("工作沟通工具", m.description());
        assertEquals("https://work.weixin.qq.com/?a=1&b=2", m.url());
        assertEquals("https://work.weixin.qq.com/logo.png", m.picUrl());
    }

    @Test
    void event_parses_with_its_fields_and_no_msg_id() {
        InboundXmlMessage m = WeComXml.parseMessage(HEAD + "<MsgType><![CDATA[event]]></MsgType>"
                + "<Event><![CDATA[enter_agent]]></Event><EventKey><![CDATA[]]></EventKey>" + TAIL);

        assertTrue(m.isEvent());
        assertEquals("enter_agent", m.event());
        assertTrue(m.eventKey() == null || m.eventKey().isEmpty(), m.eventKey());
        assertNull(m.msgId());
        assertEquals("event:ww1234567890abcdef:1000002:zhangsan:1700000000:enter_agent:", m.stableMessageId());
    }

    @Test
    void unknown_elements_are_ignored() {
        InboundXmlMessage m = WeComXml.parseMessage(HEAD + "<MsgType><![CDATA[text]]></MsgType>"
                + "<Content><![CDATA[hi]]></Content><NewField>x</NewField>"
                + "<Nested><Deep><Deeper>1</Deeper></Deep><Content>not this one</Content></Nested>"
                + "<MsgId>1</MsgId>" + TAIL);

        assertEquals("hi", m.content());
        assertEquals("1", m.msgId());
    }

    @Test
    void predefined_entities_and_character_references_are_decoded() {
        InboundXmlMessage m = WeComXml.parseMessage(HEAD + "<MsgType>text</MsgType>"
                + "<Content>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &#x4E2D;&#25991;</Content>" + TAIL);

        assertEquals("a <b> & \"c\" 'd' 中文", m.content());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ToUserName", "FromUserName", "CreateTime", "MsgType"})
    void message_without_a_required_field_is_malformed(String field) {
        String xml = (HEAD + "<MsgType><![CDATA[text]]></MsgType><Content>hi</Content>" + TAIL)
                .replaceAll("<" + field + ">.*?</" + field + ">", "");

        MalformedXmlException e = assertThrows(MalformedXmlException.class, () -> WeComXml.parseMessage(xml));

        assertTrue(e.getMessage().contains(field), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"<CreateTime></CreateTime>", "<CreateTime>0</CreateTime>", "<CreateTime>-1</CreateTime>",
            "<CreateTime>soon</CreateTime>", "<CreateTime>99999999999999999999</CreateTime>"})
    void message_with_an_unusable_create_time_is_malformed(String createTime) {
        String xml = HEAD.replace("<CreateTime>1700000000</CreateTime>", createTime)
                + "<MsgType>text</MsgType>" + TAIL;

        assertThrows(MalformedXmlException.class, () -> WeComXml.parseMessage(xml));
    }

    @Test
    void malformed_message_errors_do_not_quote_the_plaintext() {
        String xml = HEAD + "<MsgType>text</MsgType><Content>my bank password is hunter2</Content>"
                + "<CreateTime>hunter2</CreateTime>" + TAIL;

        MalformedXmlException e = assertThrows(MalformedXmlException.class, () -> WeComXml.parseMessage(xml));

        assertFalse(e.toString().contains("hunter2"), e.toString());
        assertNull(e.getCause());
    }

    @Test
    void missing_message_is_malformed() {
        assertThrows(MalformedXmlException.class, () -> WeComXml.parseMessage(null));
    }

    @Test
    void to_xml_round_trips_every_field_including_cdata_terminators() {
        InboundXmlMessage m = new InboundXmlMessage("ww1", "li:si", 1_700_000_001L, "link", "42", "1000002",
                "a ]]> b ]]]]> c", "p", "m", "f", "t", "1.5", "2.5", "15", "l", "标题", "d", "https://x/?a=1&b=<2>",
                "e", "k", "n.txt", "txt", "12");

        String xml = WeComXml.toXml(m);

        assertTrue(xml.contains("<Content><![CDATA[a ]]]]><![CDATA[> b"), xml);
        assertEquals(m, WeComXml.parseMessage(xml));
    }

    @Test
    void to_xml_refuses_characters_xml_cannot_carry() {
        InboundXmlMessage m = InboundXmlMessage.text("ww1", "u", 1L, "1", "2", "nul \u0000 char");

        assertThrows(IllegalArgumentException.class, () -> WeComXml.toXml(m));
    }

    @Test
    void stable_id_is_the_msg_id_when_present() {
        InboundXmlMessage m = InboundXmlMessage.text("ww1", "u", 1_700_000_000L, "1", "7234567890123456789", "hi");

        assertEquals("7234567890123456789", m.stableMessageId());
    }

    @Test
    void event_ids_differ_when_event_key_or_create_time_or_user_or_event_differ() {
        InboundXmlMessage base = InboundXmlMessage.event("ww1", "u1", 1_700_000_000L, "1", "click", "menu_a");

        assertEquals(base.stableMessageId(),
                InboundXmlMessage.event("ww1", "u1", 1_700_000_000L, "1", "click", "menu_a").stableMessageId());
        assertNotEquals(base.stableMessageId(),
                InboundXmlMessage.event("ww1", "u1", 1_700_000_000L, "1", "click", "menu_b").stableMessageId());
        assertNotEquals(base.stableMessageId(),
                InboundXmlMessage.event("ww1", "u1", 1_700_000_001L, "1", "click", "menu_a").stableMessageId());
        assertNotEquals(base.stableMessageId(),
                InboundXmlMessage.event("ww1", "u2", 1_700_000_000L, "1", "click", "menu_a").stableMessageId());
        assertNotEquals(base.stableMessageId(),
                InboundXmlMessage.event("ww1", "u1", 1_700_000_000L, "1", "view", "menu_a").stableMessageId());
        assertNotEquals(base.stableMessageId(),
                InboundXmlMessage.event("ww1", "u1", 1_700_000_000L, "2", "click", "menu_a").stableMessageId());
    }

    @Test
    void event_ids_cannot_be_confused_by_colons_in_values() {
        InboundXmlMessage a = InboundXmlMessage.event("ww1", "u1", 1_700_000_000L, "1", "x:y", "z");
        InboundXmlMessage b = InboundXmlMessage.event("ww1", "u1", 1_700_000_000L, "1", "x", "y:z");

        assertNotEquals(a.stableMessageId(), b.stableMessageId());
    }

    @Test
    void messages_without_msg_id_get_a_key_that_tracks_their_content() {
        InboundXmlMessage a = InboundXmlMessage.text("ww1", "u1", 1_700_000_000L, "1", " ", "first");
        InboundXmlMessage again = InboundXmlMessage.text("ww1", "u1", 1_700_000_000L, "1", null, "first");
        InboundXmlMessage b = InboundXmlMessage.text("ww1", "u1", 1_700_000_000L, "1", null, "second");

        assertTrue(a.stableMessageId().startsWith("msg:ww1:1:u1:1700000000:text:"), a.stableMessageId());
        assertEquals(a.stableMessageId(), again.stableMessageId());
        assertNotEquals(a.stableMessageId(), b.stableMessageId());
    }
}
