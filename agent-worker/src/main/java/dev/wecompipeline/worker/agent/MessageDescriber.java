package dev.wecompipeline.worker.agent;

import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.wecompipeline.kafka.InboundMessage;

/**
 * The text an agent sees for a message: the user's text as written, or for anything else one line
 * saying what arrived, e.g. {@code Received an image (MediaId media-1)} or
 * {@code Received a location: Guangzhou (23.1, 113.3)}.
 *
 * <p>Shared by the echo agent (which replies with it) and the model agents (which are sent it in
 * place of media they cannot fetch), so both describe a message the same way. Field values come
 * from {@link InboundMessage#fields()} by WeCom element name; missing ones are left out, and line
 * breaks inside values become spaces so the description stays on one line.
 */
public final class MessageDescriber {

    private MessageDescriber() {
    }

    /**
     * What {@code message} says: its text for {@code text} messages (unchanged, {@code ""} if it
     * has none), else a one-line description.
     */
    public static String describe(InboundMessage message) {
        if ("text".equals(message.msgType())) {
            return message.content() == null ? "" : message.content();
        }
        Map<String, String> f = message.fields();
        return switch (message.msgType()) {
            case "image" -> "Received an image" + parenthesised(labelled("MediaId", f));
            case "voice" -> "Received a voice message" + parenthesised(value("Format", f));
            case "video" -> "Received a video" + parenthesised(labelled("MediaId", f));
            case "file" -> "Received a file" + afterColon(value("FileName", f));
            case "location" -> "Received a location" + afterColon(value("Label", f))
                    + parenthesised(coordinates(f));
            case "link" -> "Received a link" + afterColon(join(value("Title", f), value("Url", f)));
            case "event" -> "Received event " + orUnknown(value("Event", f)) + parenthesised(value("EventKey", f));
            default -> "Received a " + oneLine(message.msgType()) + " message";
        };
    }

    private static String coordinates(Map<String, String> f) {
        String x = value("Location_X", f);
        String y = value("Location_Y", f);
        return x.isEmpty() || y.isEmpty() ? "" : x + ", " + y;
    }

    private static String labelled(String name, Map<String, String> f) {
        String value = value(name, f);
        return value.isEmpty() ? "" : name + " " + value;
    }

    private static String value(String name, Map<String, String> f) {
        String value = f.get(name);
        return value == null ? "" : oneLine(value);
    }

    private static String join(String... parts) {
        return Stream.of(parts).filter(part -> !part.isEmpty()).collect(Collectors.joining(" "));
    }

    private static String parenthesised(String text) {
        return text.isEmpty() ? "" : " (" + text + ")";
    }

    private static String afterColon(String text) {
        return text.isEmpty() ? "" : ": " + text;
    }

    private static String orUnknown(String text) {
        return text.isEmpty() ? "(unknown)" : text;
    }

    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
