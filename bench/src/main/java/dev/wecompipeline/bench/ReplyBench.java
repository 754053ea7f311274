package dev.wecompipeline.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.RecordHeaders;
import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.kafka.Topics;
import dev.wecompipeline.reply.ReplyService;
import dev.wecompipeline.sandbox.SandboxConfig;
import dev.wecompipeline.sandbox.WeComApiSandbox;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Reply delivery: replies waiting on the reply topic, delivered to the WeCom sandbox by one
 * reply-service, first with WeCom answering every send, then with 30 % of sends answered -1
 * (system busy) and retried. The no-fault run is the baseline of the faulty one.
 */
public final class ReplyBench {

    /** Delivered replies per second, and the sends it took. */
    public record Result(String label, int replies, double seconds, double perSecond, long sendCalls) {
    }

    private final String bootstrap;
    private final PrintStream progress;

    public ReplyBench(String bootstrap, PrintStream progress) {
        this.bootstrap = bootstrap;
        this.progress = progress;
    }

    public Result run(String label, int replies, int users, double busyFraction) throws Exception {
        try (WeComApiSandbox wecom = new WeComApiSandbox(SandboxConfig.builder().host("127.0.0.1").port(0).build()).start()) {
            wecom.registerApp(BenchEnv.CORP, BenchEnv.SECRET, Integer.parseInt(BenchEnv.AGENT_ID));
            wecom.faults().busyFraction(busyFraction);
            // Short retry backoff: the benchmark measures the machinery, not WeCom's patience.
            PipelineConfig config = BenchEnv.config(bootstrap, Map.of("WECOM_API_BASE", wecom.baseUrl(),
                    "KAFKA_TOPIC_PARTITIONS", "4", "REPLY_RETRY_INITIAL_BACKOFF", "20ms", "REPLY_RETRY_MAX_BACKOFF", "200ms",
                    "REPLY_MAX_ATTEMPTS", "20"));
            try (Admin admin = Admin.create(KafkaClientSettings.admin(bootstrap, "bench-admin"))) {
                Topics.ensure(admin, config.kafka(), Duration.ofSeconds(30));
            }
            publish(config, replies, users);
            long start = System.nanoTime();
            try (ReplyService reply = new ReplyService(config, bootstrap,
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), false, BenchEnv::loopDied).start()) {
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                long shown = 0;
                while (wecom.deliveredCount() < replies && System.nanoTime() < deadline) {
                    Thread.sleep(20); // polling the sandbox's delivery record
                    if (wecom.deliveredCount() - shown >= replies / 5) {
                        shown = wecom.deliveredCount();
                        progress.printf("  reply %s: %d/%d delivered%n", label, shown, replies);
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (wecom.deliveredCount() < replies) {
                throw new IllegalStateException(label + ": only " + wecom.deliveredCount() + " of " + replies + " delivered");
            }
            return new Result(label, replies, seconds, replies / seconds, wecom.sendCallCount());
        }
    }

    private void publish(PipelineConfig config, int replies, int users) throws Exception {
        String topic = config.kafka().repliesTopic();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaClientSettings.producer(bootstrap, "bench-replies"),
                new StringSerializer(), new ByteArraySerializer())) {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < replies; i++) {
                InboundMessage in = new InboundMessage(InboundMessage.SCHEMA_VERSION, "rb-" + i, "default", BenchEnv.CORP,
                        BenchEnv.AGENT_ID, "rb-user-" + (i % users), "text", System.currentTimeMillis() / 1000, "q" + i,
                        Map.of(), System.currentTimeMillis(), "rb-" + i);
                ReplyMessage r = ReplyMessage.answering(in, "text", "benchmark reply " + i);
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, r.userKey().toString(),
                        JsonSerde.replies().serialize(topic, r));
                RecordHeaders.put(record.headers(), RecordHeaders.REPLY_ID, r.replyId());
                RecordHeaders.put(record.headers(), RecordHeaders.APP, r.appName());
                sent.add(producer.send(record));
                if (i == 0) {
                    sent.get(0).get();
                }
            }
            for (Future<?> f : sent) {
                f.get();
            }
        }
    }
}
