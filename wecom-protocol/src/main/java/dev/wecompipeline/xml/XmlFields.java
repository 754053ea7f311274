package dev.wecompipeline.xml;

import java.io.StringReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * One streaming StAX pass over a flat WeCom document ({@code <xml><Name>text</Name>...</xml>}),
 * keeping the text of the named child elements. It replaced Jackson's data binding, which cost a
 * token buffer, a bean deserializer and a second copy of every value per document, twice per
 * callback (envelope and message): 10-13 % of the ingress's CPU samples under load.
 *
 * <p>Refuses what {@link WeComXml} promises to refuse: a DOCTYPE and any entity reference the
 * parser did not resolve itself (only the five predefined entities and character references are),
 * and content after the root element. Unknown elements are skipped, whatever they contain; a known
 * element that holds elements instead of text is refused. Attributes are ignored.
 */
final class XmlFields {

    private final Map<String, Integer> slots = new HashMap<>();

    /** @param names the child elements to keep, in the order {@link #read} returns their values */
    XmlFields(List<String> names) {
        for (int i = 0; i < names.size(); i++) {
            slots.put(names.get(i), i);
        }
    }

    /**
     * The text of each named child of the root element, null where absent; the last occurrence
     * wins, as it did with Jackson.
     *
     * @throws XMLStreamException if the document is not well-formed or uses a refused construct
     */
    String[] read(XMLInputFactory input, String xml) throws XMLStreamException {
        String[] values = new String[slots.size()];
        XMLStreamReader reader = input.createXMLStreamReader(new StringReader(xml));
        try {
            int event = next(reader);
            while (event != XMLStreamConstants.START_ELEMENT) {
                if (event == XMLStreamConstants.END_DOCUMENT) {
                    throw new XMLStreamException("no root element");
                }
                event = next(reader);
            }
            for (event = next(reader); event != XMLStreamConstants.END_ELEMENT; event = next(reader)) {
                if (event == XMLStreamConstants.START_ELEMENT) {
                    Integer slot = slots.get(reader.getLocalName());
                    if (slot == null) {
                        skipElement(reader);
                    } else {
                        values[slot] = text(reader);
                    }
                } else if (event == XMLStreamConstants.END_DOCUMENT) {
                    throw new XMLStreamException("root element not closed");
                }
                // Text, comments and processing instructions between the fields carry nothing.
            }
            // Read on to the end so that content after the root element is refused too.
            while (reader.hasNext()) {
                next(reader);
            }
            return values;
        } finally {
            reader.close();
        }
    }

    /** The element's text, CDATA sections included; the reader ends on its end tag. */
    private static String text(XMLStreamReader reader) throws XMLStreamException {
        String name = reader.getLocalName();
        String first = null;
        StringBuilder more = null;
        for (int event = next(reader); event != XMLStreamConstants.END_ELEMENT; event = next(reader)) {
            if (event == XMLStreamConstants.CHARACTERS || event == XMLStreamConstants.CDATA
                    || event == XMLStreamConstants.SPACE) {
                // Most values arrive in one chunk: keep that String rather than copying it through a builder.
                if (first == null) {
                    first = reader.getText();
                } else {
                    if (more == null) {
                        more = new StringBuilder(first);
                    }
                    more.append(reader.getTextCharacters(), reader.getTextStart(), reader.getTextLength());
                }
            } else if (event == XMLStreamConstants.START_ELEMENT) {
                throw new Refused("unexpected content at " + name, reader.getLocation());
            } else if (event == XMLStreamConstants.END_DOCUMENT) {
                throw new XMLStreamException("element not closed");
            }
        }
        return more != null ? more.toString() : first == null ? "" : first;
    }

    private static void skipElement(XMLStreamReader reader) throws XMLStreamException {
        int depth = 1;
        while (depth > 0) {
            int event = next(reader);
            if (event == XMLStreamConstants.START_ELEMENT) {
                depth++;
            } else if (event == XMLStreamConstants.END_ELEMENT) {
                depth--;
            } else if (event == XMLStreamConstants.END_DOCUMENT) {
                throw new XMLStreamException("element not closed");
            }
        }
    }

    /**
     * The next event, refusing the DOCTYPE and entity-reference events that the factory settings
     * merely stop expanding, so such documents are refused rather than parsed minus the entity.
     */
    private static int next(XMLStreamReader reader) throws XMLStreamException {
        int event = reader.next();
        if (event == XMLStreamConstants.DTD) {
            throw new Refused("DOCTYPE declarations are refused", reader.getLocation());
        }
        if (event == XMLStreamConstants.ENTITY_REFERENCE) {
            throw new Refused("entity references are refused", reader.getLocation());
        }
        return event;
    }

    /** A construct refused on purpose, as opposed to a plain syntax error; its message names no input. */
    static final class Refused extends XMLStreamException {

        private static final long serialVersionUID = 1L;

        Refused(String message, Location location) {
            // Not super(message, location): that variant dereferences a null location.
            super(message);
            this.location = location;
        }
    }
}
