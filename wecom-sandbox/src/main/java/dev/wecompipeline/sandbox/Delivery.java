package dev.wecompipeline.sandbox;

import java.time.Instant;

/**
 * A message as one member received it: one record per recipient, so a send to {@code a|b} gives two.
 *
 * <pre>{@code
 * List<String> seen = sandbox.deliveredTo("ww1234", "alice").stream().map(Delivery::content).toList();
 * }</pre>
 *
 * @param time      when the sandbox accepted it, on its clock
 * @param corpId    the sending app's corp
 * @param agentId   the sending app
 * @param touser    the single recipient
 * @param msgtype   {@code text} or {@code markdown}
 * @param content   content as displayed, after any truncation
 * @param truncated content was cut off at the byte limit
 * @param msgid     the {@code msgid} answered for the call
 */
public record Delivery(
        Instant time,
        String corpId,
        int agentId,
        String touser,
        String msgtype,
        String content,
        boolean truncated,
        String msgid) {
}
