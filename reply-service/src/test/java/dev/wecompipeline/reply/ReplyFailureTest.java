package dev.wecompipeline.reply;

import static dev.wecompipeline.reply.ReplyFixture.reply;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.wecompipeline.kafka.RecordHeaders;
import dev.wecompipeline.sandbox.CallRecord;
import dev.wecompipeline.sandbox.ReceivedMessage;
import dev.wecompipeline.sandbox.SandboxConfig;
import dev.wecompipeline.sandbox.WeComErrors;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** WeCom's refusals: frequency limits back off per app, permanent errors dead-letter, redrive puts them back. */
@ExtendWith(KafkaBrokerExtension.class)
class ReplyFailureTest {

    @Test
    void a_frequency_limit_pauses_only_that_app_and_its_reply_is_delivered_after_the_backoff(KafkaBroker kafka) {
        try (ReplyFixture fx = new ReplyFixture(kafka.bootstrapServers(), 2,
                Map.of("REPLY_FREQ_LIMIT_BACKOFF", "2s"), SandboxConfig.defaults())) {
            ReplyService service = fx.startService();
            fx.wecom.faults().failNext(WeComErrors.API_FREQ_OUT_OF_LIMIT, 1);
            fx.publish(reply("zhangsan", "a1", "app A after 45009"));
            fx.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> fx.wecom.countByErrcode(WeComErrors.API_FREQ_OUT_OF_LIMIT) == 1);
            Instant limited = fx.wecom.sendCalls().stream().filter(c -> c.answered(WeComErrors.API_FREQ_OUT_OF_LIMIT))
                    .map(CallRecord::time).findFirst().orElseThrow();

            fx.publish(reply(ReplyFixture.APP_B, "wangwu", "b1", "app B meanwhile"));
            fx.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> fx.wecom.deliveredTo(ReplyFixture.CORP_B, "wangwu").size() == 1);
            assertEquals(List.of(), fx.deliveredTo("zhangsan"), "app A still backs off while app B delivers");

