package dev.wecompipeline.xml;

import dev.wecompipeline.crypto.MalformedXmlException;

import java.util.List;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;

/**
 * Parses WeCom's callback XML safely: the outer envelope and the decrypted inner message.
 *
 * <p>Like Tencent's SDK, any DOCTYPE and any entity reference other than the five predefined ones
 * and character references is <em>refused</em> with {@link MalformedXmlException}: not expanded,
 * not fetched, and not silently dropped either (a StAX parser with DTD support off would otherwise
 * hand back the text around {@code &xxe;} as if nothing had been there). Unknown elements are
 * ignored because WeCom adds fields over time. Content after the root element is refused.
 *
 * <p>Each document is read in one streaming pass ({@link XmlFields}). Stateless and thread-safe;
 * the StAX factory is built once.
 *
 * <pre>{@code
 * CallbackEnvelope env = WeComXml.parseEnvelope(body);
 * InboundXmlMessage msg = WeComXml.parseMessage(innerXml);
 * }</pre>
 */
public final class WeComXml {

    private static final XMLInputFactory INPUT = secureInputFactory();
    private static final XmlFields ENVELOPE = new XmlFields(List.of("ToUserName", "AgentID", "Encrypt"));
    // In the order of InboundXmlMessage's components; WeCom adds elements without notice, and those are skipped.
    private static final XmlFields MESSAGE = new XmlFields(List.of("ToUserName", "FromUserName", "CreateTime",
            "MsgType", "MsgId", "AgentID", "Content", "PicUrl", "MediaId", "Format", "ThumbMediaId", "Location_X",
            "Location_Y", "Scale", "Label", "Title", "Description", "Url", "Event", "EventKey", "FileName",
            "FileExtension", "FileSize"));

    private WeComXml() {
    }

    /**
     * Parses the outer {@code <xml>} of a callback POST.
     *
     * @throws MalformedXmlException if the body is not well-formed, uses a DOCTYPE or entity, or
     *     lacks a non-blank {@code Encrypt}
     */
    public static CallbackEnvelope parseEnvelope(String xml) {
        String[] v = read(ENVELOPE, xml, "callback body");
        try {
            return new CallbackEnvelope(v[0], v[1], v[2]);
        } catch (IllegalArgumentException e) {
            throw new MalformedXmlException("callback body rejected: " + e.getMessage());
        }
    }

    /**
     * Parses a decrypted message.
     *
     * @throws MalformedXmlException if it is not well-formed, uses a DOCTYPE or entity, or lacks
     *     {@code ToUserName}, {@code FromUserName}, {@code MsgType} or a positive {@code CreateTime}
     */
    public static InboundXmlMessage parseMessage(String innerXml) {
        String[] v = read(MESSAGE, innerXml, "message");
        try {
            return new InboundXmlMessage(v[0], v[1], createTime(v[2]), v[3], v[4], v[5], v[6], v[7], v[8], v[9],
                    v[10], v[11], v[12], v[13], v[14], v[15], v[16], v[17], v[18], v[19], v[20], v[21], v[22]);
        } catch (IllegalArgumentException e) {
            // Our record constructors' messages name fields only, never their values.
            throw new MalformedXmlException("message rejected: " + e.getMessage());
        }
    }

    /**
     * Writes a message as WeCom's inner XML (text in CDATA, absent fields omitted), for simulators
     * and tests. The result round-trips through {@link #parseMessage}.
     *
     * @throws IllegalArgumentException if a field holds characters XML 1.0 cannot carry
     */
    public static String toXml(InboundXmlMessage m) {
        StringBuilder xml = new StringBuilder(256).append("<xml>");
        cdata(xml, "ToUserName", m.toUserName());
        cdata(xml, "FromUserName", m.fromUserName());
        xml.append("<CreateTime>").append(m.createTime()).append("</CreateTime>");
        cdata(xml, "MsgType", m.msgType());
        cdata(xml, "Content", m.content());
        cdata(xml, "PicUrl", m.picUrl());
        cdata(xml, "MediaId", m.mediaId());
        cdata(xml, "Format", m.format());
        cdata(xml, "ThumbMediaId", m.thumbMediaId());
        cdata(xml, "Location_X", m.locationX());
        cdata(xml, "Location_Y", m.locationY());
        cdata(xml, "Scale", m.scale());
        cdata(xml, "Label", m.label());
        cdata(xml, "Title", m.title());
        cdata(xml, "Description", m.description());
        cdata(xml, "Url", m.url());
        cdata(xml, "Event", m.event());
        cdata(xml, "EventKey", m.eventKey());
        cdata(xml, "FileName", m.fileName());
        cdata(xml, "FileExtension", m.fileExtension());
        cdata(xml, "FileSize", m.fileSize());
        cdata(xml, "MsgId", m.msgId());
        cdata(xml, "AgentID", m.agentId());
        return xml.append("</xml>").toString();
    }

    private static String[] read(XmlFields fields, String xml, String what) {
        if (xml == null) {
            throw new MalformedXmlException(what + " is missing");
        }
        try {
            return fields.read(INPUT, xml);
        } catch (XMLStreamException | RuntimeException e) {
            // RuntimeException too: Woodstox reports some errors lazily as unchecked exceptions,
            // and untrusted input must only ever produce MalformedXmlException. No cause is attached
            // because parser messages quote the document, which for inner messages is plaintext.
            throw new MalformedXmlException(what + " rejected: " + describe(e));
        }
    }

    /** {@code CreateTime} as epoch seconds; 0 (refused by the record) when absent or empty. */
    private static long createTime(String text) {
        String digits = text == null ? "" : text.strip();
        if (digits.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            // Not e's message: it quotes the value, which is plaintext.
            throw new IllegalArgumentException("CreateTime is not a number of seconds");
        }
    }

    private static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof XmlFields.Refused refused) {
                return refused.getMessage() + at(refused.getLocation());
            }
        }
        if (e instanceof XMLStreamException xse) {
            return "not well-formed (" + e.getClass().getSimpleName() + ")" + at(xse.getLocation());
        }
        return "not well-formed (" + e.getClass().getSimpleName() + ")";
    }

    private static String at(Location location) {
        return location == null || location.getLineNumber() < 0 ? ""
                : " at line " + location.getLineNumber() + ", column " + location.getColumnNumber();
    }

    private static void cdata(StringBuilder xml, String element, String value) {
        if (value == null) {
            return;
        }
        if (!value.codePoints().allMatch(WeComXml::isXmlChar)) {
            throw new IllegalArgumentException(element + " contains characters XML 1.0 cannot represent");
        }
        // "]]>" would end the section early: close it between "]]" and ">" and reopen.
        xml.append('<').append(element).append("><![CDATA[")
                .append(value.replace("]]>", "]]]]><![CDATA[>"))
                .append("]]></").append(element).append('>');
    }

    private static boolean isXmlChar(int c) {
        return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
                || (c >= 0xE000 && c <= 0xFFFD) || c >= 0x10000;
    }

    private static XMLInputFactory secureInputFactory() {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        // No DTD processing at all: internal subsets are neither parsed nor their entities declared.
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        // Never resolve external entities (XXE: file:// or http:// reads).
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        // Report entity references as events instead of expanding them, so XmlFields refuses them.
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        // Belt and braces: if anything still tried to load an external resource, make it fail.
        factory.setXMLResolver((publicId, systemId, baseUri, namespace) -> {
            throw new XmlFields.Refused("external resources are refused", null);
        });
        return factory;
    }
}
