package dev.wecompipeline.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.wecompipeline.config.ConfigLoader;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.RecordHeaders;
import dev.wecompipeline.kafka.Topics;
import dev.wecompipeline.worker.WorkerService;
import dev.wecompipeline.worker.WorkerRuntimeOptions;
import dev.wecompipeline.worker.agent.EchoAgent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Worker scaling: {@code messages} from {@code users} users waiting on a topic of {@code partitions}
 * partitions, answered by one worker whose echo agent takes {@code agentTime} per message. The
 * baseline is the ideal, {@code min(concurrency, users) / agentTime} messages per second (a user's
 * messages are answered one after another); a worker whose
 * throughput followed the partition count instead would stay near {@code partitions / agentTime}.
 */
public final class WorkerScalingBench {

    /** One measured concurrency level. */
    public record Result(int concurrency, int partitions, int messages, double seconds, double perSecond,
                         double idealPerSecond) {
        public double ofIdeal() {
            return perSecond / idealPerSecond;
        }
    }

    private final String bootstrap;
    private final PrintStream progress;

    public WorkerScalingBench(String bootstrap, PrintStream progress) {
        this.bootstrap = bootstrap;
        this.progress = progress;
    }

    public Result run(int concurrency, int messages, int users, Duration agentTime, int partitions) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("KAFKA_TOPIC_PARTITIONS", Integer.toString(partitions));
        for (String t : List.of("INBOUND", "REPLIES", "REPLIES_DLQ", "INBOUND_DLQ", "SESSIONS", "DELIVERED")) {
            env.put("KAFKA_TOPIC_" + t, "bench." + t.toLowerCase() + "." + suffix);
        }
        env.put("WORKER_GROUP_ID", "bench-workers-" + suffix);
        PipelineConfig config = ConfigLoader.load(env, java.util.Optional.empty());
        try (Admin admin = Admin.create(KafkaClientSettings.admin(bootstrap, "bench-admin"))) {
            Topics.ensure(admin, config.kafka(), Duration.ofSeconds(30));
        }
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                KafkaClientSettings.producer(bootstrap, "bench-producer"), new StringSerializer(), new ByteArraySerializer())) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < messages; i++) {
                InboundMessage m = new InboundMessage(InboundMessage.SCHEMA_VERSION, "b" + i, "default", "wwbench",
                        "1000002", "user" + (i % users), "text", System.currentTimeMillis() / 1000, "bench " + i,
                        Map.of(), System.currentTimeMillis(), "bench-" + i);
                ProducerRecord<String, byte[]> r = new ProducerRecord<>(config.kafka().inboundTopic(),
                        m.userKey().toString(), JsonSerde.inbound().serialize("t", m));
                RecordHeaders.put(r.headers(), RecordHeaders.MESSAGE_ID, m.messageId());
                RecordHeaders.put(r.headers(), RecordHeaders.APP, m.appName());
                sent.add(producer.send(r));
                if (i == 0) {
                    // The first write waits for the new topic's leader, so the rest go out in one stream.
                    sent.get(0).get();
                }
            }
            for (java.util.concurrent.Future<?> f : sent) {
                f.get();
            }
        }
        WorkerRuntimeOptions settings = WorkerRuntimeOptions.of(concurrency, Duration.ofMinutes(5), "text", "bench-" + suffix);
        List<Long> replyTimes = new ArrayList<>();
        try (WorkerService worker = new WorkerService(config, bootstrap, settings, new EchoAgent(agentTime),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), false, BenchEnv::loopDied).start();
             KafkaConsumer<String, byte[]> replies = replyReader(config.kafka().repliesTopic())) {
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            int lastShown = 0;
            while (replyTimes.size() < messages && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : replies.poll(Duration.ofMillis(100))) {
                    replyTimes.add(r.timestamp());
                }
                if (replyTimes.size() - lastShown >= messages / 10) {
                    lastShown = replyTimes.size();
                    progress.printf("  worker c=%d: %d/%d replies%n", concurrency, lastShown, messages);
                }
            }
        }
        if (replyTimes.size() < messages) {
            throw new IllegalStateException("only " + replyTimes.size() + " of " + messages + " replies within 5 min");
        }
        long first = replyTimes.stream().mapToLong(Long::longValue).min().orElseThrow();
        long last = replyTimes.stream().mapToLong(Long::longValue).max().orElseThrow();
        // The first reply appears one agent time after work starts: count that time in.
        double seconds = (last - first) / 1000.0 + agentTime.toMillis() / 1000.0;
        // Per-user order caps parallelism at the number of users with work: the ideal is the smaller.
        double ideal = Math.min(concurrency, users) * 1000.0 / agentTime.toMillis();
        return new Result(concurrency, partitions, messages, seconds, messages / seconds, ideal);
    }

    private KafkaConsumer<String, byte[]> replyReader(String topic) {
        Map<String, Object> c = KafkaClientSettings.consumer(bootstrap, "x", "bench-reply-reader");
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        return consumer;
    }
}
