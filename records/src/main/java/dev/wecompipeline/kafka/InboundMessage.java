package dev.wecompipeline.kafka;

import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * A user's message as published to {@code wecom.inbound}: decrypted, routed to its app and
 * stripped of transport details. The topic is the replay log, so this record carries everything
 * the worker needs and nothing secret.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION} when written; readers refuse newer majors
 * @param messageId     WeCom's {@code MsgId}, or for events a key built from user, time, event and key
 * @param appName       the configured app that received it (selects the reply credentials)
 * @param corpId        WeCom corp id ({@code ToUserName})
 * @param agentId       the app's agent id
 * @param userId        the sender ({@code FromUserName}), unique only within the corp
 * @param msgType       {@code text}, {@code image}, {@code voice}, {@code video}, {@code file},
 *                      {@code location}, {@code link} or {@code event}
 * @param createTime    WeCom's {@code CreateTime}, seconds since the epoch
 * @param content       the text of a text message, else {@code null}
 * @param fields        the type's other fields by WeCom element name ({@code MediaId}, {@code PicUrl},
 *                      {@code Event}, {@code EventKey}, ...)
 * @param receivedAtMs  when the ingress received the callback, epoch milliseconds
 * @param traceId       id carried through every stage's logs
 */
public record InboundMessage(
        int schemaVersion,
        String messageId,
        String appName,
        String corpId,
        String agentId,
        String userId,
        String msgType,
        long createTime,
        String content,
        Map<String, String> fields,
        long receivedAtMs,
        String traceId) {

    /** Version 1: the first layout. Additive changes keep the version; readers ignore unknown fields. */
    public static final int SCHEMA_VERSION = 1;

    public InboundMessage {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(corpId, "corpId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(msgType, "msgType");
        fields = fields == null ? Map.of() : Map.copyOf(fields);
    }

    /** The record key: {@code corp_id:user_id}. */
    @JsonIgnore
    public UserKey userKey() {
        return new UserKey(corpId, userId);
    }
}
