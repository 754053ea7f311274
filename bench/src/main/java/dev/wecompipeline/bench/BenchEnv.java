package dev.wecompipeline.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.wecompipeline.config.ConfigLoader;
import dev.wecompipeline.config.PipelineConfig;

/** Configuration for one benchmark scenario: its own topics and groups, one demo app. */
final class BenchEnv {

    static final String CORP = "wwbench000000001";
    static final String AGENT_ID = "1000002";
    static final String TOKEN = "benchToken";
    static final String AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
    static final String SECRET = "bench-secret";

    private BenchEnv() {
    }

    /** Unique topic and group names plus the app, then {@code extra} on top. */
    /** A scenario whose loop died measures nothing: say so loudly (the scenario then times out). */
    static void loopDied(Throwable cause) {
        System.err.println("bench: a processing loop died: " + cause);
    }

    static PipelineConfig config(String bootstrap, Map<String, String> extra) {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        for (String t : List.of("INBOUND", "REPLIES", "REPLIES_DLQ", "INBOUND_DLQ", "SESSIONS", "DELIVERED")) {
            env.put("KAFKA_TOPIC_" + t, "bench." + t.toLowerCase() + "." + suffix);
        }
        env.put("WORKER_GROUP_ID", "bench-workers-" + suffix);
        env.put("REPLY_GROUP_ID", "bench-reply-" + suffix);
        env.put("WECOM_CALLBACK_CORP_ID", CORP);
        env.put("WECOM_CALLBACK_CORP_SECRET", SECRET);
        env.put("WECOM_CALLBACK_AGENT_ID", AGENT_ID);
        env.put("WECOM_CALLBACK_TOKEN", TOKEN);
        env.put("WECOM_CALLBACK_ENCODING_AES_KEY", AES_KEY);
        env.put("WECOM_CALLBACK_ALLOW_ALL_USERS", "true");
        env.put("WECOM_CALLBACK_HOST", "127.0.0.1");
        env.put("WECOM_CALLBACK_PORT", "0");
        env.put("WORKER_PORT", "0");
        env.put("REPLY_PORT", "0");
        env.putAll(extra);
        return ConfigLoader.load(env, Optional.empty());
    }
}
