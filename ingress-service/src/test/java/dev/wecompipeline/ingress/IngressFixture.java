package dev.wecompipeline.ingress;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import dev.wecompipeline.config.ConfigLoader;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.crypto.CallbackEncoder;
import dev.wecompipeline.crypto.WxBizMsgCrypt;
import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.Topics;
import dev.wecompipeline.xml.InboundXmlMessage;
import dev.wecompipeline.xml.WeComXml;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A running ingress against a real broker, on fresh topics, with an HTTP client and helpers to
 * sign callbacks as WeCom does and to read back what was published.
 */
final class IngressFixture implements AutoCloseable {

    static final String CORP = "wwcorp0001";
    static final String AGENT = "1000002";
    static final String TOKEN = "QDG6eK";
    static final String AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
    static final String SECRET = "corp-secret-value-never-logged";

    private static final AtomicInteger SEQ = new AtomicInteger();

    final PipelineConfig config;
    final IngressService ingress;
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final String bootstrap;

    /** Single app from the constants above, open to all users, plus {@code extraEnv}. */
    static IngressFixture start(String bootstrap, Map<String, String> extraEnv) {
        Map<String, String> env = new HashMap<>(Map.of(
                "WECOM_CALLBACK_CORP_ID", CORP, "WECOM_CALLBACK_CORP_SECRET", SECRET,
                "WECOM_CALLBACK_AGENT_ID", AGENT, "WECOM_CALLBACK_TOKEN", TOKEN,
                "WECOM_CALLBACK_ENCODING_AES_KEY", AES_KEY, "WECOM_CALLBACK_ALLOW_ALL_USERS", "true"));
        env.putAll(extraEnv);
        return start(bootstrap, env, Optional.empty());
    }

    static IngressFixture start(String bootstrap, Map<String, String> env, Optional<java.nio.file.Path> yaml) {
        Map<String, String> all = new HashMap<>(env);
        String suffix = "-" + SEQ.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
        all.putIfAbsent("KAFKA_TOPIC_INBOUND", "it.inbound" + suffix);
        all.putIfAbsent("KAFKA_TOPIC_REPLIES", "it.replies" + suffix);
        all.putIfAbsent("KAFKA_TOPIC_PARTITIONS", "3");
        all.put("WECOM_CALLBACK_PORT", "0");
        all.put("WECOM_CALLBACK_HOST", "127.0.0.1");
        return new IngressFixture(ConfigLoader.load(all, yaml), bootstrap);
    }

    private IngressFixture(PipelineConfig config, String bootstrap) {
        this.config = config;
        this.bootstrap = bootstrap;
        try (Admin admin = Admin.create(KafkaClientSettings.admin(bootstrap, "it-admin"))) {
            Topics.ensure(admin, config.kafka(), Duration.ofSeconds(30));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        this.ingress = new IngressService(config, bootstrap, registry).start();
    }

    String url(String pathAndQuery) {
        return "http://127.0.0.1:" + ingress.port() + pathAndQuery;
    }

    static CallbackEncoder encoder() {
        return new CallbackEncoder(new WxBizMsgCrypt(TOKEN, AES_KEY, CORP), CORP, AGENT);
    }

    static String textXml(String corp, String user, String msgId, String text) {
        return WeComXml.toXml(InboundXmlMessage.text(corp, user, nowSeconds(), AGENT, msgId, text));
    }

    static long nowSeconds() {
        return System.currentTimeMillis() / 1000;
    }

    HttpResponse<String> post(String path, CallbackEncoder.SignedCallback callback) {
        return post(path + "?" + callback.query(), callback.body());
    }

    HttpResponse<String> post(String pathAndQuery, String body) {
        return send(HttpRequest.newBuilder(URI.create(url(pathAndQuery)))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    HttpResponse<String> get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(URI.create(url(pathAndQuery))).GET().build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends a text message from {@code user} to the default path. */
    HttpResponse<String> sendText(String user, String msgId, String text) {
        return post(config.ingress().path(), encoder().post(textXml(CORP, user, msgId, text), nowSeconds()));
    }

    /** Every record on the inbound topic: reads until at least {@code expected} and the end offsets. */
    List<ConsumerRecord<String, InboundMessage>> inbound(int expected) {
        return readTopic(config.kafka().inboundTopic(), expected, JsonSerde.inbound());
    }

    <T> List<ConsumerRecord<String, T>> readTopic(String topic, int expected, Deserializer<T> values) {
        List<ConsumerRecord<String, T>> out = new ArrayList<>();
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(
                KafkaClientSettings.consumer(bootstrap, "unused", "it-reader"), new StringDeserializer(), values)) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
                Map<TopicPartition, Long> end = consumer.endOffsets(parts);
                return out.size() >= expected && parts.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
        }
        return out;
    }

    double outcomeCount(String outcome) {
        var counter = registry.find("wecom.ingress.requests").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Override
    public void close() {
        ingress.close();
    }
}
