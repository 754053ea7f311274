package dev.wecompipeline.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Reply records as the topic holds them: with attachments, and as written before attachments existed. */
class ReplyMessageSerdeTest {

    private final JsonSerde<ReplyMessage> serde = JsonSerde.replies();

    @Test
    void a_reply_with_attachments_reads_back_equal() {
        ReplyMessage reply = new ReplyMessage(ReplyMessage.SCHEMA_VERSION, "r-1", "m-1", "default", "ww1", "1000002",
                "alice", "text", "Here it is.", 1_700_000_000_000L, "t-1")
                .withAttachments(List.of(new ReplyMessage.Attachment("image", "media-1", "chart.png", 120, 1_700_000_000_000L),
                        new ReplyMessage.Attachment("file", "media-2", "report.pdf", 4000, 1_700_000_000_000L)));
        assertEquals(reply, serde.deserialize("t", serde.serialize("t", reply)));
    }

    @Test
    void a_reply_written_before_attachments_existed_reads_with_none() {
        String old = "{\"schemaVersion\":1,\"replyId\":\"r-0\",\"inboundMessageId\":\"m-0\",\"appName\":\"default\","
                + "\"corpId\":\"ww1\",\"agentId\":\"1000002\",\"userId\":\"bob\",\"format\":\"text\",\"content\":\"hi\","
                + "\"receivedAtMs\":1,\"traceId\":\"t-0\"}";
        ReplyMessage read = serde.deserialize("t", old.getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(), read.attachments());
        assertEquals("hi", read.content());
    }
}
