package dev.wecompipeline.config;

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

    public static final String HOST_ENV = "WECOM_CALLBACK_HOST";
    public static final String HOST_YAML = "host";
    public static final String DEFAULT_HOST = "0.0.0.0";

    public static final String PORT_ENV = "WECOM_CALLBACK_PORT";
    public static final String PORT_YAML = "port";
    public static final int DEFAULT_PORT = 8645;

    public static final String PATH_ENV = "WECOM_CALLBACK_PATH";
    public static final String PATH_YAML = "path";
    public static final String DEFAULT_PATH = "/wecom/callback";

    public static final String PER_APP_PATHS_ENV = "WECOM_CALLBACK_PER_APP_PATHS";
    public static final String PER_APP_PATHS_YAML = "per_app_paths";
    public static final boolean DEFAULT_PER_APP_PATHS = true;

    public static final String MAX_BODY_BYTES_ENV = "WECOM_CALLBACK_MAX_BODY_BYTES";
    public static final String MAX_BODY_BYTES_YAML = "max_body_bytes";
    /** 64 KiB: a WeCom text callback is a few KiB; anything far larger is not from WeCom. */
    public static final int DEFAULT_MAX_BODY_BYTES = 65_536;

    public static final String ALLOWED_SOURCE_CIDRS_ENV = "WECOM_CALLBACK_ALLOWED_SOURCE_CIDRS";
    public static final String ALLOWED_SOURCE_CIDRS_YAML = "allowed_source_cidrs";
    public static final List<String> DEFAULT_ALLOWED_SOURCE_CIDRS = List.of();

    public static final String TRUSTED_PROXIES_ENV = "WECOM_CALLBACK_TRUSTED_PROXIES";
    public static final String TRUSTED_PROXIES_YAML = "trusted_proxies";
    public static final List<String> DEFAULT_TRUSTED_PROXIES = List.of();

    public static final String ALLOWED_USERS_ENV = "WECOM_CALLBACK_ALLOWED_USERS";
    public static final String ALLOWED_USERS_YAML = "allowed_users";
    public static final Set<String> DEFAULT_ALLOWED_USERS = Set.of();

    public static final String ALLOW_ALL_USERS_ENV = "WECOM_CALLBACK_ALLOW_ALL_USERS";
    public static final String ALLOW_ALL_USERS_YAML = "allow_all_users";
    public static final boolean DEFAULT_ALLOW_ALL_USERS = false;

    public static final String TIMESTAMP_WINDOW_ENV = "WECOM_CALLBACK_TIMESTAMP_WINDOW_SECONDS";
    public static final String TIMESTAMP_WINDOW_YAML = "timestamp_window_seconds";
    public static final Duration DEFAULT_TIMESTAMP_WINDOW = Duration.ofSeconds(300);

    public static final String ACK_TIMEOUT_ENV = "WECOM_CALLBACK_ACK_TIMEOUT_MS";
    public static final String ACK_TIMEOUT_YAML = "ack_timeout_ms";
    public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(3);
    /** WeCom gives up on a callback after 5 s and retries; answering later only causes duplicates. */
    public static final Duration WECOM_RESPONSE_DEADLINE = Duration.ofSeconds(5);

    public static final String DEDUPE_TTL_ENV = "WECOM_CALLBACK_DEDUPE_TTL_SECONDS";
    public static final String DEDUPE_TTL_YAML = "dedupe_ttl_seconds";
    /** WeCom retries a callback up to three times within a few seconds; 5 min is ample margin. */
    public static final Duration DEFAULT_DEDUPE_TTL = Duration.ofSeconds(300);

    public static final String DROP_EVENTS_ENV = "WECOM_CALLBACK_DROP_EVENTS";
    public static final String DROP_EVENTS_YAML = "drop_events";
    /** Opening the app and following it are not questions for an agent. */
    public static final Set<String> DEFAULT_DROP_EVENTS = Set.of("enter_agent", "subscribe");

    public static final String ACCESS_DENIED_REPLY_ENV = "WECOM_CALLBACK_ACCESS_DENIED_REPLY";
    public static final String ACCESS_DENIED_REPLY_YAML = "access_denied_reply";
    public static final String DEFAULT_ACCESS_DENIED_REPLY = null;

    public static final String PUBLIC_URL_ENV = "WECOM_CALLBACK_PUBLIC_URL";
    public static final String PUBLIC_URL_YAML = "public_url";
    /** Unknown until the operator says where WeCom reaches the ingress (setup --public-url). */
    public static final String DEFAULT_PUBLIC_URL = null;

    public static final String OPS_PORT_ENV = "WECOM_CALLBACK_OPS_PORT";
    public static final String OPS_PORT_YAML = "ops_port";
    /** Unset: the ops endpoints stay on the callback listener, as before the setting existed. */
    public static final int NO_OPS_PORT = -1;
    public static final int DEFAULT_OPS_PORT = NO_OPS_PORT;

    public static final String IDLE_TIMEOUT_ENV = "WECOM_CALLBACK_IDLE_TIMEOUT";
    public static final String IDLE_TIMEOUT_YAML = "idle_timeout";
    /**
     * 10 s: twice WeCom's 5 s window, so no callback WeCom still waits for is cut (its answer may
     * take up to the ack timeout), yet a third of Jetty's 30 s, so a connection that went silent
     * gives its thread and slot back sooner.
     */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(10);

    public static final String MIN_DATA_RATE_ENV = "WECOM_CALLBACK_MIN_DATA_RATE";
    public static final String MIN_DATA_RATE_YAML = "min_data_rate";
    /**
     * 1 KiB/s: a WeCom body (a few KiB) arrives in one or two TCP segments, and even the 64 KiB
     * maximum over a poor link is far faster; a sender dribbling a byte at a time fails this
     * within a second of its first body byte instead of holding a server thread for minutes.
     */
    public static final int DEFAULT_MIN_DATA_RATE = 1024;

    public static final String MAX_CONNECTIONS_ENV = "WECOM_CALLBACK_MAX_CONNECTIONS";
    public static final String MAX_CONNECTIONS_YAML = "max_connections";
    /**
     * 512: WeCom keeps a handful of callbacks in flight per app, so this is far above real load,
     * while a flood of idle sockets stays within the 1024 open files a default container or
     * systemd unit allows (the JVM, Kafka clients and logs need the rest).
     */
    public static final int DEFAULT_MAX_CONNECTIONS = 512;

    public IngressConfig {
        allowedSourceCidrs = allowedSourceCidrs == null ? null : List.copyOf(allowedSourceCidrs);
        trustedProxies = trustedProxies == null ? null : List.copyOf(trustedProxies);
        allowedUsers = allowedUsers == null ? null : Set.copyOf(allowedUsers);
        dropEvents = dropEvents == null ? null : Set.copyOf(dropEvents);

        List<Problem> out = new ArrayList<>();
        Checks.notBlank(out, key(HOST_YAML), host);
        Checks.port(out, key(PORT_YAML), port);
        if (Checks.notBlank(out, key(PATH_YAML), path) && (!path.startsWith("/") || path.endsWith("/"))) {
            out.add(new Problem(key(PATH_YAML), "must start with '/' and not end with '/', got '" + path + "'"));
        }
        Checks.atLeast(out, key(MAX_BODY_BYTES_YAML), maxBodyBytes, 1);
        Checks.cidrs(out, key(ALLOWED_SOURCE_CIDRS_YAML), allowedSourceCidrs);
        Checks.cidrs(out, key(TRUSTED_PROXIES_YAML), trustedProxies);
        if (Checks.present(out, key(ALLOWED_USERS_YAML), allowedUsers)) {
            allowedUsers.stream().filter(u -> !isUserId(u)).sorted().forEach(u -> out.add(new Problem(
                    key(ALLOWED_USERS_YAML), "'" + u + "' must be a user id or corp_id:user_id")));
        }
        Checks.notNegative(out, key(TIMESTAMP_WINDOW_YAML), timestampWindow);
        Checks.positive(out, key(ACK_TIMEOUT_YAML), ackTimeout);
        Checks.below(out, key(ACK_TIMEOUT_YAML), ackTimeout, WECOM_RESPONSE_DEADLINE,
                "WeCom stops waiting after 5s and retries");
        Checks.positive(out, key(DEDUPE_TTL_YAML), dedupeTtl);
        Checks.present(out, key(DROP_EVENTS_YAML), dropEvents);
        if (accessDeniedReply != null && accessDeniedReply.isBlank()) {
            // Blank would send an empty message, which WeCom rejects; null is the way to say "none".
            accessDeniedReply = null;
        }
        if (publicUrl != null && (!Checks.isHttpUrl(publicUrl) || publicUrl.contains("?"))) {
            out.add(new Problem(key(PUBLIC_URL_YAML), "must be an http(s) URL without a query string, like "
                    + "https://bot.example.com/wecom/callback, got '" + publicUrl + "'"));
        }
        if (opsPort != NO_OPS_PORT) {
            Checks.port(out, key(OPS_PORT_YAML), opsPort);
            if (opsPort == port && port != 0) {
                out.add(new Problem(key(OPS_PORT_YAML), "must differ from the callback port (" + port
                        + "); leave it unset to serve /health, /ready and /metrics on the callback port"));
            }
        }
        if (Checks.present(out, key(IDLE_TIMEOUT_YAML), idleTimeout) && ackTimeout != null && idleTimeout.compareTo(ackTimeout) <= 0) {
            // A callback waiting for Kafka reads and writes nothing; a shorter idle timeout would cut it.
            out.add(new Problem(key(IDLE_TIMEOUT_YAML), "must be longer than the ack timeout ("
                    + Durations.format(ackTimeout) + "), got " + Durations.format(idleTimeout)));
        }
        Checks.atLeast(out, key(MIN_DATA_RATE_YAML), minDataRate, 0);
        Checks.atLeast(out, key(MAX_CONNECTIONS_YAML), maxConnections, 0);
        if (!out.isEmpty()) {
            throw new ConfigException(out);
        }
    }

    /** The defaults of operator-interface.md. */
    public static IngressConfig defaults() {
        return new IngressConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_PATH, DEFAULT_PER_APP_PATHS,
                DEFAULT_MAX_BODY_BYTES, DEFAULT_ALLOWED_SOURCE_CIDRS, DEFAULT_TRUSTED_PROXIES,
                DEFAULT_ALLOWED_USERS, DEFAULT_ALLOW_ALL_USERS, DEFAULT_TIMESTAMP_WINDOW,
                DEFAULT_ACK_TIMEOUT, DEFAULT_DEDUPE_TTL, DEFAULT_DROP_EVENTS, DEFAULT_ACCESS_DENIED_REPLY,
                DEFAULT_PUBLIC_URL, DEFAULT_OPS_PORT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MIN_DATA_RATE,
                DEFAULT_MAX_CONNECTIONS);
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
                : allowedUsers.isEmpty() ? "NOBODY (set " + ALLOWED_USERS_ENV + " or " + ALLOW_ALL_USERS_ENV + ")"
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

    private static String key(String yamlKey) {
        return YAML_SECTION + "." + yamlKey;
    }
}
