package dev.wecompipeline.ingress;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.wecompipeline.kafka.embedded.EmbeddedKafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka down: the ingress answers 503 (so WeCom retries) and never acknowledges what Kafka does
 * not have. Uses its own broker, since stopping the shared one would disturb other tests.
 */
class IngressKafkaOutageTest {

    @TempDir
    Path dir;

    @Test
    void kafka_stopped_gives_503_and_every_earlier_200_is_on_the_topic_after_restart() throws Exception {
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dir.resolve("kafka"), 0).start();
             IngressFixture fx = IngressFixture.start(broker.bootstrapServers(),
                     Map.of("WECOM_CALLBACK_ACK_TIMEOUT_MS", "1500"))) {
            List<String> acknowledged = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String id = "900" + i;
                if (fx.sendText("user" + (i % 4), id, "before outage " + i).statusCode() == 200) {
                    acknowledged.add(id);
                }
            }
            assertEquals(20, acknowledged.size());

            broker.stop();
            List<String> refused = new ArrayList<>();
            for (int i = 20; i < 25; i++) {
                String id = "900" + i;
                HttpResponse<String> r = fx.sendText("user" + (i % 4), id, "during outage " + i);
                assertEquals(503, r.statusCode(), "no acknowledgement while Kafka is down");
                // How soon: WECOM_CALLBACK_ACK_TIMEOUT_MS, which configuration keeps below WeCom's 5 s
                // (IngressConfig); the "unavailable" count below shows the 503s came from that timeout.
                refused.add(id);
            }
            assertEquals(503, fx.get("/ready").statusCode());
            assertTrue(fx.outcomeCount("unavailable") >= 5);

            broker.start();
            // WeCom retries what got 503: once Kafka is back, the retries are acknowledged.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> fx.sendText("user0", "900100", "after restart").statusCode() == 200);
            for (String id : refused) {
                int n = Integer.parseInt(id.substring(3));
                // The idempotent producer may still be recovering a partition whose batches expired: retry as WeCom would.
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                        .until(() -> fx.sendText("user" + (n % 4), id, "during outage " + n).statusCode() == 200);
                acknowledged.add(id);
            }
            acknowledged.add("900100");
            assertEquals(200, fx.get("/ready").statusCode());

            List<ConsumerRecord<String, dev.wecompipeline.kafka.InboundMessage>> onTopic = fx.inbound(acknowledged.size());
            Set<String> ids = onTopic.stream().map(r -> r.value().messageId()).collect(Collectors.toSet());
            assertTrue(ids.containsAll(acknowledged), "every acknowledged message is on the topic; missing: "
                    + acknowledged.stream().filter(a -> !ids.contains(a)).toList());
        }
    }
}
