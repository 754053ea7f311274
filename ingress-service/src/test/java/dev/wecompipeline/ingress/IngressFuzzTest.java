package dev.wecompipeline.ingress;

import static dev.wecompipeline.ingress.IngressFixture.CORP;
import static dev.wecompipeline.ingress.IngressFixture.nowSeconds;
import static dev.wecompipeline.ingress.IngressFixture.textXml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import dev.wecompipeline.crypto.CallbackEncoder.SignedCallback;
import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Random and mutated requests never get a 5xx (Kafka is up, so 503 must not appear either), and
 * nothing but an intact original message is ever published.
 */
@ExtendWith(KafkaBrokerExtension.class)
class IngressFuzzTest {

    private static final long SEED = 0xC0FFEEL;
    private static final int CASES_PER_KIND = 150;

    @Test
    void fuzzed_bodies_and_query_strings_never_produce_a_5xx(KafkaBroker kafka) {
        Random random = new Random(SEED);
        Map<String, Integer> statuses = new TreeMap<>();
        try (IngressFixture fx = IngressFixture.start(kafka.bootstrapServers(), Map.of())) {
            for (int i = 0; i < CASES_PER_KIND; i++) {
                String original = "fuzz original " + i;
                SignedCallback valid = IngressFixture.encoder()
                        .post(textXml(CORP, "fuzzer", "f" + i, original), nowSeconds());
                // 1. Bit flips anywhere in the signed body.
                byte[] body = valid.body().getBytes(StandardCharsets.UTF_8);
                for (int f = 0, n = 1 + random.nextInt(4); f < n; f++) {
                    body[random.nextInt(body.length)] ^= (byte) (1 << random.nextInt(8));
                }
                record(statuses, "bitflip-body", fx.send(post(fx, "/wecom/callback?" + valid.query(), body)).statusCode());
                // 2. Mutated query strings on an intact body.
                record(statuses, "query", fx.send(post(fx, "/wecom/callback?" + mutateQuery(random, valid.query()),
                        valid.body().getBytes(StandardCharsets.UTF_8))).statusCode());
                // 3. Random bytes and wrong encodings as body.
                byte[] junk = new byte[random.nextInt(2048)];
                random.nextBytes(junk);
                record(statuses, "random-body", fx.send(post(fx, "/wecom/callback?" + valid.query(), junk)).statusCode());
                // 4. Huge fields inside otherwise valid XML.
                String huge = valid.body().replace("<AgentID>", "<AgentID>" + "9".repeat(random.nextInt(30_000)));
                record(statuses, "huge-field", fx.send(post(fx, "/wecom/callback?" + valid.query(),
                        huge.getBytes(StandardCharsets.UTF_16))).statusCode());
                // 5. GET with garbage.
                record(statuses, "get", fx.get("/wecom/callback?" + mutateQuery(random, valid.query())
                        + "&echostr=" + URLEncoder.encode(randomText(random), StandardCharsets.UTF_8)).statusCode());
            }
            System.out.println("ingress fuzz (seed " + SEED + ", " + CASES_PER_KIND * 5 + " requests): " + statuses);
            assertTrue(statuses.keySet().stream().noneMatch(k -> k.endsWith(" 5xx")), "5xx answers: " + statuses);

            fx.sendText("fuzzer", "fuzz-marker", "marker");
            for (ConsumerRecord<String, InboundMessage> r : fx.inbound(1)) {
                InboundMessage m = r.value();
                if (!m.messageId().equals("fuzz-marker")) {
                    assertEquals("fuzz original " + m.messageId().substring(1), m.content(),
                            "only intact originals may be published");
                }
            }
        }
    }

    private static HttpRequest post(IngressFixture fx, String pathAndQuery, byte[] body) {
        return HttpRequest.newBuilder(URI.create(fx.url(pathAndQuery)))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private static void record(Map<String, Integer> statuses, String kind, int status) {
        statuses.merge(kind + " " + (status >= 500 ? "5xx" : Integer.toString(status)), 1, Integer::sum);
    }

    private static String mutateQuery(Random random, String query) {
        return switch (random.nextInt(5)) {
            case 0 -> query.replaceFirst("timestamp=\\d+", "timestamp=" + URLEncoder.encode(randomText(random), StandardCharsets.UTF_8));
            case 1 -> query.replaceFirst("msg_signature=[0-9a-f]+", "msg_signature=");
            case 2 -> query + "&msg_signature=" + Long.toHexString(random.nextLong());
            case 3 -> query.replaceFirst("nonce=\\d+", "nonce=" + "9".repeat(5000));
            default -> URLEncoder.encode(randomText(random), StandardCharsets.UTF_8) + "=" + random.nextInt();
        };
    }

    private static String randomText(Random random) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0, n = random.nextInt(40); i < n; i++) {
            sb.append((char) (random.nextBoolean() ? 32 + random.nextInt(95) : random.nextInt(0xD7FF)));
        }
        return sb.toString();
    }
}
