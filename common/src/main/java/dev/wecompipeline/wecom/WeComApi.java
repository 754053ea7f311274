package dev.wecompipeline.wecom;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The bodies of the WeCom server API calls the reply-service and the worker make, as records. Answers keep
 * {@code errcode} as {@link Integer} so that an answer without one (a proxy's error page parsed
 * by luck) is recognisably not a WeCom answer rather than a silent "0 = ok".
 */
public final class WeComApi {

    private WeComApi() {
    }

    /** What every WeCom answer carries: its {@code errcode} (null when the body had none) and {@code errmsg}. */
    public interface Answer {
        Integer errcode();

        String errmsg();
    }

    /** Answer of {@code GET /cgi-bin/gettoken}. {@code toString} masks the token. */
    public record TokenAnswer(Integer errcode, String errmsg, @JsonProperty("access_token") String accessToken,
                              @JsonProperty("expires_in") long expiresIn) implements Answer {
        @Override
        public String toString() {
            return "TokenAnswer[errcode=" + errcode + ", errmsg=" + errmsg + ", expiresIn=" + expiresIn + "]";
        }
    }

    /** {@code text.content} or {@code markdown.content}. */
    public record Content(String content) {
    }

    /** {@code image.media_id} or {@code file.media_id}. */
    public record Media(@JsonProperty("media_id") String mediaId) {
    }

    /**
     * Body of {@code POST /cgi-bin/message/send}. Exactly one of {@code text}, {@code markdown},
     * {@code image} and {@code file} is set; {@code safe} only for text, image and file.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SendRequest(String touser, String msgtype, int agentid, Content text, Content markdown, Media image,
                              Media file, Integer safe,
                              @JsonProperty("enable_duplicate_check") int enableDuplicateCheck,
                              @JsonProperty("duplicate_check_interval") long duplicateCheckInterval) {

        /**
         * A message to one user with WeCom's duplicate check on: an identical request within
         * {@code duplicateCheckSeconds} is answered ok and not delivered again, which is what makes
         * a resend after a crash harmless.
         *
         * @param msgtype {@code text}, {@code markdown}, {@code image} or {@code file}; anything else is sent as text
         * @param content the text, or for {@code image} and {@code file} the {@code media_id}
         */
        public static SendRequest of(String touser, String msgtype, int agentId, String content, long duplicateCheckSeconds) {
            return switch (msgtype) {
                case "markdown" -> new SendRequest(touser, msgtype, agentId, null, new Content(content), null, null, null,
                        1, duplicateCheckSeconds);
                case "image" -> new SendRequest(touser, msgtype, agentId, null, null, new Media(content), null, 0,
                        1, duplicateCheckSeconds);
                case "file" -> new SendRequest(touser, msgtype, agentId, null, null, null, new Media(content), 0,
                        1, duplicateCheckSeconds);
                default -> new SendRequest(touser, "text", agentId, new Content(content), null, null, null, 0,
                        1, duplicateCheckSeconds);
            };
        }
    }

    /**
     * Answer of {@code GET /cgi-bin/media/get}: the media ({@code errcode} 0, {@code bytes} set) or
     * WeCom's JSON error ({@code bytes} null). WeCom tells them apart only by the content type.
     */
    public record MediaAnswer(Integer errcode, String errmsg, byte[] bytes, String contentType, String filename) implements Answer {
        public boolean ok() {
            return errcode != null && errcode == 0 && bytes != null;
        }

        @Override
        public String toString() {
            return "MediaAnswer[errcode=" + errcode + ", errmsg=" + errmsg + ", size="
                    + (bytes == null ? 0 : bytes.length) + ", contentType=" + contentType + "]";
        }
    }

    /** Answer of {@code POST /cgi-bin/media/upload}; {@code created_at} is seconds since the epoch, as text. */
    public record UploadAnswer(Integer errcode, String errmsg, String type, @JsonProperty("media_id") String mediaId,
                               @JsonProperty("created_at") String createdAt) implements Answer {
    }

    /** Answer of {@code message/send}. {@code invaliduser} lists recipients WeCom did not know. */
    public record SendAnswer(Integer errcode, String errmsg, String invaliduser, String msgid) implements Answer {
    }
}
