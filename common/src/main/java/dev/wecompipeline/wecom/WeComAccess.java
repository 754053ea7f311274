package dev.wecompipeline.wecom;

import java.util.Objects;

/**
 * A WeCom API client and the token cache that goes with it: what a component needs to call WeCom
 * as an app. One per process: the reply-service creates it and, in the all-in-one, hands it to the
 * worker, so both share one {@code gettoken} single flight per app ({@code gettoken} is itself
 * rate limited). Whoever created it closes the client.
 */
public record WeComAccess(WeComClient client, TokenCache tokens) {

    public WeComAccess {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(tokens, "tokens");
    }
}