            await().atMost(Duration.ofSeconds(30)).until(() -> fx.deliveredTo("zhangsan").size() == 1);
            ReceivedMessage late = fx.wecom.deliveredTo(ReplyFixture.CORP, "zhangsan").get(0);
            assertTrue(Duration.between(limited, late.time()).compareTo(Duration.ofSeconds(2)) >= 0,
                    "delivered " + Duration.between(limited, late.time()) + " after the 45009");
            assertEquals(2, fx.wecom.sendCalls().stream().filter(c -> ReplyFixture.CORP.equals(c.corpId())).count(),
                    "no call of app A during its backoff");
            assertEquals(1, service.metrics().count("wecom.reply.retries", "app", "default", "errcode", "45009"));
        }
    }

    @Test
    void a_permanent_error_dead_letters_the_reply_and_redrive_delivers_it_once_the_error_is_cleared(KafkaBroker kafka) {
        try (ReplyFixture fx = new ReplyFixture(kafka.bootstrapServers(), 2)) {
            ReplyService service = fx.startService();
            fx.wecom.faults().forceErrcodeFor("bob", WeComErrors.NO_USER_PERMISSION);
            fx.publish(reply("bob", "b1", "for bob"));
            fx.publish(reply("alice", "a1", "for alice"));
            fx.flush();

            ConsumerRecord<String, byte[]> dead = fx.readCommitted(fx.config.kafka().repliesDlqTopic(), 1,
                    Duration.ofSeconds(30)).get(0);
            assertEquals("60011", header(dead, DeadLetters.ERRCODE));
            assertEquals("1", header(dead, DeadLetters.ATTEMPTS), "permanent: not retried");
            assertTrue(header(dead, DeadLetters.ERRMSG).startsWith("no privilege"), header(dead, DeadLetters.ERRMSG));
            assertEquals("reply-b1", header(dead, RecordHeaders.REPLY_ID), "original headers kept");
            await().atMost(Duration.ofSeconds(30)).until(() -> fx.deliveredTo("alice").size() == 1);
            assertEquals(List.of(), fx.deliveredTo("bob"));
            assertEquals(1, service.metrics().count("wecom.reply.dead.letters", "errcode", "60011"));

            fx.wecom.faults().clearForced();
            ByteArrayOutputStream listing = new ByteArrayOutputStream();
            Redrive.Result dry = Redrive.run(fx.config, fx.bootstrap, Redrive.Filter.ALL.withErrcode("60011"), true,
                    new PrintStream(listing, true, StandardCharsets.UTF_8));
            assertEquals(new Redrive.Result(1, 1, 0), dry);
            assertTrue(listing.toString(StandardCharsets.UTF_8).contains("would redrive"), listing.toString(StandardCharsets.UTF_8));
            assertEquals(new Redrive.Result(1, 0, 0), Redrive.run(fx.config, fx.bootstrap,
                    Redrive.Filter.ALL.withUser("alice"), false, new PrintStream(new ByteArrayOutputStream())));

            Redrive.Result done = Redrive.run(fx.config, fx.bootstrap,
                    Redrive.Filter.ALL.withApp("default").withUser("bob").between(Instant.now().minusSeconds(600), null),
                    false, new PrintStream(new ByteArrayOutputStream()));

            assertEquals(1, done.redriven());
            await().atMost(Duration.ofSeconds(30)).until(() -> fx.deliveredTo("bob").equals(List.of("for bob")));
            // Redriving again is harmless: the reply's chunk is marked delivered now.
            Redrive.run(fx.config, fx.bootstrap, Redrive.Filter.ALL, false, new PrintStream(new ByteArrayOutputStream()));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> service.engine().recordCount("already_delivered") == 1);
            assertEquals(List.of("for bob"), fx.deliveredTo("bob"));
        }
    }

    @Test
    void a_reply_for_an_unknown_app_or_an_unreadable_record_is_dead_lettered_without_calling_wecom(KafkaBroker kafka) {
        try (ReplyFixture fx = new ReplyFixture(kafka.bootstrapServers(), 1)) {
            fx.startService();
            fx.publish(new dev.wecompipeline.kafka.ReplyMessage(1, "r-x", "m-x", "nobody", ReplyFixture.CORP, "1",
                    "carol", "text", "lost?", 0, "t-x"));
            fx.publishRaw(ReplyFixture.CORP + ":carol", "not json".getBytes(StandardCharsets.UTF_8));
            fx.flush();

            List<ConsumerRecord<String, byte[]>> dead = fx.readCommitted(fx.config.kafka().repliesDlqTopic(), 2,
                    Duration.ofSeconds(30));

            assertEquals(List.of(DeadLetters.UNKNOWN_APP, DeadLetters.UNREADABLE),
                    dead.stream().map(r -> header(r, DeadLetters.ERRCODE)).toList());
            assertEquals("0", header(dead.get(0), DeadLetters.ATTEMPTS));
            assertEquals(0, fx.wecom.sendCallCount());
        }
    }

    @Test
    void a_reply_to_everyone_or_to_a_list_of_users_is_dead_lettered_and_never_sent(KafkaBroker kafka) {
        try (ReplyFixture fx = new ReplyFixture(kafka.bootstrapServers(), 1)) {
            ReplyService service = fx.startService();
            // One partition: the good reply comes after the refused ones, so its delivery shows they were handled.
            fx.publish(reply("@all", "all1", "to everyone?"));
            fx.publish(reply("alice|bob", "list1", "to two people?"));
            fx.publish(reply("carol", "c1", "to carol"));
            fx.flush();

            List<ConsumerRecord<String, byte[]>> dead = fx.readCommitted(fx.config.kafka().repliesDlqTopic(), 2,
                    Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(30)).until(() -> fx.deliveredTo("carol").equals(List.of("to carol")));

            assertEquals(List.of("reply-all1", "reply-list1"), dead.stream().map(r -> header(r, RecordHeaders.REPLY_ID)).toList());
            assertEquals(List.of(DeadLetters.INVALID_RECIPIENT, DeadLetters.INVALID_RECIPIENT),
                    dead.stream().map(r -> header(r, DeadLetters.ERRCODE)).toList());
            assertTrue(header(dead.get(0), DeadLetters.ERRMSG).contains("'@all' is @all"), header(dead.get(0), DeadLetters.ERRMSG));
            assertTrue(header(dead.get(1), DeadLetters.ERRMSG).contains("'alice|bob' is a list"), header(dead.get(1), DeadLetters.ERRMSG));
            assertEquals("0", header(dead.get(0), DeadLetters.ATTEMPTS), "refused before any call");
            assertEquals(List.of("carol"), fx.wecom.sendCalls().stream().map(CallRecord::touser).toList(),
                    "WeCom saw only the single-user reply");
            assertEquals(2, service.metrics().count("wecom.reply.dead.letters", "errcode", DeadLetters.INVALID_RECIPIENT));
        }
    }

    @Test
    void the_reply_service_refuses_to_start_without_an_apps_corp_secret(KafkaBroker kafka) {
        try (ReplyFixture fx = new ReplyFixture(kafka.bootstrapServers(), 1)) {
            dev.wecompipeline.config.AppConfig noSecret = new dev.wecompipeline.config.AppConfig("default", ReplyFixture.CORP,
                    null, "1000002", "token-a", ReplyFixture.APP.encodingAesKey());
            dev.wecompipeline.config.PipelineConfig config = fx.config.withApps(List.of(noSecret));

            dev.wecompipeline.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.wecompipeline.config.ConfigException.class, () -> new ReplyService(config, fx.bootstrap,
                            new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
                                    io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT), false, fx.deaths::add));

            assertTrue(e.getMessage().contains("WECOM_CALLBACK_CORP_SECRET"), e.getMessage());
        }
    }

    @Test
    void sixty_twenty_ip_not_allowed_is_permanent(KafkaBroker kafka) {
        try (ReplyFixture fx = new ReplyFixture(kafka.bootstrapServers(), 1)) {
            fx.startService();
            fx.wecom.faults().ipNotAllowed("203.0.113.7");
            fx.publish(reply("dave", "d1", "blocked by IP"));
            fx.flush();

            ConsumerRecord<String, byte[]> dead = fx.readCommitted(fx.config.kafka().repliesDlqTopic(), 1,
                    Duration.ofSeconds(30)).get(0);

            assertEquals("60020", header(dead, DeadLetters.ERRCODE));
            assertTrue(header(dead, DeadLetters.ERRMSG).contains("203.0.113.7"));
            assertEquals(1, fx.wecom.sendCallCount());
        }
    }

    @Test
    void retries_that_run_out_dead_letter_the_reply_with_the_attempts_made(KafkaBroker kafka) {
        try (ReplyFixture fx = new ReplyFixture(kafka.bootstrapServers(), 1, Map.of("REPLY_MAX_ATTEMPTS", "3"),
                SandboxConfig.defaults())) {
            fx.startService();
            fx.wecom.faults().httpErrors(502, 1.0);
            fx.publish(reply("erin", "e1", "never through"));
            fx.flush();

            ConsumerRecord<String, byte[]> dead = fx.readCommitted(fx.config.kafka().repliesDlqTopic(), 1,
                    Duration.ofSeconds(30)).get(0);

            assertEquals("http_502", header(dead, DeadLetters.ERRCODE));
            assertEquals("3", header(dead, DeadLetters.ATTEMPTS));
        }
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        return RecordHeaders.get(r.headers(), name).orElse(null);
    }
}
