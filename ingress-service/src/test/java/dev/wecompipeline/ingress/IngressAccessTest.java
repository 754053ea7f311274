package dev.wecompipeline.ingress;

import static dev.wecompipeline.ingress.IngressFixture.AGENT;
import static dev.wecompipeline.ingress.IngressFixture.CORP;
import static dev.wecompipeline.ingress.IngressFixture.nowSeconds;
import static dev.wecompipeline.ingress.IngressFixture.textXml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import ch.qos.logback.classic.Logger;
import dev.wecompipeline.crypto.CallbackEncoder;
import dev.wecompipeline.crypto.WxBizMsgCrypt;
import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.testkit.CapturedLogs;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Access control, multi-app routing, source allowlists and what never reaches the logs. */
@ExtendWith(KafkaBrokerExtension.class)
class IngressAccessTest {

    private static final String KEY_B = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

    @TempDir
    Path dir;

    @Test
    void allowlist_takes_bare_and_corp_scoped_ids_and_refused_users_are_acked_but_not_published(KafkaBroker kafka) {
        try (IngressFixture fx = IngressFixture.start(kafka.bootstrapServers(), Map.of(
                "WECOM_CALLBACK_ALLOW_ALL_USERS", "false",
                "WECOM_CALLBACK_ALLOWED_USERS", "alice, " + CORP + ":bob, wwothercorp:carol",
                "WECOM_CALLBACK_ACCESS_DENIED_REPLY", "Sorry, ask IT for access."))) {
            assertEquals(200, fx.sendText("alice", "800001", "bare id").statusCode());
            assertEquals(200, fx.sendText("bob", "800002", "scoped id").statusCode());
            var refused = fx.sendText("carol", "800003", "scoped to another corp");
            assertEquals(200, refused.statusCode());
            assertEquals("success", refused.body());
            assertEquals(200, fx.sendText("mallory", "800004", "not listed").statusCode());

            Set<String> published = fx.inbound(2).stream().map(r -> r.value().userId()).collect(Collectors.toSet());
            assertEquals(Set.of("alice", "bob"), published);
            assertEquals(2.0, fx.outcomeCount("denied"));

            List<ReplyMessage> notices = fx.readTopic(fx.config.kafka().repliesTopic(), 2, JsonSerde.replies())
                    .stream().map(ConsumerRecord::value).toList();
            assertEquals(Set.of("carol", "mallory"), notices.stream().map(ReplyMessage::userId).collect(Collectors.toSet()));
            assertTrue(notices.stream().allMatch(n -> n.content().equals("Sorry, ask IT for access.")));
        }
    }

    @Test
    void with_no_allowlist_nobody_is_allowed(KafkaBroker kafka) {
        try (IngressFixture fx = IngressFixture.start(kafka.bootstrapServers(),
                Map.of("WECOM_CALLBACK_ALLOW_ALL_USERS", "false"))) {
            assertEquals(200, fx.sendText("alice", "800010", "hi").statusCode());
            assertEquals(1.0, fx.outcomeCount("denied"));
            assertEquals(0.0, fx.outcomeCount("accepted"));
        }
    }

    @Test
    void two_apps_are_routed_by_corp_id_and_by_their_own_path(KafkaBroker kafka) throws Exception {
        Path yaml = dir.resolve("config.yaml");
        Files.writeString(yaml, """
                platforms:
                  wecom_callback:
                    extra:
                      allow_all_users: true
                      apps:
                        - name: dept-a
                          corp_id: %s
                          corp_secret: secret-a
                          agent_id: "%s"
                          token: %s
                          encoding_aes_key: %s
                        - name: dept-b
                          corp_id: wwcorpb
                          corp_secret: secret-b
                          agent_id: "1000003"
                          token: tokenb
                          encoding_aes_key: %s
                """.formatted(CORP, AGENT, IngressFixture.TOKEN, IngressFixture.AES_KEY, KEY_B));
        try (IngressFixture fx = IngressFixture.start(kafka.bootstrapServers(), Map.of(), Optional.of(yaml))) {
            CallbackEncoder a = IngressFixture.encoder();
            CallbackEncoder b = new CallbackEncoder(new WxBizMsgCrypt("tokenb", KEY_B, "wwcorpb"), "wwcorpb", "1000003");
            assertEquals(200, fx.post("/wecom/callback", a.post(textXml(CORP, "same-user", "1", "to a"), nowSeconds())).statusCode());
            assertEquals(200, fx.post("/wecom/callback", b.post(textXml("wwcorpb", "same-user", "1", "to b"), nowSeconds())).statusCode());
            assertEquals(200, fx.post("/wecom/callback/dept-b", b.post(textXml("wwcorpb", "u2", "2", "per-app path"), nowSeconds())).statusCode());
            // dept-a's callback on dept-b's path is not dept-b's.
            assertEquals(403, fx.post("/wecom/callback/dept-b", a.post(textXml(CORP, "u3", "3", "wrong path"), nowSeconds())).statusCode());
            // URL verification finds the app whose token signed it.
            var verify = fx.get("/wecom/callback?" + b.verification("echo-b", nowSeconds()).query());
            assertEquals("echo-b", verify.body());

            Map<String, String> appByKey = fx.inbound(3).stream()
                    .collect(Collectors.toMap(ConsumerRecord::key, r -> r.value().appName()));
            assertEquals(Map.of(CORP + ":same-user", "dept-a", "wwcorpb:same-user", "dept-b", "wwcorpb:u2", "dept-b"),
                    appByKey, "users are scoped corp_id:user_id and keep their app");
        }
    }

