package dev.wecompipeline.sandbox;

import java.time.Instant;

/**
 * One call to the sandbox's WeCom API as it was answered. Secrets and tokens are never kept.
 *
 * <pre>{@code
 * long rejected = sandbox.sendCalls().stream().filter(c -> c.answered(WeComErrors.API_FREQ_OUT_OF_LIMIT)).count();
 * }</pre>
 *
 * @param time        arrival, on the sandbox's clock
 * @param api         which endpoint
 * @param corpId      the app's corp; for {@code message/send} taken from the token, null if the token was unknown
 * @param agentId     the app; null if not known (unknown corp or token)
 * @param touser      {@code touser} as sent ({@code user1|user2}); null for gettoken
 * @param msgtype     as sent; null for gettoken
 * @param content     content as delivered (after truncation), the {@code media_id} for image, voice, video
 *                    and file messages; null for gettoken, media calls and rejections
 * @param httpStatus  HTTP status answered
 * @param errcode     WeCom {@code errcode} answered; null when the answer was an HTTP error without a body
 * @param errmsg      WeCom {@code errmsg} answered; null like {@code errcode}
 * @param outcome     what happened to the message
 * @param truncated   content was longer than the byte limit and was cut off
 * @param invaliduser {@code invaliduser} answered ({@code user1|user2}), empty if none
 * @param msgid       {@code msgid} answered, null if none
 */
public record CallRecord(
        Instant time,
        ApiEndpoint api,
        String corpId,
        Integer agentId,
        String touser,
        String msgtype,
        String content,
        int httpStatus,
        Integer errcode,
        String errmsg,
        ApiCallOutcome outcome,
        boolean truncated,
        String invaliduser,
        String msgid) {

    /** True if the call got a WeCom body with this errcode. */
    public boolean answered(int code) {
        return errcode != null && errcode == code;
    }
}
