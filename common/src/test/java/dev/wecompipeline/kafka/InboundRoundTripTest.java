package dev.wecompipeline.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.awaitility.Awaitility.await;

@ExtendWith(KafkaBrokerExtension.class)
class InboundRoundTripTest {

    private static InboundMessage message(String user, String id, String text) {
        return new InboundMessage(InboundMessage.SCHEMA_VERSION, id, "default", "wwcorp", "1000002", user,
                "text", 1_700_000_000L, text, Map.of(), 1_700_000_000_123L, "trace-" + id);
    }

    @Test
    void inbound_messages_come_back_from_a_real_broker_keyed_and_in_order(KafkaBroker kafka) throws Exception {
        String topic = "roundtrip-inbound";
        try (Admin admin = Admin.create(KafkaClientSettings.admin(kafka.bootstrapServers(), "test-admin"))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        }
        List<InboundMessage> sent = List.of(
                message("zhangsan", "1", "你好"), message("lisi", "2", "hello"), message("zhangsan", "3", "再见"));
        try (KafkaProducer<String, InboundMessage> producer = new KafkaProducer<>(
                KafkaClientSettings.producer(kafka.bootstrapServers(), "test-producer"), new StringSerializer(),
                JsonSerde.inbound())) {
            for (InboundMessage m : sent) {
                ProducerRecord<String, InboundMessage> record = new ProducerRecord<>(topic, m.userKey().toString(), m);
                RecordHeaders.put(record.headers(), RecordHeaders.MESSAGE_ID, m.messageId());
                RecordMetadata meta = producer.send(record).get();
                assertEquals(topic, meta.topic());
            }
        }

        List<ConsumerRecord<String, InboundMessage>> received = new ArrayList<>();
        try (KafkaConsumer<String, InboundMessage> consumer = new KafkaConsumer<>(
                KafkaClientSettings.consumer(kafka.bootstrapServers(), "roundtrip-group", "test-consumer"),
                null, JsonSerde.inbound())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(received::add);
                return received.size() >= sent.size();
            });
        }

        assertEquals(3, received.size());
        List<String> zhangsan = received.stream().filter(r -> r.key().equals("wwcorp:zhangsan"))
                .map(r -> r.value().content()).toList();
        assertEquals(List.of("你好", "再见"), zhangsan, "one user's messages keep their order");
        ConsumerRecord<String, InboundMessage> lisi = received.stream()
                .filter(r -> r.key().equals("wwcorp:lisi")).findFirst().orElseThrow();
        assertEquals(message("lisi", "2", "hello"), lisi.value());
        assertEquals("2", RecordHeaders.get(lisi.headers(), RecordHeaders.MESSAGE_ID).orElseThrow());
    }

    @Test
    void a_record_from_a_newer_schema_is_refused_not_misread() {
        byte[] future = "{\"schemaVersion\":99,\"messageId\":\"x\",\"corpId\":\"c\",\"userId\":\"u\",\"msgType\":\"text\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThrows(SerializationException.class, () -> JsonSerde.inbound().deserialize("t", future));
        assertThrows(SerializationException.class,
                () -> JsonSerde.inbound().deserialize("t", "not json".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void reply_ids_are_deterministic_per_inbound_message() {
        InboundMessage m = message("zhangsan", "42", "hi");
        assertEquals(ReplyMessage.replyIdFor(m), ReplyMessage.replyIdFor(message("zhangsan", "42", "different text")));
        org.junit.jupiter.api.Assertions.assertNotEquals(ReplyMessage.replyIdFor(m),
                ReplyMessage.replyIdFor(message("zhangsan", "43", "hi")));
        assertEquals(UserKey.parse("wwcorp:user:with:colons"), new UserKey("wwcorp", "user:with:colons"));
    }

    @Test
    void a_progress_notice_id_depends_on_the_inbound_position_only() {
        ReplyMessage notice = ReplyMessage.answering(message("zhangsan", "42", "hi"), "text", "wait");
        String id = notice.asProgressNoticeAt("wecom.inbound", 3, 17).replyId();
        assertEquals(id, notice.asProgressNoticeAt("wecom.inbound", 3, 17).replyId(), "every worker computes it");
        org.junit.jupiter.api.Assertions.assertNotEquals(id, notice.asProgressNoticeAt("wecom.inbound", 3, 18).replyId());
        org.junit.jupiter.api.Assertions.assertNotEquals(id,
                notice.asAnswerAt("wecom.inbound", 3, 17, 1_000L).replyId(), "not the answer's id");
        assertEquals("wait", notice.asProgressNoticeAt("wecom.inbound", 3, 17).content());
    }
}
