package dev.wecompipeline.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.wecompipeline.crypto.CallbackEncoder;
import dev.wecompipeline.crypto.WxBizMsgCrypt;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import dev.wecompipeline.xml.InboundXmlMessage;
import dev.wecompipeline.xml.WeComXml;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** ingress and worker as separate processes: a signed callback comes out as a committed reply. */
@ExtendWith(KafkaBrokerExtension.class)
class WorkerCommandIT {

    private static final String KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";

    @TempDir
    Path workDir;

    @Test
    void a_callback_through_ingress_and_worker_processes_becomes_one_reply(KafkaBroker kafka) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        int ingressPort = freePort();
        Map<String, String> env = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "WECOM_CALLBACK_CORP_ID", "wwe2e", "WECOM_CALLBACK_CORP_SECRET", "secret",
                "WECOM_CALLBACK_AGENT_ID", "1000002", "WECOM_CALLBACK_TOKEN", "e2etoken",
                "WECOM_CALLBACK_ENCODING_AES_KEY", KEY, "WECOM_CALLBACK_ALLOW_ALL_USERS", "true",
                "KAFKA_TOPIC_INBOUND", "e2e.inbound." + suffix, "KAFKA_TOPIC_REPLIES", "e2e.replies." + suffix));
        env.put("WORKER_GROUP_ID", "e2e-workers-" + suffix);
        env.put("KAFKA_TOPIC_PARTITIONS", "2");
        Map<String, String> ingressEnv = new HashMap<>(env);
        ingressEnv.put("WECOM_CALLBACK_PORT", String.valueOf(ingressPort));
        ingressEnv.put("WECOM_CALLBACK_HOST", "127.0.0.1");
        Map<String, String> workerEnv = new HashMap<>(env);
        workerEnv.put("WORKER_PORT", String.valueOf(freePort()));

        try (LauncherProcess ingress = LauncherProcess.start(workDir, ingressEnv, "ingress");
             LauncherProcess worker = LauncherProcess.start(workDir, workerEnv, "worker")) {
            await().atMost(Duration.ofSeconds(60)).failFast("ingress exited", () -> !ingress.isAlive())
                    .until(() -> ingress.output().contains("ingress: ready"));
            await().atMost(Duration.ofSeconds(60)).failFast("worker exited", () -> !worker.isAlive())
                    .until(() -> worker.output().contains("assigned"));

            CallbackEncoder encoder = new CallbackEncoder(new WxBizMsgCrypt("e2etoken", KEY, "wwe2e"), "wwe2e", "1000002");
            HttpClient http = HttpClient.newHttpClient();
            long now = System.currentTimeMillis() / 1000;
            for (String text : List.of("你好", "second message")) {
                var cb = encoder.post(WeComXml.toXml(InboundXmlMessage.text("wwe2e", "zhang", now, "1000002",
                        "e2e-" + text.hashCode(), text)), now);
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + ingressPort + "/wecom/callback?" + cb.query()))
                        .POST(HttpRequest.BodyPublishers.ofString(cb.body())).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
            }

            List<ReplyMessage> replies = new ArrayList<>();
            Map<String, Object> c = KafkaClientSettings.consumer(kafka.bootstrapServers(), "x", "e2e-reader");
            c.remove(ConsumerConfig.GROUP_ID_CONFIG);
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
                var parts = consumer.partitionsFor("e2e.replies." + suffix).stream()
                        .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> replies.add(JsonSerde.replies().deserialize("t", r.value())));
                    return replies.size() >= 2;
                });
            }
            assertEquals(List.of("你好", "second message"), replies.stream().map(ReplyMessage::content).toList(),
                    "the echo agent answers with the text unchanged, in order");
            assertTrue(replies.stream().allMatch(r -> r.userId().equals("zhang") && r.corpId().equals("wwe2e")));

            assertEquals(0, worker.terminate(Duration.ofSeconds(60)), worker.output());
            assertTrue(worker.output().contains("worker: stopped"), worker.output());
            assertEquals(0, ingress.terminate(Duration.ofSeconds(30)), ingress.output());
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
