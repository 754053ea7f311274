package dev.wecompipeline.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wecompipeline.crypto.MalformedXmlException;
import dev.wecompipeline.crypto.WeComCryptoException;
import java.net.URL;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * XXE and entity-expansion payloads must be refused with -40002. Refused, not parsed with the
 * entity dropped: a parser that quietly returns the surrounding text hides an attack.
 */
class WeComXmlSecurityTest {

    private static final String CANARY = "XXE-CANARY";
    private static final URL SECRET = WeComXmlSecurityTest.class.getResource("/xxe/secret.txt");
    private static final URL EXTERNAL_DTD = WeComXmlSecurityTest.class.getResource("/xxe/external.dtd");

    private static final String MESSAGE_BODY = "<ToUserName>ww1</ToUserName><FromUserName>u</FromUserName>"
            + "<CreateTime>1700000000</CreateTime><MsgType>text</MsgType>";

    @Test
    void envelope_with_an_external_file_entity_is_refused() {
        assertRefused(WeComXml::parseEnvelope, "<?xml version=\"1.0\"?>"
                + "<!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                + "<xml><ToUserName>ww1</ToUserName><Encrypt>&xxe;</Encrypt></xml>", "DOCTYPE");
    }

    @Test
    void envelope_with_an_entity_reading_a_known_file_is_refused_without_its_content() {
        assertRefused(WeComXml::parseEnvelope, "<!DOCTYPE xml [<!ENTITY xxe SYSTEM \"" + SECRET + "\">]>"
                + "<xml><Encrypt>abc&xxe;</Encrypt></xml>", "DOCTYPE");
    }

    @Test
    void inner_message_with_an_external_file_entity_is_refused() {
        assertRefused(WeComXml::parseMessage, "<!DOCTYPE xml [<!ENTITY xxe SYSTEM \"" + SECRET + "\">]>"
                + "<xml>" + MESSAGE_BODY + "<Content>&xxe;</Content></xml>", "DOCTYPE");
        assertRefused(WeComXml::parseMessage, "<!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                + "<xml>" + MESSAGE_BODY + "<Content>&xxe;</Content></xml>", "DOCTYPE");
    }

    @Test
    void billion_laughs_is_refused_before_any_expansion() {
        StringBuilder dtd = new StringBuilder("<!DOCTYPE xml [<!ENTITY lol0 \"lol\">");
        for (int i = 1; i <= 9; i++) {
            String previous = "&lol" + (i - 1) + ";";
            dtd.append("<!ENTITY lol").append(i).append(" \"").append(previous.repeat(10)).append("\">");
        }
        dtd.append("]>");

        assertRefused(WeComXml::parseMessage, dtd + "<xml>" + MESSAGE_BODY + "<Content>&lol9;</Content></xml>",
                "DOCTYPE");
        assertRefused(WeComXml::parseEnvelope, dtd + "<xml><Encrypt>&lol9;</Encrypt></xml>", "DOCTYPE");
    }

    @Test
    void parameter_entity_is_refused() {
        assertRefused(WeComXml::parseEnvelope, "<!DOCTYPE xml [<!ENTITY % pe SYSTEM \"" + EXTERNAL_DTD + "\"> %pe;]>"
                + "<xml><Encrypt>&canary;</Encrypt></xml>", "DOCTYPE");
        assertRefused(WeComXml::parseMessage, "<!DOCTYPE xml [<!ENTITY % pe SYSTEM \"file:///etc/passwd\"> %pe;]>"
                + "<xml>" + MESSAGE_BODY + "</xml>", "DOCTYPE");
    }

    @Test
    void external_dtd_reference_is_refused() {
        assertRefused(WeComXml::parseEnvelope, "<!DOCTYPE xml SYSTEM \"" + EXTERNAL_DTD + "\">"
                + "<xml><Encrypt>x&canary;&inline;</Encrypt></xml>", "DOCTYPE");
        assertRefused(WeComXml::parseMessage, "<!DOCTYPE xml PUBLIC \"-//X//Y\" \"" + EXTERNAL_DTD + "\">"
                + "<xml>" + MESSAGE_BODY + "<Content>&inline;</Content></xml>", "DOCTYPE");
    }

    @Test
    void a_doctype_is_refused_even_when_the_document_is_otherwise_harmless() {
        assertRefused(WeComXml::parseEnvelope, "<!DOCTYPE xml><xml><Encrypt>abc</Encrypt></xml>", "DOCTYPE");
    }

    @Test
    void undeclared_entity_references_are_refused_not_dropped() {
        assertRefused(WeComXml::parseEnvelope, "<xml><Encrypt>abc&xxe;def</Encrypt></xml>", "entity");
        assertRefused(WeComXml::parseMessage, "<xml>" + MESSAGE_BODY + "<Content>&xxe;</Content></xml>", "entity");
        assertRefused(WeComXml::parseMessage, "<xml>" + MESSAGE_BODY + "<Unknown>&xxe;</Unknown></xml>", "entity");
    }

    @Test
    void the_canary_file_is_readable_so_the_refusals_above_are_meaningful() throws Exception {
        try (var in = SECRET.openStream()) {
            assertTrue(new String(in.readAllBytes()).contains(CANARY));
        }
    }

    private static void assertRefused(Function<String, ?> parser, String xml, String reason) {
        MalformedXmlException e = assertThrows(MalformedXmlException.class, () -> parser.apply(xml));

        assertEquals(WeComCryptoException.PARSE_XML_ERROR, e.errorCode());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertFalse(e.toString().contains(CANARY), e.toString());
        assertFalse(e.toString().contains("root:"), e.toString());
        assertFalse(e.toString().contains("lollol"), e.toString());
    }
}
