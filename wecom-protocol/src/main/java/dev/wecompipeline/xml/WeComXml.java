package dev.wecompipeline.xml;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.xml.XmlFactory;
import com.fasterxml.jackson.dataformat.xml.XmlMapper;
import dev.wecompipeline.crypto.MalformedXmlException;

import java.io.IOException;
import java.io.StringReader;
import java.util.stream.Collectors;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.util.StreamReaderDelegate;

/**
 * Parses WeCom's callback XML safely: the outer envelope and the decrypted inner message.
 *
 * <p>Like Tencent's SDK, any DOCTYPE and any entity reference other than the five predefined ones
 * and character references is <em>refused</em> with {@link MalformedXmlException}: not expanded,
 * not fetched, and not silently dropped either (a StAX parser with DTD support off would otherwise
 * hand back the text around {@code &xxe;} as if nothing had been there). Unknown elements are
 * ignored because WeCom adds fields over time. Content after the root element is refused.
 *
 * <p>Stateless and thread-safe; the mapper and the StAX factory are built once.
 *
 * <pre>{@code
 * CallbackEnvelope env = WeComXml.parseEnvelope(body);
 * InboundXmlMessage msg = WeComXml.parseMessage(innerXml);
 * }</pre>
 */
public final class WeComXml {

    private static final XMLInputFactory INPUT = secureInputFactory();
    private static final XmlMapper MAPPER = XmlMapper.builder(XmlFactory.builder().xmlInputFactory(INPUT).build())
            // WeCom adds elements to its messages without notice; they must not break parsing.
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .build();

    private WeComXml() {
    }

    /**
     * Parses the outer {@code <xml>} of a callback POST.
     *
     * @throws MalformedXmlException if the body is not well-formed, uses a DOCTYPE or entity, or
     *     lacks a non-blank {@code Encrypt}
     */
    public static CallbackEnvelope parseEnvelope(String xml) {
        return read(xml, CallbackEnvelope.class, "callback body");
    }

    /**
     * Parses a decrypted message.
     *
     * @throws MalformedXmlException if it is not well-formed, uses a DOCTYPE or entity, or lacks
     *     {@code ToUserName}, {@code FromUserName}, {@code MsgType} or a positive {@code CreateTime}
     */
    public static InboundXmlMessage parseMessage(String innerXml) {
        return read(innerXml, InboundXmlMessage.class, "message");
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

    private static <T> T read(String xml, Class<T> type, String what) {
        if (xml == null) {
            throw new MalformedXmlException(what + " is missing");
        }
        try {
            XMLStreamReader reader = new RefusingReader(INPUT.createXMLStreamReader(new StringReader(xml)));
            T value = MAPPER.readValue(reader, type);
            // Jackson stops at the root's end tag; read on so trailing junk is refused too.
            while (reader.hasNext()) {
                reader.next();
            }
            return value;
        } catch (IOException | XMLStreamException | RuntimeException e) {
            // RuntimeException too: Woodstox reports some errors lazily as unchecked exceptions,
            // and untrusted input must only ever produce MalformedXmlException. No cause is attached
            // because parser messages quote the document, which for inner messages is plaintext.
            throw new MalformedXmlException(what + " rejected: " + describe(e));
        }
    }

    private static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Refused) {
                return t.getMessage() + at(((Refused) t).getLocation());
            }
        }
        if (e instanceof ValueInstantiationException && e.getCause() instanceof IllegalArgumentException) {
            // Our record constructors' messages name fields only.
            return e.getCause().getMessage();
        }
        if (e instanceof JsonMappingException jme && !jme.getPath().isEmpty()) {
            String path = jme.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            return "unexpected content at " + path + " (" + e.getClass().getSimpleName() + ")";
        }
        if (e instanceof JacksonException je) {
            return "not well-formed (" + e.getClass().getSimpleName() + ")" + at(je.getLocation());
        }
        if (e instanceof XMLStreamException xse) {
            return "not well-formed (" + e.getClass().getSimpleName() + ")" + at(xse.getLocation());
        }
        return "not well-formed (" + e.getClass().getSimpleName() + ")";
    }

    private static String at(JsonLocation location) {
        return location == null || location.getLineNr() < 0 ? ""
                : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
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
        // Report entity references as events instead of expanding them, so RefusingReader sees them.
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        // Belt and braces: if anything still tried to load an external resource, make it fail.
        factory.setXMLResolver((publicId, systemId, baseUri, namespace) -> {
            throw new Refused("external resources are refused", null);
        });
        return factory;
    }

    /**
     * Turns the DOCTYPE and entity-reference events, which the factory settings merely stop
     * expanding, into errors, so such documents are refused rather than parsed minus the entity.
     */
    private static final class RefusingReader extends StreamReaderDelegate {

        RefusingReader(XMLStreamReader reader) {
            super(reader);
        }

        @Override
        public int next() throws XMLStreamException {
            int event = super.next();
            if (event == DTD) {
                throw new Refused("DOCTYPE declarations are refused", getLocation());
            }
            if (event == ENTITY_REFERENCE) {
                throw new Refused("entity references are refused", getLocation());
            }
            return event;
        }

        // The delegate's defaults would step the underlying reader directly, bypassing next().
        @Override
        public int nextTag() throws XMLStreamException {
            int event = next();
            while (event == CHARACTERS && isWhiteSpace() || event == CDATA && isWhiteSpace()
                    || event == SPACE || event == COMMENT || event == PROCESSING_INSTRUCTION) {
                event = next();
            }
            if (event != START_ELEMENT && event != END_ELEMENT) {
                throw new XMLStreamException("expected a start or end tag", getLocation());
            }
            return event;
        }

        @Override
        public String getElementText() throws XMLStreamException {
            StringBuilder text = new StringBuilder();
            for (int event = next(); event != END_ELEMENT; event = next()) {
                if (event == CHARACTERS || event == CDATA || event == SPACE) {
                    text.append(getText());
                } else if (event == START_ELEMENT || event == END_DOCUMENT) {
                    throw new XMLStreamException("element text expected", getLocation());
                }
            }
            return text.toString();
        }
    }

    /** A construct refused on purpose, as opposed to a plain syntax error. */
    private static final class Refused extends XMLStreamException {

        private static final long serialVersionUID = 1L;

        Refused(String message, Location location) {
            // Not super(message, location): that variant dereferences a null location.
            super(message);
            this.location = location;
        }
    }
}
