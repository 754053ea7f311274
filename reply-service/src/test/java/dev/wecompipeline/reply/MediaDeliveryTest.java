package dev.wecompipeline.reply;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.wecompipeline.kafka.RecordHeaders;
import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.kafka.ReplyMessage.Attachment;
import dev.wecompipeline.sandbox.ReceivedMessage;
import dev.wecompipeline.sandbox.ApiCallOutcome;
import dev.wecompipeline.sandbox.SandboxConfig;
import dev.wecompipeline.testkit.CrashSwitch;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Replies with attachments on the WeCom sandbox: the text's chunks, then each image and file as a
 * message of its own, in order and once each, also when the reply-service dies between them; an
 * attachment whose {@code media_id} expired, or that WeCom refuses, is dead-lettered with its
 * reason after the parts before it went out.
 */
@ExtendWith(KafkaBrokerExtension.class)
class MediaDeliveryTest {

    @Test
    void text_then_two_images_and_a_file_arrive_in_order_once_each_also_when_the_service_dies_between_them(
            KafkaBroker kafka) {
        // Two sends a second: the crash comes before the later parts are sent.
        try (ReplyFixture fx = new ReplyFixture(kafka.bootstrapServers(), 1, Map.of("REPLY_APP_SENDS_PER_SECOND", "2"),
                SandboxConfig.defaults())) {
            String chart = image(fx, "chart.png");
            String photo = image(fx, "photo.jpg");
            String report = fx.wecom.seedMedia(ReplyFixture.CORP, "file", "%PDF-1.4 report".getBytes(StandardCharsets.UTF_8),
                    "application/pdf", "report.pdf");
            long now = System.currentTimeMillis();
            ReplyMessage reply = ReplyFixture.reply("hua", "media", "Here are the chart, the photo and the report.")
                    .withAttachments(List.of(new Attachment("image", chart, "chart.png", 100, now),
                            new Attachment("image", photo, "photo.jpg", 100, now),
                            new Attachment("file", report, "report.pdf", 15, now)));

            CrashAfterAccept crash = new CrashAfterAccept();
            crash.acceptsBeforeCrash.set(1);   // the text's marker is recorded; the first image's is not
            crash.armed = true;
            ReplyService doomed = fx.startService(new CrashSwitch(), crash);
            fx.publish(reply);
            fx.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> !doomed.isRunning());
            doomed.close();
            fx.services.remove(doomed);
            List<String> beforeCrash = fx.deliveredTo("hua");
            assertTrue(beforeCrash.size() >= 2 && beforeCrash.get(1).equals(chart),
                    "the service died after WeCom accepted the first image, before its marker: " + beforeCrash);

            ReplyService survivor = fx.startService();
            await().atMost(Duration.ofSeconds(60)).until(() -> fx.deliveredTo("hua").size() >= 4);
            List<ReceivedMessage> seen = fx.wecom.deliveredTo(ReplyFixture.CORP, "hua");
            assertEquals(List.of("text", "image", "image", "file"), seen.stream().map(ReceivedMessage::msgtype).toList());
            assertEquals(List.of("Here are the chart, the photo and the report.", chart, photo, report),
                    seen.stream().map(ReceivedMessage::content).toList(), "in order, once each");
            assertTrue(fx.wecom.countByOutcome(ApiCallOutcome.DUPLICATE_SUPPRESSED) >= 1,
                    "the first image, sent again after the crash, was caught by WeCom's duplicate check");
            assertTrue(survivor.isRunning());
        }
    }

    @Test
    void an_attachment_that_expired_before_its_turn_is_dead_lettered_after_the_text_without_a_send(KafkaBroker kafka) {
        try (ReplyFixture fx = new ReplyFixture(kafka.bootstrapServers(), 1)) {
            String old = image(fx, "old.png");
            long uploaded = System.currentTimeMillis() - Attachment.LIFETIME.toMillis() + Duration.ofMinutes(1).toMillis();
            fx.publish(ReplyFixture.reply("ivy", "stale", "The chart from Monday:")
                    .withAttachments(List.of(new Attachment("image", old, "old.png", 100, uploaded))));
            fx.flush();
            fx.startService();

            ConsumerRecord<String, byte[]> dead = fx.readCommitted(fx.config.kafka().repliesDlqTopic(), 1,
                    Duration.ofSeconds(30)).get(0);
            assertEquals(DeadLetters.MEDIA_EXPIRED, header(dead, DeadLetters.ERRCODE));
            assertEquals("1", header(dead, DeadLetters.CHUNK), "the attachment after the text's one chunk");
            assertTrue(header(dead, DeadLetters.ERRMSG).contains("old.png"), header(dead, DeadLetters.ERRMSG));
            assertEquals(List.of("The chart from Monday:"), fx.deliveredTo("ivy"));
            assertEquals(1, fx.wecom.sendCallCount(), "the expired media_id was never sent to WeCom");
        }
    }

    @Test
    void an_attachment_wecom_does_not_know_is_dead_lettered_with_its_40007(KafkaBroker kafka) {
        try (ReplyFixture fx = new ReplyFixture(kafka.bootstrapServers(), 1)) {
            fx.publish(ReplyFixture.reply("jo", "unknown", "")
                    .withAttachments(List.of(new Attachment("file", "no-such-media-id", "notes.txt", 10,
                            System.currentTimeMillis()))));
            fx.flush();
            fx.startService();

            ConsumerRecord<String, byte[]> dead = fx.readCommitted(fx.config.kafka().repliesDlqTopic(), 1,
                    Duration.ofSeconds(30)).get(0);
            assertEquals("40007", header(dead, DeadLetters.ERRCODE));
            assertEquals("0", header(dead, DeadLetters.CHUNK), "an attachment-only reply: the attachment is part 0");
            assertEquals(List.of(), fx.deliveredTo("jo"));
        }
    }

    /** An image in the sandbox's media store, as {@code media/upload} would have left it. */
    private static String image(ReplyFixture fx, String name) {
        byte[] png = ("\u0089PNG\r\n\u001a\n" + name).getBytes(StandardCharsets.ISO_8859_1);
        return fx.wecom.seedMedia(ReplyFixture.CORP, "image", png, "image/png", name);
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        return RecordHeaders.get(r.headers(), name).orElse(null);
    }
}
