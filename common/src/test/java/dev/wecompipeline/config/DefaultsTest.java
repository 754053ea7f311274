package dev.wecompipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** With nothing configured, every value is the one operator-interface.md promises. */
class DefaultsTest {

    private final PipelineConfig config = ConfigLoader.load(Map.of(), Optional.empty());

    @Test
    void ingress_defaults_match_the_operator_interface() {
        IngressConfig ingress = config.ingress();
        assertEquals("0.0.0.0", ingress.host());
        assertEquals(8645, ingress.port());
        assertEquals("/wecom/callback", ingress.path());
        assertTrue(ingress.perAppPaths());
        assertEquals(64 * 1024, ingress.maxBodyBytes(), "bodies over 64 KiB get 413");
        assertEquals(List.of(), ingress.allowedSourceCidrs());
        assertEquals(List.of(), ingress.trustedProxies());
        assertEquals(Set.of(), ingress.allowedUsers());
        assertFalse(ingress.allowAllUsers());
        assertFalse(ingress.isUserAllowed("ww_corp", "alice"), "nobody is allowed until configured");
        assertEquals(Duration.ofSeconds(300), ingress.timestampWindow(), "timestamps 300 s off get 403");
        assertEquals(Duration.ofSeconds(3), ingress.ackTimeout());
        assertEquals(Duration.ofSeconds(300), ingress.dedupeTtl());
        assertEquals(Set.of("enter_agent", "subscribe"), ingress.dropEvents());
        assertNull(ingress.accessDeniedReply());
        assertFalse(ingress.hasOpsPort(), "ops endpoints stay on the callback port unless asked");
        assertEquals(Duration.ofSeconds(10), ingress.idleTimeout());
        assertEquals(1024, ingress.minDataRate());
        assertEquals(512, ingress.maxConnections());
        assertEquals(IngressConfig.defaults(), ingress);
    }

    @Test
    void kafka_defaults_use_the_embedded_broker_and_wecom_topics() {
        KafkaConfig kafka = config.kafka();
        assertNull(kafka.bootstrapServers());
        assertTrue(kafka.usesEmbeddedBroker());
        assertEquals("wecom.inbound", kafka.inboundTopic());
        assertEquals("wecom.replies", kafka.repliesTopic());
        assertEquals("wecom.replies.dlq", kafka.repliesDlqTopic());
        assertEquals("wecom.inbound.dlq", kafka.inboundDlqTopic());
        assertEquals("wecom.sessions", kafka.sessionsTopic());
        assertEquals("wecom.replies.delivered", kafka.deliveredTopic());
        assertEquals(12, kafka.partitions());
        assertEquals((short) 1, kafka.replicationFactor());
        assertEquals(Duration.ofDays(7), kafka.retention());
        assertEquals(KafkaConfig.defaults(), kafka);
    }

    @Test
    void worker_and_reply_defaults_match_the_operator_interface() {
        WorkerConfig worker = config.worker();
        assertEquals(List.of(8646, 64, WorkerConfig.Agent.ECHO, Duration.ZERO, Duration.ofMinutes(30), "wecom-agent-workers"),
                List.of(worker.port(), worker.concurrency(), worker.agent(), worker.echoDelay(), worker.agentTimeout(),
                        worker.groupId()));
        ReplyConfig reply = config.reply();
        assertEquals(List.of(8647, "https://qyapi.weixin.qq.com", 30, 1000, ReplyConfig.Format.TEXT, 2048,
                Duration.ofSeconds(1800), "wecom-reply-service", 32, 8), List.of(reply.port(), reply.wecomApiBase(),
                reply.perUserPerMinute(), reply.perUserPerHour(), reply.format(), reply.maxChunkBytes(),
                reply.duplicateCheckInterval(), reply.groupId(), reply.concurrency(), reply.maxAttempts()));
        assertEquals(WorkerConfig.defaults(), config.worker());
        assertEquals(ReplyConfig.defaults(), config.reply());
    }

    @Test
    void agent_defaults_keep_ten_turns_apologise_plainly_and_run_no_command() {
        WorkerConfig worker = config.worker();
        assertEquals(10, worker.historyTurns());
        assertEquals("Sorry, something went wrong while answering your message. Please try again.", worker.apology());
        assertEquals(List.of(), worker.command());
    }

    @Test
    void openai_defaults_have_no_base_url_and_a_small_model() {
        OpenAiConfig openai = config.openai();
        assertNull(openai.baseUrl(), "there is no sensible default server");
        assertEquals("gpt-4o-mini", openai.model());
        assertNull(openai.apiKey());
        assertFalse(openai.hasApiKey());
        assertFalse(openai.systemPrompt().isBlank());
        assertEquals(0.7, openai.temperature());
        assertEquals(1024, openai.maxTokens());
        assertEquals(Duration.ofMinutes(5), openai.timeout());
        assertEquals(OpenAiConfig.defaults(), openai);
    }

    @Test
    void pipeline_defaults_match_the_operator_interface() {
        assertEquals(Path.of("./data"), config.dataDir());
        assertEquals(Path.of("./data/kafka"), config.kafkaDataDir());
        assertEquals(9092, config.kafkaPort());
        assertEquals(List.of(), config.apps());
        assertEquals(List.of(), config.warnings());
    }

    @Test
    void describe_fits_on_one_screen_and_mentions_each_section() {
        String text = config.describe();

        assertTrue(text.lines().count() <= 25, text);
        for (String expected : List.of("apps (0): none", "ingress: http://0.0.0.0:8645/wecom/callback",
                "access: NOBODY", "kafka: embedded broker", "(port 9092", "worker: port 8646, agent echo",
                "reply: port 8647, api https://qyapi.weixin.qq.com", "data dir: ./data")) {
            assertTrue(text.contains(expected), () -> "missing '" + expected + "' in:\n" + text);
        }
    }
}
