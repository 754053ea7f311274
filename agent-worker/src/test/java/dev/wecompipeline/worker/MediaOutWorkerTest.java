package dev.wecompipeline.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.sandbox.MediaUpload;
import dev.wecompipeline.sandbox.SandboxConfig;
import dev.wecompipeline.sandbox.WeComApiSandbox;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import dev.wecompipeline.worker.agent.Agent;
import dev.wecompipeline.worker.agent.AgentAnswer;
import dev.wecompipeline.worker.agent.AgentRequest;
import dev.wecompipeline.worker.agent.OutgoingMedia;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Media out, the worker's half: an agent's attachments are uploaded to the WeCom sandbox with
 * {@code media/upload}, and the reply record carries their {@code media_id}s, in the agent's
 * order, never their bytes. An attachment WeCom refuses is named in the text; the rest still goes.
 */
@ExtendWith(KafkaBrokerExtension.class)
class MediaOutWorkerTest {

    private static final String CORP = "wwmediaout";
    private static final String SECRET = "media-out-secret-0123";
    private static final int AGENT_ID = 1000002;
    private static final byte[] PNG = "\u0089PNG\r\n\u001a\n chart".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16, 'J', 'F', 'I', 'F',
            0, 1, (byte) 0xFF, (byte) 0xD9};
    private static final byte[] PDF = "%PDF-1.4 the quarterly report".getBytes(StandardCharsets.US_ASCII);

    private WeComApiSandbox wecom;

    @BeforeEach
    void startSandbox() {
        wecom = new WeComApiSandbox(SandboxConfig.defaults().toBuilder().port(0).build()).start();
        wecom.registerApp(CORP, SECRET, AGENT_ID);
    }

    @AfterEach
    void stopSandbox() {
        wecom.close();
    }

    @Test
    void attachments_are_uploaded_and_the_reply_carries_their_media_ids_in_the_agents_order(KafkaBroker kafka) {
        try (WorkerFixture fx = fixture(kafka)) {
            fx.startWorker(new AttachingAgent(List.of(
                    new OutgoingMedia("image", "chart.png", "image/png", PNG),
                    new OutgoingMedia("image", "photo.jpg", "image/jpeg", JPEG),
                    new OutgoingMedia("file", "report.pdf", "application/pdf", PDF))), WorkerFixture.settings(2));
            fx.publish(text("kim", "m-1", "the quarter, please"));
            fx.flush();

            ReplyMessage reply = fx.replies(1, Duration.ofSeconds(30)).get(0);
            assertEquals("Here it is.", reply.content());
            List<ReplyMessage.Attachment> attachments = reply.attachments();
            assertEquals(List.of("image", "image", "file"), attachments.stream().map(ReplyMessage.Attachment::type).toList());
            assertEquals(List.of("chart.png", "photo.jpg", "report.pdf"),
                    attachments.stream().map(ReplyMessage.Attachment::filename).toList());
            List<MediaUpload> uploads = wecom.mediaUploads();
            assertEquals(3, uploads.size(), "one upload per attachment");
            for (int i = 0; i < 3; i++) {
                assertEquals(uploads.get(i).mediaId(), attachments.get(i).mediaId());
            }
            assertArrayEquals(PNG, wecom.uploadedMedia(attachments.get(0).mediaId()).orElseThrow().bytes());
            assertArrayEquals(JPEG, wecom.uploadedMedia(attachments.get(1).mediaId()).orElseThrow().bytes());
            assertArrayEquals(PDF, wecom.uploadedMedia(attachments.get(2).mediaId()).orElseThrow().bytes());
            assertEquals("file", wecom.uploadedMedia(attachments.get(2).mediaId()).orElseThrow().type());
            long age = System.currentTimeMillis() - attachments.get(0).createdAtMs();
            assertTrue(age >= 0 && age < Duration.ofMinutes(5).toMillis(), "created_at as WeCom gave it: " + age);
        }
    }

    @Test
    void an_attachment_wecom_refuses_is_named_in_the_text_and_the_others_still_go(KafkaBroker kafka) {
        try (WorkerFixture fx = fixture(kafka)) {
            // WeCom takes only JPG and PNG as images: a GIF is refused (40005 invalid file type).
            fx.startWorker(new AttachingAgent(List.of(
                    new OutgoingMedia("image", "dance.gif", "image/gif", "GIF89a...".getBytes(StandardCharsets.US_ASCII)),
                    new OutgoingMedia("file", "report.pdf", "application/pdf", PDF))), WorkerFixture.settings(2));
            fx.publish(text("lee", "m-2", "dance for me"));
            fx.flush();

            ReplyMessage reply = fx.replies(1, Duration.ofSeconds(30)).get(0);
            assertTrue(reply.content().startsWith("Here it is.\n\n[image dance.gif not sent: WeCom refused it ("),
                    reply.content());
            assertEquals(List.of("report.pdf"), reply.attachments().stream().map(ReplyMessage.Attachment::filename).toList());
        }
    }

    private WorkerFixture fixture(KafkaBroker kafka) {
        Map<String, String> env = new HashMap<>();
        env.put("WECOM_CALLBACK_CORP_ID", CORP);
        env.put("WECOM_CALLBACK_CORP_SECRET", SECRET);
        env.put("WECOM_CALLBACK_AGENT_ID", Integer.toString(AGENT_ID));
        env.put("WECOM_CALLBACK_TOKEN", "callbacktoken");
        env.put("WECOM_CALLBACK_ENCODING_AES_KEY", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG");
        env.put("WECOM_API_BASE", wecom.baseUrl());
        return new WorkerFixture(kafka.bootstrapServers(), 2, env);
    }

    private static InboundMessage text(String user, String id, String content) {
        return new InboundMessage(InboundMessage.SCHEMA_VERSION, id, "default", CORP, Integer.toString(AGENT_ID), user,
                "text", System.currentTimeMillis() / 1000, content, Map.of(), System.currentTimeMillis(), "t-" + id);
    }

    /** An agent (as a model server would) answering text with attachments. */
    private record AttachingAgent(List<OutgoingMedia> media) implements Agent {
        @Override
        public String reply(AgentRequest request) {
            return "Here it is.";
        }

        @Override
        public AgentAnswer answer(AgentRequest request) {
            return new AgentAnswer(reply(request), media);
        }

        @Override
        public String name() {
            return "attaching";
        }
    }
}
