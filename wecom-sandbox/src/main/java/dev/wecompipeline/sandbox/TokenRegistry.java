package dev.wecompipeline.sandbox;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Registered apps and the tokens issued to them. Like WeCom, each app has its own token; asking
 * again while it is valid returns the same one; expired tokens are remembered (they answer 42001,
 * not 40014) until enough newer ones replace them. Thread-safe: every method is synchronized,
 * which is cheap next to an HTTP round trip.
 */
final class TokenRegistry {

    /** Tokens remembered per app after they were replaced, so late users get 42001 rather than 40014. */
    private static final int REMEMBERED_TOKENS_PER_APP = 16;

    /** A registered self-built app. {@code toString} leaves the secret out so it can't reach a log. */
    record App(String corpId, String secret, int agentId) {
        @Override
        public String toString() {
            return "App[corpId=" + corpId + ", agentId=" + agentId + "]";
        }
    }

    /** Result of {@code gettoken}: a token, or the errcode to answer. */
    record Issue(App app, String token, long expiresInSeconds, int errcode) {
        boolean ok() {
            return errcode == WeComErrors.OK;
        }
    }

    /** Result of checking an {@code access_token}: its app, or the errcode to answer (app then null). */
    record Check(App app, int errcode) {
        boolean ok() {
            return errcode == WeComErrors.OK;
        }
    }

    /** {@code deadErrcode} is 0 while the token is usable, else what a caller of it gets answered. */
    private record TokenState(App app, Instant expiresAt, int deadErrcode) {
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Map<Integer, App>> appsByCorp = new HashMap<>();
    private final Map<String, TokenState> tokens = new HashMap<>();
    private final Map<App, Deque<String>> tokensByApp = new HashMap<>();
    private final Duration ttl;

    TokenRegistry(Duration ttl) {
        this.ttl = ttl;
    }

    /** Registers an app; registering the same corp and agent again replaces its secret, as resetting it in WeCom does. */
    synchronized void register(String corpId, String secret, int agentId) {
        Map<Integer, App> apps = appsByCorp.computeIfAbsent(corpId, c -> new LinkedHashMap<>());
        App previous = apps.put(agentId, new App(corpId, secret, agentId));
        if (previous != null && !previous.secret().equals(secret)) {
            forget(previous);
        }
    }

    synchronized boolean knowsCorp(String corpId) {
        return appsByCorp.containsKey(corpId);
    }

    synchronized Issue issue(String corpId, String secret, Instant now) {
        Map<Integer, App> apps = appsByCorp.get(corpId);
        if (apps == null) {
            return new Issue(null, null, 0, WeComErrors.INVALID_CORPID);
        }
        Optional<App> app = apps.values().stream().filter(a -> a.secret().equals(secret)).findFirst();
        if (app.isEmpty()) {
            return new Issue(null, null, 0, WeComErrors.INVALID_CREDENTIAL);
        }
        Deque<String> history = tokensByApp.computeIfAbsent(app.get(), a -> new ArrayDeque<>());
        String current = history.peekLast();
        if (current != null) {
            TokenState state = tokens.get(current);
            if (state != null && state.deadErrcode() == WeComErrors.OK && now.isBefore(state.expiresAt())) {
                // WeCom: "within the validity period, repeated requests return the same token".
                long remaining = Duration.between(now, state.expiresAt()).toMillis();
                return new Issue(app.get(), current, (remaining + 999) / 1000, WeComErrors.OK);
            }
        }
        String token = newToken();
        tokens.put(token, new TokenState(app.get(), now.plus(ttl), WeComErrors.OK));
        history.addLast(token);
        while (history.size() > REMEMBERED_TOKENS_PER_APP) {
            tokens.remove(history.removeFirst());
        }
        return new Issue(app.get(), token, ttl.toSeconds(), WeComErrors.OK);
    }

    synchronized Check check(String token, Instant now) {
        TokenState state = token == null ? null : tokens.get(token);
        if (state == null) {
            return new Check(null, WeComErrors.INVALID_ACCESS_TOKEN);
        }
        if (state.deadErrcode() != WeComErrors.OK) {
            return new Check(null, state.deadErrcode());
        }
        if (!now.isBefore(state.expiresAt())) {
            return new Check(null, WeComErrors.ACCESS_TOKEN_EXPIRED);
        }
        return new Check(state.app(), WeComErrors.OK);
    }

    /** Kills one token early (WeCom may): its callers get {@code errcode} from now on. */
    synchronized void kill(String token, int errcode) {
        tokens.computeIfPresent(token, (t, s) -> new TokenState(s.app(), s.expiresAt(), errcode));
    }

    /**
     * Invalidates every token at once. With {@code 40014} they are forgotten (as if never issued);
     * with any other code (42001, 42007, 42009) they are remembered and answer that code.
     */
    synchronized void invalidateAll(int errcode) {
        if (errcode == WeComErrors.INVALID_ACCESS_TOKEN) {
            tokens.clear();
            tokensByApp.clear();
            return;
        }
        tokens.replaceAll((t, s) -> s.deadErrcode() == WeComErrors.OK ? new TokenState(s.app(), s.expiresAt(), errcode) : s);
    }

    /** Forgets all tokens, keeps the apps. */
    synchronized void clearTokens() {
        tokens.clear();
        tokensByApp.clear();
    }

    private void forget(App app) {
        Deque<String> history = tokensByApp.remove(app);
        if (history != null) {
            history.forEach(tokens::remove);
        }
    }

    private String newToken() {
        byte[] bytes = new byte[96];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
