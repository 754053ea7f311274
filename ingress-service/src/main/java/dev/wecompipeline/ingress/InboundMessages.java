package dev.wecompipeline.ingress;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.wecompipeline.config.AppConfig;
import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.xml.InboundXmlMessage;

/** Turns a decrypted WeCom message into the record published on {@code wecom.inbound}. */
final class InboundMessages {

    private InboundMessages() {
    }

    static InboundMessage from(InboundXmlMessage xml, AppConfig app, long receivedAtMs, String traceId) {
        Map<String, String> fields = new LinkedHashMap<>();
        put(fields, "PicUrl", xml.picUrl());
        put(fields, "MediaId", xml.mediaId());
        put(fields, "Format", xml.format());
        put(fields, "ThumbMediaId", xml.thumbMediaId());
        put(fields, "Location_X", xml.locationX());
        put(fields, "Location_Y", xml.locationY());
        put(fields, "Scale", xml.scale());
        put(fields, "Label", xml.label());
        put(fields, "Title", xml.title());
        put(fields, "Description", xml.description());
        put(fields, "Url", xml.url());
        put(fields, "Event", xml.event());
        put(fields, "EventKey", xml.eventKey());
        put(fields, "FileName", xml.fileName());
        put(fields, "FileExtension", xml.fileExtension());
        put(fields, "FileSize", xml.fileSize());
        String agentId = xml.agentId() == null || xml.agentId().isBlank() ? app.agentId() : xml.agentId().strip();
        return new InboundMessage(InboundMessage.SCHEMA_VERSION, xml.stableMessageId(), app.name(), app.corpId(),
                agentId, xml.fromUserName(), xml.msgType().toLowerCase(java.util.Locale.ROOT), xml.createTime(),
                xml.content(), fields, receivedAtMs, traceId);
    }

    private static void put(Map<String, String> fields, String name, String value) {
        if (value != null && !value.isEmpty()) {
            fields.put(name, value);
        }
    }
}
