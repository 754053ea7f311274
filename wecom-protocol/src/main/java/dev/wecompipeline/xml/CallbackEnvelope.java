package dev.wecompipeline.xml;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The outer XML of a WeCom callback POST: who it is for and the encrypted message.
 *
 * <pre>{@code
 * <xml><ToUserName><![CDATA[ww...]]></ToUserName><AgentID><![CDATA[1000002]]></AgentID>
 *      <Encrypt><![CDATA[base64...]]></Encrypt></xml>
 * }</pre>
 *
 * @param toUserName the corp id the callback is addressed to (informational; the authoritative
 *     check is the receive_id inside the ciphertext)
 * @param agentId the app's agent id, when WeCom sends it
 * @param encrypt the base64 ciphertext; never blank
 */
public record CallbackEnvelope(
        @JsonProperty("ToUserName") String toUserName,
        @JsonProperty("AgentID") String agentId,
        @JsonProperty("Encrypt") String encrypt) {

    /** @throws IllegalArgumentException if {@code encrypt} is missing or blank */
    public CallbackEnvelope {
        if (encrypt == null || encrypt.isBlank()) {
            throw new IllegalArgumentException("Encrypt is required");
        }
    }
}
