package dev.wecompipeline.sandbox;

import java.time.Instant;

/**
 * A message as one member received it: one record per recipient, so a send to {@code a|b} gives two.
 *
 * <pre>{@code
 * List<String> seen = sandbox.deliveredTo("ww1234", "alice").stream().map(ReceivedMessage::content).toList();
 * }</pre>
 *
 * <p>For {@code image}, {@code voice}, {@code video} and {@code file} messages the content is the
 * {@code media_id} sent; {@link WeComApiSandbox#uploadedMedia(String)} gives the file it points to:
 *
 * <pre>{@code
 * ReceivedMessage image = sandbox.deliveredTo("ww1234", "alice").get(0);   // msgtype "image"
 * byte[] shown = sandbox.uploadedMedia(image.content()).orElseThrow().bytes();
 * }</pre>
 *
 * @param time      when the sandbox accepted it, on its clock
 * @param corpId    the sending app's corp
 * @param agentId   the sending app
 * @param touser    the single recipient
 * @param msgtype   {@code text}, {@code markdown}, {@code image}, {@code voice}, {@code video} or {@code file}
 * @param content   text content as displayed, after any truncation; for media messages the {@code media_id}
 * @param truncated text content was cut off at the byte limit (never for media messages)
 * @param msgid     the {@code msgid} answered for the call
 */
public record ReceivedMessage(
        Instant time,
        String corpId,
        int agentId,
        String touser,
        String msgtype,
        String content,
        boolean truncated,
        String msgid) {
}
