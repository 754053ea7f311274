package dev.wecompipeline.config;

import static java.time.temporal.ChronoUnit.MILLIS;
import static java.time.temporal.ChronoUnit.SECONDS;

import dev.wecompipeline.config.ConfigException.Problem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How ingress-service accepts WeCom callbacks: bind address, paths, request limits, who may talk
 * to the agent, and the timing rules that protect against replays and WeCom retries.
 *
 * <p>YAML keys live under {@value #YAML_SECTION}, next to the Hermes app keys.
 *
 * @param host               bind address
 * @param port               bind port; 0 picks a free port (tests only)
 * @param path               callback path for every app
 * @param perAppPaths        also serve {@code path/{app name}}, which routes without trying each app's key
 * @param maxBodyBytes       larger callback bodies get 413
 * @param allowedSourceCidrs callers outside these blocks get 403; empty allows every address
 * @param trustedProxies     proxies whose {@code X-Forwarded-For} is believed when checking sources
 * @param allowedUsers       user ids allowed to reach the agent, bare ({@code zhangsan}, any corp)
 *                           or scoped ({@code ww_corp_a:zhangsan})
 * @param allowAllUsers      let every user through, ignoring {@code allowedUsers}
 * @param timestampWindow    callbacks whose timestamp is further off get 403; zero disables the check
 * @param ackTimeout         how long to wait for Kafka before answering 503; below WeCom's 5 s deadline
 * @param dedupeTtl          how long a {@code MsgId} is remembered to absorb WeCom's retries
 * @param dropEvents         event types acknowledged but not forwarded to agents
 * @param accessDeniedReply  text sent to users who are not allowed; {@code null} sends nothing
 * @param publicUrl          the callback URL registered in WeCom's admin console (through the proxy
 *                           or tunnel), or {@code null}; only {@code doctor} and the startup log use it
 * @param opsPort            port of a separate listener for {@code /health}, {@code /ready} and
 *                           {@code /metrics}, or {@value #NO_OPS_PORT} to serve them on the callback listener
 * @param idleTimeout        a connection that sends or accepts nothing for this long is closed
 * @param minDataRate        a request body arriving slower than this many bytes per second gets 408;
 *                           0 turns the check off
 * @param maxConnections     open connections beyond this wait in the kernel's accept queue; 0 means no limit
 */
public record IngressConfig(String host, int port, String path, boolean perAppPaths, int maxBodyBytes,
                            List<String> allowedSourceCidrs, List<String> trustedProxies,
                            Set<String> allowedUsers, boolean allowAllUsers, Duration timestampWindow,
                            Duration ackTimeout, Duration dedupeTtl, Set<String> dropEvents,
                            String accessDeniedReply, String publicUrl, int opsPort, Duration idleTimeout,
                            int minDataRate, int maxConnections) {

    /** Where these keys live in config.yaml: Hermes' own section, so one file serves both. */
    public static final String YAML_SECTION = "platforms.wecom_callback.extra";

    private static final String S = YAML_SECTION;

    /** WeCom gives up on a callback after 5 s and retries; answering later only causes duplicates. */
    public static final Duration WECOM_RESPONSE_DEADLINE = Duration.ofSeconds(5);
    /** Unset: the ops endpoints stay on the callback listener, as before the setting existed. */
    public static final int NO_OPS_PORT = -1;

    public static final Setting<String> HOST = Setting.text("WECOM_CALLBACK_HOST", S, "host", "0.0.0.0")
            .validatedBy(Validators.notBlank()).doc("ingress bind address");
    public static final Setting<Integer> PORT = Setting.integer("WECOM_CALLBACK_PORT", S, "port", 8645)
            .validatedBy(Validators.port()).doc("ingress bind port");
    public static final Setting<String> PATH = Setting.text("WECOM_CALLBACK_PATH", S, "path", "/wecom/callback")
            .validatedBy((out, key, path) -> {
                if (Validators.notBlank(out, key, path) && (!path.startsWith("/") || path.endsWith("/"))) {
                    out.add(new Problem(key, "must start with '/' and not end with '/', got '" + path + "'"));
                }
            }).doc("callback path of every app");
    public static final Setting<Boolean> PER_APP_PATHS = Setting.bool("WECOM_CALLBACK_PER_APP_PATHS", S,
                    "per_app_paths", true)
            .doc("also serve `/wecom/callback/{app}`, which routes without trying each app's key");
    /** 64 KiB: a WeCom text callback is a few KiB; anything far larger is not from WeCom. */
    public static final Setting<Integer> MAX_BODY_BYTES = Setting.integer("WECOM_CALLBACK_MAX_BODY_BYTES", S,
                    "max_body_bytes", 65_536)
            .validatedBy(Validators.atLeast(1)).doc("larger callback bodies get 413");
    public static final Setting<List<String>> ALLOWED_SOURCE_CIDRS = Setting.list("WECOM_CALLBACK_ALLOWED_SOURCE_CIDRS",
                    S, "allowed_source_cidrs", List.of())
            .validatedBy(Validators.cidrs()).defaultShownAs("empty: any")
            .doc("source allowlist of IP addresses and CIDR blocks; others get 403");
    public static final Setting<List<String>> TRUSTED_PROXIES = Setting.list("WECOM_CALLBACK_TRUSTED_PROXIES", S,
                    "trusted_proxies", List.of())
            .validatedBy(Validators.cidrs()).defaultShownAs("empty")
            .doc("peers whose `X-Forwarded-For` is believed when checking sources");
    public static final Setting<Set<String>> ALLOWED_USERS = Setting.set("WECOM_CALLBACK_ALLOWED_USERS", S,
                    "allowed_users", Set.of())
            .validatedBy((out, key, users) -> {
                if (Validators.present(out, key, users)) {
                    users.stream().filter(u -> !isUserId(u)).sorted().forEach(u -> out.add(new Problem(
                            key, "'" + u + "' must be a user id or corp_id:user_id")));
                }
            }).defaultShownAs("empty: nobody")
            .doc("who may reach the agent: `user` (any corp) or `corp_id:user`");
    public static final Setting<Boolean> ALLOW_ALL_USERS = Setting.bool("WECOM_CALLBACK_ALLOW_ALL_USERS", S,
                    "allow_all_users", false)
            .doc("open the agent to everyone, ignoring `allowed_users`");
    public static final Setting<Duration> TIMESTAMP_WINDOW = Setting.duration("WECOM_CALLBACK_TIMESTAMP_WINDOW_SECONDS", S,
                    "timestamp_window_seconds", Duration.ofSeconds(300), SECONDS)
            .validatedBy(Validators.notNegative())
            .doc("replay guard: callbacks whose timestamp is further off get 403; `0` disables");
    public static final Setting<Duration> ACK_TIMEOUT = Setting.duration("WECOM_CALLBACK_ACK_TIMEOUT_MS", S,
                    "ack_timeout_ms", Duration.ofSeconds(3), MILLIS)
            .validatedBy(Validators.positive(), (out, key, value) -> Validators.below(out, key, value,
                    WECOM_RESPONSE_DEADLINE, "WeCom stops waiting after 5s and retries"))
            .doc("wait for Kafka before answering 503 (must be < 5000: WeCom's deadline)");
    /** WeCom retries a callback up to three times within a few seconds; 5 min is ample margin. */
    public static final Setting<Duration> DEDUPE_TTL = Setting.duration("WECOM_CALLBACK_DEDUPE_TTL_SECONDS", S,
                    "dedupe_ttl_seconds", Duration.ofSeconds(300), SECONDS)
            .validatedBy(Validators.positive()).doc("how long a `MsgId` is remembered to absorb WeCom's retries");
    /** Opening the app and following it are not questions for an agent. */
    public static final Setting<Set<String>> DROP_EVENTS = Setting.set("WECOM_CALLBACK_DROP_EVENTS", S, "drop_events",
                    Set.of("enter_agent", "subscribe"))
            .validatedBy(Validators.present()).doc("event types acknowledged but not published");
    public static final Setting<String> ACCESS_DENIED_REPLY = Setting.text("WECOM_CALLBACK_ACCESS_DENIED_REPLY", S,
                    "access_denied_reply", null)
            .doc("text sent to refused users; none sends nothing");
    /** Unknown until the operator says where WeCom reaches the ingress (setup --public-url). */
    public static final Setting<String> PUBLIC_URL = Setting.text("WECOM_CALLBACK_PUBLIC_URL", S, "public_url", null)
            .validatedBy((out, key, url) -> {
                if (url != null && (!Validators.isHttpUrl(url) || url.contains("?"))) {
                    out.add(new Problem(key, "must be an http(s) URL without a query string, like "
                            + "https://bot.example.com/wecom/callback, got '" + url + "'"));
                }
            })
            .doc("the callback URL registered in WeCom's console; `doctor` sends it a signed verification request, "
                    + "the startup log prints it");
    public static final Setting<Integer> OPS_PORT = Setting.integer("WECOM_CALLBACK_OPS_PORT", S, "ops_port", NO_OPS_PORT)
            .defaultShownAs("unset: on the callback port")
            .doc("separate listener for `/health`, `/ready`, `/metrics`; the callback port then answers them 404");
    /**
     * 10 s: twice WeCom's 5 s window, so no callback WeCom still waits for is cut (its answer may
     * take up to the ack timeout), yet a third of Jetty's 30 s, so a connection that went silent
     * gives its thread and slot back sooner.
     */
    public static final Setting<Duration> IDLE_TIMEOUT = Setting.duration("WECOM_CALLBACK_IDLE_TIMEOUT", S,
                    "idle_timeout", Duration.ofSeconds(10), SECONDS)
            .validatedBy(Validators.present())
            .doc("close connections silent this long (must exceed the ack timeout)");
    /**
     * 1 KiB/s: a WeCom body (a few KiB) arrives in one or two TCP segments, and even the 64 KiB
     * maximum over a poor link is far faster; a sender dribbling a byte at a time fails this
     * within a second of its first body byte instead of holding a server thread for minutes.
     */
    public static final Setting<Integer> MIN_DATA_RATE = Setting.integer("WECOM_CALLBACK_MIN_DATA_RATE", S,
                    "min_data_rate", 1024)
            .validatedBy(Validators.atLeast(0)).doc("bytes/s a request body must keep up, else 408; `0` disables");
    /**
     * 512: WeCom keeps a handful of callbacks in flight per app, so this is far above real load,
     * while a flood of idle sockets stays within the 1024 open files a default container or
     * systemd unit allows (the JVM, Kafka clients and logs need the rest).
     */
    public static final Setting<Integer> MAX_CONNECTIONS = Setting.integer("WECOM_CALLBACK_MAX_CONNECTIONS", S,
                    "max_connections", 512)
            .validatedBy(Validators.atLeast(0)).doc("open connections before Jetty stops accepting; `0` no limit");

    /** Every setting of this section, in the README's order (the apps are {@link AppConfig#SETTINGS}). */
    public static final List<Setting<?>> SETTINGS = List.of(HOST, PORT, PATH, PER_APP_PATHS, MAX_BODY_BYTES,
            ALLOWED_SOURCE_CIDRS, TRUSTED_PROXIES, ALLOWED_USERS, ALLOW_ALL_USERS, TIMESTAMP_WINDOW, ACK_TIMEOUT,
            DEDUPE_TTL, DROP_EVENTS, ACCESS_DENIED_REPLY, PUBLIC_URL, OPS_PORT, IDLE_TIMEOUT, MIN_DATA_RATE,
            MAX_CONNECTIONS);

    public IngressConfig {
        allowedSourceCidrs = allowedSourceCidrs == null ? null : List.copyOf(allowedSourceCidrs);
        trustedProxies = trustedProxies == null ? null : List.copyOf(trustedProxies);
        allowedUsers = allowedUsers == null ? null : Set.copyOf(allowedUsers);
        dropEvents = dropEvents == null ? null : Set.copyOf(dropEvents);

        List<Problem> out = new ArrayList<>();
        HOST.check(out, host);
        PORT.check(out, port);
        PATH.check(out, path);
        MAX_BODY_BYTES.check(out, maxBodyBytes);
        ALLOWED_SOURCE_CIDRS.check(out, allowedSourceCidrs);
        TRUSTED_PROXIES.check(out, trustedProxies);
        ALLOWED_USERS.check(out, allowedUsers);
        TIMESTAMP_WINDOW.check(out, timestampWindow);
        ACK_TIMEOUT.check(out, ackTimeout);
        DEDUPE_TTL.check(out, dedupeTtl);
        DROP_EVENTS.check(out, dropEvents);
        if (accessDeniedReply != null && accessDeniedReply.isBlank()) {
            // Blank would send an empty message, which WeCom rejects; null is the way to say "none".
            accessDeniedReply = null;
        }
        PUBLIC_URL.check(out, publicUrl);
        if (opsPort != NO_OPS_PORT) {
            Validators.port(out, OPS_PORT.yamlKey(), opsPort);
            if (opsPort == port && port != 0) {
                out.add(new Problem(OPS_PORT.yamlKey(), "must differ from the callback port (" + port
                        + "); leave it unset to serve /health, /ready and /metrics on the callback port"));
            }
        }
        IDLE_TIMEOUT.check(out, idleTimeout);
        if (idleTimeout != null && ackTimeout != null && idleTimeout.compareTo(ackTimeout) <= 0) {
            // A callback waiting for Kafka reads and writes nothing; a shorter idle timeout would cut it.
            out.add(new Problem(IDLE_TIMEOUT.yamlKey(), "must be longer than the ack timeout ("
                    + Durations.format(ackTimeout) + "), got " + Durations.format(idleTimeout)));
        }
        MIN_DATA_RATE.check(out, minDataRate);
        MAX_CONNECTIONS.check(out, maxConnections);
        if (!out.isEmpty()) {
            throw new ConfigException(out);
        }
    }

    /** The record of {@code v}'s values. */
    public static IngressConfig from(SettingValues v) {
        return new IngressConfig(v.get(HOST), v.get(PORT), v.get(PATH), v.get(PER_APP_PATHS), v.get(MAX_BODY_BYTES),
                v.get(ALLOWED_SOURCE_CIDRS), v.get(TRUSTED_PROXIES), v.get(ALLOWED_USERS), v.get(ALLOW_ALL_USERS),
                v.get(TIMESTAMP_WINDOW), v.get(ACK_TIMEOUT), v.get(DEDUPE_TTL), v.get(DROP_EVENTS),
                v.get(ACCESS_DENIED_REPLY), v.get(PUBLIC_URL), v.get(OPS_PORT), v.get(IDLE_TIMEOUT),
                v.get(MIN_DATA_RATE), v.get(MAX_CONNECTIONS));
    }

    /** The defaults of operator-interface.md. */
    public static IngressConfig defaults() {
        return from(SettingValues.DEFAULTS);
    }

    /** Whether {@code /health}, {@code /ready} and {@code /metrics} have a listener of their own. */
    public boolean hasOpsPort() {
        return opsPort != NO_OPS_PORT;
    }

    /**
     * Whether {@code userId} of {@code corpId} may reach the agent. Nobody is allowed unless listed
     * or {@code allowAllUsers} is set: an open agent has to be opted into.
     */
    public boolean isUserAllowed(String corpId, String userId) {
        return allowAllUsers || allowedUsers.contains(userId) || allowedUsers.contains(corpId + ":" + userId);
    }

    /** Whether the callback timestamp check is on. */
    public boolean checksTimestamps() {
        return !timestampWindow.isZero();
    }

    /** Lines for the startup log. */
    public String describe() {
        String access = allowAllUsers ? "all users"
                : allowedUsers.isEmpty() ? "NOBODY (set " + ALLOWED_USERS.env() + " or " + ALLOW_ALL_USERS.env() + ")"
                : "users " + sorted(allowedUsers);
        return "ingress: http://" + host + ":" + port + path + (perAppPaths ? " (+ " + path + "/{app})" : "")
                + ", max body " + maxBodyBytes + " B, timestamp window "
                + (checksTimestamps() ? Durations.format(timestampWindow) : "off")
                + ", ack timeout " + Durations.format(ackTimeout) + ", dedupe " + Durations.format(dedupeTtl)
                + "\n  access: " + access
                + ", sources " + (allowedSourceCidrs.isEmpty() ? "any" : allowedSourceCidrs)
                + ", trusted proxies " + (trustedProxies.isEmpty() ? "none" : trustedProxies)
                + ", dropped events " + sorted(dropEvents)
                + ", access denied reply " + (accessDeniedReply == null ? "none" : "set")
                + ", public URL " + (publicUrl == null ? "not set" : publicUrl)
                + "\n  edge: ops endpoints " + (hasOpsPort() ? "on port " + opsPort : "on the callback port")
                + ", idle timeout " + Durations.format(idleTimeout)
                + ", min body rate " + (minDataRate == 0 ? "off" : minDataRate + " B/s")
                + ", max connections " + (maxConnections == 0 ? "unlimited" : maxConnections);
    }

    private static boolean isUserId(String id) {
        if (id == null || id.isBlank() || id.chars().anyMatch(Character::isWhitespace)) {
            return false;
        }
        int colon = id.indexOf(':');
        return colon < 0 || (colon > 0 && colon < id.length() - 1 && id.indexOf(':', colon + 1) < 0);
    }

    private static List<String> sorted(Set<String> values) {
        return values.stream().sorted().toList();
    }
}
