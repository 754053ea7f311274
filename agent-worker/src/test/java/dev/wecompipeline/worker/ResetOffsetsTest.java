package dev.wecompipeline.worker;

import static dev.wecompipeline.worker.WorkerFixture.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's second replay route: stop the workers, reset the group's offsets with Kafka's own
 * tool (here its Admin call), start them again. The re-read messages are answered again, each
 * under a reply id of its own, so the reply-service delivers them instead of skipping them.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ResetOffsetsTest {

    @Test
    void messages_read_again_after_an_offset_reset_get_fresh_answers_with_new_reply_ids(KafkaBroker kafka)
            throws Exception {
        try (WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 1)) {
            WorkerService first = fx.startWorker(new ScriptedAgent(Duration.ZERO, false), WorkerFixture.settings(4));
            for (int i = 0; i < 5; i++) {
                fx.publish(text("zoe", "z-" + i, "question " + i));
            }
            fx.flush();
            List<ReplyMessage> before = fx.replies(5, Duration.ofSeconds(30));
            first.close();
            fx.workers.remove(first);

            try (Admin admin = Admin.create(KafkaClientSettings.admin(fx.bootstrap, "reset"))) {
                admin.alterConsumerGroupOffsets(fx.config.worker().groupId(),
                        Map.of(new TopicPartition(fx.config.kafka().inboundTopic(), 0), new OffsetAndMetadata(0)))
                        .all().get(30, TimeUnit.SECONDS);
            }
            ScriptedAgent second = new ScriptedAgent(Duration.ZERO, false);
            fx.startWorker(second, WorkerFixture.settings(4));
            List<ReplyMessage> all = fx.replies(10, Duration.ofSeconds(30));
            assertEquals(10, all.size(), "each re-read message answered once more");
            assertEquals(5, second.callsPerMessage.size());
            List<ReplyMessage> again = all.subList(5, 10);
            for (int i = 0; i < 5; i++) {
                assertEquals(before.get(i).inboundMessageId(), again.get(i).inboundMessageId());
                assertEquals(false, before.get(i).replyId().equals(again.get(i).replyId()),
                        "a fresh answer has its own reply id");
            }
        }
    }
}
