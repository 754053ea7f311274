package dev.wecompipeline.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import dev.wecompipeline.config.ConfigLoader;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.RecordHeaders;
import dev.wecompipeline.kafka.Topics;
import dev.wecompipeline.reply.ReplyService;
import dev.wecompipeline.sandbox.ReceivedMessage;
import dev.wecompipeline.sandbox.SandboxConfig;
import dev.wecompipeline.sandbox.WeComApiSandbox;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import dev.wecompipeline.worker.WorkerService;
import dev.wecompipeline.worker.WorkerRuntimeOptions;
import dev.wecompipeline.worker.agent.Agent;
import dev.wecompipeline.worker.agent.AgentRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The progress notice end to end, worker to WeCom sandbox through the reply-service: a worker
 * stopped while its agent still thinks (the notice committed, the answer not) is replaced by one
 * that runs the agent again; the user gets the notice once, then the answer.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ProgressNoticePipelineTest {

    private static final String CORP = "wwnotice";
    private static final String SECRET = "notice-secret";
    private static final String NOTICE = "收到，正在处理，请稍候…";

    @Test
    void a_worker_replaced_after_its_notice_went_out_leads_to_one_notice_then_the_answer(KafkaBroker kafka)
            throws Exception {
        List<Throwable> deaths = new CopyOnWriteArrayList<>();
        try (WeComApiSandbox wecom = new WeComApiSandbox(SandboxConfig.defaults().toBuilder().port(0).build()).start()) {
            wecom.registerApp(CORP, SECRET, 1000002);
            PipelineConfig config = config(kafka.bootstrapServers(), wecom.baseUrl());
            try (Admin admin = Admin.create(KafkaClientSettings.admin(kafka.bootstrapServers(), "pn-admin"))) {
                Topics.ensure(admin, config.kafka(), Duration.ofSeconds(30));
            }
            PrometheusMeterRegistry replyMetrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (ReplyService reply = new ReplyService(config, kafka.bootstrapServers(), replyMetrics, false,
                    deaths::add).start()) {
                SlowAgent stuck = new SlowAgent(true);
                WorkerService first = worker(config, kafka.bootstrapServers(), stuck, deaths);
                publish(config, kafka.bootstrapServers(), new InboundMessage(InboundMessage.SCHEMA_VERSION, "m-1",
                        "default", CORP, "1000002", "fay", "text", System.currentTimeMillis() / 1000,
                        "plan my week", Map.of(), System.currentTimeMillis(), "trace-m-1"));

                await().atMost(Duration.ofSeconds(60)).until(() -> delivered(wecom).equals(List.of(NOTICE)));
                // Stopped with the agent still thinking: the notice is committed, the message is not.
                first.close();
                stuck.release.countDown();

                SlowAgent replacement = new SlowAgent(false);
                try (WorkerService second = worker(config, kafka.bootstrapServers(), replacement, deaths)) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> delivered(wecom).size() >= 2);
                    // The replacement emitted the notice again under the same reply id: skipped, not sent.
                    await().atMost(Duration.ofSeconds(30)).until(() -> count(replyMetrics, "already_delivered") >= 1);
                    assertEquals(List.of(NOTICE, "answer to: plan my week"), delivered(wecom));
                    assertEquals(2, wecom.sendCallCount(), "two sends: the notice once, then the answer");
                    assertEquals(1, replacement.calls.size(), "the replacement ran the agent again");
                    assertTrue(second.isRunning());
                }
            }
        }
        assertEquals(List.of(), deaths);
    }

    private static List<String> delivered(WeComApiSandbox wecom) {
        return wecom.deliveredTo(CORP, "fay").stream().map(ReceivedMessage::content).toList();
    }

    private static double count(PrometheusMeterRegistry registry, String outcome) {
        Counter c = registry.find("wecom.engine.records").tags("loop", "reply", "outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    private static PipelineConfig config(String bootstrap, String wecomBase) {
        String s = "-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> env = new HashMap<>();
        env.put("WECOM_CALLBACK_CORP_ID", CORP);
        env.put("WECOM_CALLBACK_CORP_SECRET", SECRET);
        env.put("WECOM_CALLBACK_AGENT_ID", "1000002");
        env.put("WECOM_CALLBACK_TOKEN", "noticetoken");
        env.put("WECOM_CALLBACK_ENCODING_AES_KEY", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C");
        env.put("WECOM_API_BASE", wecomBase);
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("KAFKA_TOPIC_INBOUND", "pn.inbound" + s);
        env.put("KAFKA_TOPIC_REPLIES", "pn.replies" + s);
        env.put("KAFKA_TOPIC_INBOUND_DLQ", "pn.inbound.dlq" + s);
        env.put("KAFKA_TOPIC_SESSIONS", "pn.sessions" + s);
        env.put("KAFKA_TOPIC_REPLIES_DLQ", "pn.replies.dlq" + s);
        env.put("KAFKA_TOPIC_DELIVERED", "pn.delivered" + s);
        env.put("KAFKA_TOPIC_PARTITIONS", "1");
        env.put("WORKER_GROUP_ID", "pn-workers" + s);
        env.put("REPLY_GROUP_ID", "pn-replies" + s);
        env.put("WORKER_SESSION_TIMEOUT_MS", "6000");
        env.put("REPLY_SESSION_TIMEOUT_MS", "6000");
        env.put("AGENT_TIMEOUT", "60s");
        env.put("AGENT_PROGRESS_NOTICE_AFTER", "1s");
        return ConfigLoader.load(env, Optional.empty());
    }

    /** A worker from the operator's settings, with a short grace so stopping it leaves the task undone. */
    private static WorkerService worker(PipelineConfig config, String bootstrap, Agent agent, List<Throwable> deaths) {
        WorkerRuntimeOptions o = WorkerRuntimeOptions.from(config, "pn-" + UUID.randomUUID().toString().substring(0, 8));
        WorkerRuntimeOptions settings = new WorkerRuntimeOptions(o.concurrency(), o.agentTimeout(), o.apology(),
                o.replyFormat(), o.historyTurns(), Duration.ofMillis(200), o.dedupeWindow(), o.answerMaxChars(),
                o.historyMaxBytes(), o.engineBounds(), o.instanceId(), o.progressNotice());
        WorkerService w = new WorkerService(config, bootstrap, settings, agent,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), false, deaths::add).start();
        await().atMost(Duration.ofSeconds(30)).until(w::isRunning);
        return w;
    }

    private static void publish(PipelineConfig config, String bootstrap, InboundMessage m) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaClientSettings.producer(bootstrap,
                "pn-producer"), new StringSerializer(), new ByteArraySerializer())) {
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(config.kafka().inboundTopic(),
                    m.userKey().toString(), JsonSerde.inbound().serialize("t", m));
            RecordHeaders.put(r.headers(), RecordHeaders.APP, m.appName());
            RecordHeaders.put(r.headers(), RecordHeaders.MESSAGE_ID, m.messageId());
            producer.send(r).get();
        }
    }

    /** An agent that thinks for 2 s; a stuck one first waits until released (or interrupted). */
    private static final class SlowAgent implements Agent {
        final CountDownLatch release = new CountDownLatch(1);
        final List<String> calls = new CopyOnWriteArrayList<>();
        private final boolean stuck;

        SlowAgent(boolean stuck) {
            this.stuck = stuck;
        }

        @Override
        public String reply(AgentRequest request) throws Exception {
            calls.add(request.message().messageId());
            if (stuck) {
                release.await();
            }
            // The agent's own work time (a model thinking), not test synchronisation.
            Thread.sleep(2000);
            return "answer to: " + request.message().content();
        }

        @Override
        public String name() {
            return "slow";
        }
    }
}