    @Test
    void source_allowlist_honours_forwarded_for_only_from_trusted_proxies(KafkaBroker kafka) {
        try (IngressFixture fx = IngressFixture.start(kafka.bootstrapServers(), Map.of(
                "WECOM_CALLBACK_ALLOWED_SOURCE_CIDRS", "203.0.113.0/24",
                "WECOM_CALLBACK_TRUSTED_PROXIES", "127.0.0.1"))) {
            var cb = IngressFixture.encoder().post(textXml(CORP, "u", "800020", "x"), nowSeconds());
            assertEquals(403, fx.post("/wecom/callback", cb).statusCode(), "loopback itself is not in the allowlist");
            HttpRequest viaProxy = HttpRequest.newBuilder(URI.create(fx.url("/wecom/callback?" + cb.query())))
                    .header("X-Forwarded-For", "198.51.100.7, 203.0.113.9")
                    .POST(HttpRequest.BodyPublishers.ofString(cb.body())).build();
            assertEquals(200, fx.send(viaProxy).statusCode());
            HttpRequest forged = HttpRequest.newBuilder(URI.create(fx.url("/wecom/callback?" + cb.query())))
                    .header("X-Forwarded-For", "203.0.113.9, 198.51.100.7")
                    .POST(HttpRequest.BodyPublishers.ofString(cb.body())).build();
            assertEquals(403, fx.send(forged).statusCode(), "the right-most untrusted hop decides");
            assertEquals(2.0, fx.outcomeCount("bad_source"));
        }
        try (IngressFixture fx = IngressFixture.start(kafka.bootstrapServers(), Map.of(
                "WECOM_CALLBACK_ALLOWED_SOURCE_CIDRS", "203.0.113.0/24"))) {
            var cb = IngressFixture.encoder().post(textXml(CORP, "u", "800021", "x"), nowSeconds());
            HttpRequest untrusted = HttpRequest.newBuilder(URI.create(fx.url("/wecom/callback?" + cb.query())))
                    .header("X-Forwarded-For", "203.0.113.9")
                    .POST(HttpRequest.BodyPublishers.ofString(cb.body())).build();
            assertEquals(403, fx.send(untrusted).statusCode(), "X-Forwarded-For from an untrusted peer is ignored");
        }
    }

    @Test
    void secrets_and_message_content_never_reach_the_logs(KafkaBroker kafka) {
        Logger ours = (Logger) LoggerFactory.getLogger("dev.wecompipeline");
        ch.qos.logback.classic.Level before = ours.getLevel();
        ours.setLevel(ch.qos.logback.classic.Level.INFO);
        try (CapturedLogs logs = CapturedLogs.start();
             IngressFixture fx = IngressFixture.start(kafka.bootstrapServers(), Map.of(
                "WECOM_CALLBACK_ALLOW_ALL_USERS", "false", "WECOM_CALLBACK_ALLOWED_USERS", "alice"))) {
            fx.sendText("alice", "800030", "TOP-SECRET-CONTENT accepted");
            fx.sendText("mallory", "800031", "TOP-SECRET-CONTENT denied");
            var cb = IngressFixture.encoder().post(textXml(CORP, "alice", "800032", "TOP-SECRET-CONTENT"), nowSeconds());
            fx.post("/wecom/callback?" + cb.query().replace("msg_signature=", "msg_signature=00"), cb.body());
            fx.get("/wecom/callback?" + IngressFixture.encoder().verification("echo", nowSeconds()).query());
            List<String> lines = logs.messages();
            assertFalse(lines.isEmpty());
            for (String line : lines) {
                for (String secret : List.of(IngressFixture.TOKEN, IngressFixture.AES_KEY, IngressFixture.SECRET,
                        "TOP-SECRET-CONTENT")) {
                    assertFalse(line.contains(secret), "log line leaks a secret or content: " + line);
                }
            }
            assertTrue(lines.stream().anyMatch(l -> l.contains("Refused user")));
            assertTrue(lines.stream().anyMatch(l -> l.contains("bad_signature")));
        } finally {
            ours.setLevel(before);
        }
    }

    static InboundMessage only(List<ConsumerRecord<String, InboundMessage>> records) {
        assertEquals(1, records.size());
        return records.get(0).value();
    }
}
