package dev.wecompipeline.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RepublishTest {

    private static final byte[] VALUE = "{\"text\":\"你好\"}".getBytes(StandardCharsets.UTF_8);

    private static ConsumerRecord<String, byte[]> original() {
        RecordHeaders headers = new RecordHeaders(List.of(
                header(dev.wecompipeline.kafka.RecordHeaders.APP, "dept-a"),
                header("errcode", "60020"),
                header("attempts", "3"),
                header("trace-id", "t-1")));
        return new ConsumerRecord<>("wecom.replies.dlq", 2, 41, 1_700_000_000_000L, TimestampType.CREATE_TIME,
                12, VALUE.length, "wwcorp:alice", VALUE, headers, Optional.empty());
    }

    @Test
    void the_copy_keeps_key_value_and_headers_and_goes_to_the_new_topic_unpartitioned() {
        ProducerRecord<String, byte[]> copy = Republish.of(original()).to("wecom.replies");

        assertEquals("wecom.replies", copy.topic());
        assertEquals("wwcorp:alice", copy.key());
        assertArrayEquals(VALUE, copy.value());
        assertNull(copy.partition(), "partitioned by its key");
        assertNull(copy.timestamp(), "stamped when sent");
        assertEquals(List.of("wecom-app=dept-a", "errcode=60020", "attempts=3", "trace-id=t-1"), texts(copy));
    }

    @Test
    void headers_are_added_replaced_and_removed() {
        ProducerRecord<String, byte[]> copy = Republish.of(original())
                .without("errcode", "attempts")
                .with("trace-id", "t-2")
                .with(dev.wecompipeline.kafka.RecordHeaders.REPLAY, "true")
                .with("unset", null)
                .to("wecom.inbound");

        assertEquals(List.of("wecom-app=dept-a", "trace-id=t-2", "wecom-replay=true"), texts(copy));
    }

    @Test
    void the_original_is_left_as_it_was() {
        ConsumerRecord<String, byte[]> original = original();
        Republish.of(original).without("errcode").with("trace-id", "t-2").to("elsewhere");

        assertEquals(4, original.headers().toArray().length);
        assertEquals(Optional.of("t-1"), dev.wecompipeline.kafka.RecordHeaders.get(original.headers(), "trace-id"));
        assertNotNull(original.headers().lastHeader("errcode"));
    }

    private static Header header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> texts(ProducerRecord<?, ?> r) {
        return StreamSupport.stream(r.headers().spliterator(), false)
                .map(h -> h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8)).toList();
    }
}
