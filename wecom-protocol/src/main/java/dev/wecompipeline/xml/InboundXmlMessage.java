package dev.wecompipeline.xml;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A decrypted WeCom message or event, as its inner XML carries it. One flat record for every
 * {@code MsgType}: fields a type does not use are {@code null}. Component names follow Java style;
 * the {@link JsonProperty} names are WeCom's element names.
 *
 * <p>{@code ToUserName}, {@code FromUserName}, {@code MsgType} and a positive {@code CreateTime} are
 * always present; the constructor refuses a message without them. Numbers other than
 * {@code CreateTime} stay text so an odd value WeCom sends never costs us the whole message.
 *
 * <pre>{@code
 * InboundXmlMessage m = WeComXml.parseMessage(crypt.decrypt(envelope.encrypt()));   // after verifySignature
 * if (!m.isEvent()) dedupe(m.stableMessageId());
 * }</pre>
 *
 * @param toUserName the corp id
 * @param fromUserName the sender's userid
 * @param createTime epoch seconds
 * @param msgType {@code text}, {@code image}, {@code voice}, {@code video}, {@code file},
 *     {@code location}, {@code link} or {@code event}
 * @param msgId the message id; absent for events
 * @param agentId the app's agent id
 * @param content text body ({@code text})
 * @param picUrl picture URL ({@code image})
 * @param mediaId media id for {@code cgi-bin/media/get} ({@code image}, {@code voice},
 *     {@code video}, {@code file})
 * @param format voice format, e.g. {@code amr} ({@code voice})
 * @param thumbMediaId thumbnail media id ({@code video})
 * @param locationX latitude ({@code location})
 * @param locationY longitude ({@code location})
 * @param scale map zoom ({@code location})
 * @param label place name ({@code location})
 * @param title title ({@code link}; also {@code file} in some WeCom versions)
 * @param description description ({@code link})
 * @param url link URL ({@code link})
 * @param event event type, e.g. {@code enter_agent}, {@code click} ({@code event})
 * @param eventKey event key, e.g. a menu key ({@code event})
 * @param fileName file name ({@code file})
 * @param fileExtension file extension ({@code file})
 * @param fileSize file size in bytes, as sent ({@code file})
 */
public record InboundXmlMessage(
        @JsonProperty("ToUserName") String toUserName,
        @JsonProperty("FromUserName") String fromUserName,
        @JsonProperty("CreateTime") long createTime,
        @JsonProperty("MsgType") String msgType,
        @JsonProperty("MsgId") String msgId,
        @JsonProperty("AgentID") String agentId,
        @JsonProperty("Content") String content,
        @JsonProperty("PicUrl") String picUrl,
        @JsonProperty("MediaId") String mediaId,
        @JsonProperty("Format") String format,
        @JsonProperty("ThumbMediaId") String thumbMediaId,
        @JsonProperty("Location_X") String locationX,
        @JsonProperty("Location_Y") String locationY,
        @JsonProperty("Scale") String scale,
        @JsonProperty("Label") String label,
        @JsonProperty("Title") String title,
        @JsonProperty("Description") String description,
        @JsonProperty("Url") String url,
        @JsonProperty("Event") String event,
        @JsonProperty("EventKey") String eventKey,
        @JsonProperty("FileName") String fileName,
        @JsonProperty("FileExtension") String fileExtension,
        @JsonProperty("FileSize") String fileSize) {

    /** {@code MsgType} of events. */
    public static final String EVENT = "event";

    /** @throws IllegalArgumentException naming the first required field that is missing */
    public InboundXmlMessage {
        requireNonBlank(toUserName, "ToUserName");
        requireNonBlank(fromUserName, "FromUserName");
        requireNonBlank(msgType, "MsgType");
        if (createTime <= 0) {
            throw new IllegalArgumentException("CreateTime is required and must be positive epoch seconds");
        }
    }

    /** A text message, for simulators and tests. */
    public static InboundXmlMessage text(String toUserName, String fromUserName, long createTime,
                                         String agentId, String msgId, String content) {
        return new InboundXmlMessage(toUserName, fromUserName, createTime, "text", msgId, agentId, content,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** An image message ({@code PicUrl} and {@code MediaId}), for simulators and tests. */
    public static InboundXmlMessage image(String toUserName, String fromUserName, long createTime,
                                          String agentId, String msgId, String picUrl, String mediaId) {
        return new InboundXmlMessage(toUserName, fromUserName, createTime, "image", msgId, agentId, null,
                picUrl, mediaId, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** An event, for simulators and tests. */
    public static InboundXmlMessage event(String toUserName, String fromUserName, long createTime,
                                          String agentId, String event, String eventKey) {
        return new InboundXmlMessage(toUserName, fromUserName, createTime, EVENT, null, agentId, null,
                null, null, null, null, null, null, null, null, null, null, null, event, eventKey, null, null, null);
    }

    /** Whether this is an event ({@code MsgType} {@code event}) rather than a user message. */
    public boolean isEvent() {
        return EVENT.equalsIgnoreCase(msgType);
    }

    /**
     * A key that is equal for WeCom's retries of this callback (same body) and different for
     * distinct messages, for de-duplication.
     *
     * <ul>
     *   <li>{@code MsgId} when present: WeCom keeps it across retries.
     *   <li>Events have no {@code MsgId}:
     *       {@code event:<ToUserName>:<AgentID>:<FromUserName>:<CreateTime>:<Event>:<EventKey>}. The key
     *       is deliberately wide; keying on user and second alone dropped real events in other SDKs.
     *   <li>Other messages without {@code MsgId}: {@code msg:<ToUserName>:<AgentID>:<FromUserName>:
     *       <CreateTime>:<MsgType>:<digest>}, where the digest covers every payload field, so two
     *       different messages in the same second stay distinct.
     * </ul>
     * Components are escaped ({@code %} and {@code :}) so distinct values never join into the same key.
     */
    public String stableMessageId() {
        if (msgId != null && !msgId.isBlank()) {
            return msgId;
        }
        String common = part(toUserName) + ':' + part(agentId) + ':' + part(fromUserName) + ':' + createTime;
        if (isEvent()) {
            return "event:" + common + ':' + part(event) + ':' + part(eventKey);
        }
        return "msg:" + common + ':' + part(msgType) + ':' + payloadDigest();
    }

    private String payloadDigest() {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256.
            throw new IllegalStateException(e);
        }
        String[] payload = {content, picUrl, mediaId, format, thumbMediaId, locationX, locationY, scale,
                label, title, description, url, event, eventKey, fileName, fileExtension, fileSize};
        for (String field : payload) {
            // Length-prefix each field (-1 for null) so field boundaries cannot shift between messages.
            byte[] bytes = field == null ? new byte[0] : field.getBytes(StandardCharsets.UTF_8);
            int length = field == null ? -1 : bytes.length;
            sha256.update(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
            sha256.update(bytes);
        }
        // 128 bits is far beyond any collision risk for a de-duplication window.
        return HexFormat.of().formatHex(sha256.digest(), 0, 16);
    }

    private static String part(String value) {
        return value == null ? "" : value.replace("%", "%25").replace(":", "%3A");
    }

    private static void requireNonBlank(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }
}
