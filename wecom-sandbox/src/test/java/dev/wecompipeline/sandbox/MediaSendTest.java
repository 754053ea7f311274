package dev.wecompipeline.sandbox;

import static dev.wecompipeline.sandbox.SandboxFixture.AGENT;
import static dev.wecompipeline.sandbox.SandboxFixture.CORP;
import static dev.wecompipeline.sandbox.SandboxFixture.SECRET;
import static dev.wecompipeline.sandbox.SandboxFixture.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wecompipeline.wecom.WeComApi.SendAnswer;
import dev.wecompipeline.wecom.WeComApi.SendRequest;
import dev.wecompipeline.wecom.WeComClient;
import org.junit.jupiter.api.Test;

/** {@code message/send} with {@code image}, {@code file}, {@code voice} and {@code video}: the media id's checks, delivery, limits. */
class MediaSendTest {

    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13};
    private static final byte[] PDF = {'%', 'P', 'D', 'F', '-', '1', '.', '7'};

    /** A media message body as WeCom documents it, with the duplicate check on as the reply-service sends. */
    static Map<String, Object> media(String touser, String msgtype, String mediaId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("touser", touser);
        body.put("msgtype", msgtype);
        body.put("agentid", AGENT);
        body.put(msgtype, Map.of("media_id", mediaId));
        body.put("safe", 0);
        body.put("enable_duplicate_check", 1);
        body.put("duplicate_check_interval", 1800);
        return body;
    }

    @Test
    void an_uploaded_image_sent_as_image_is_delivered_with_its_media_id_and_the_bytes_can_be_read_back() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            String id = json(MediaTest.upload(fx, token, "image", "chart.png", "image/png", PNG)).path("media_id").asText();

            JsonNode answer = fx.send(token, media("alice", "image", id));
            assertEquals(0, answer.path("errcode").asInt());
            assertEquals(new ReceivedMessage(fx.clock.instant(), CORP, AGENT, "alice", "image", id, false,
                    answer.path("msgid").asText()), fx.sandbox.deliveredTo(CORP, "alice").get(0));
            assertEquals(id, fx.sandbox.sendCalls().get(0).content());

            StoredMedia shown = fx.sandbox.uploadedMedia(id).orElseThrow();
            assertEquals("image", shown.type());
            assertEquals("chart.png", shown.filename());
            assertEquals("image/png", shown.contentType());
            assertArrayEquals(PNG, shown.bytes());
            assertTrue(fx.sandbox.mediaFetches().isEmpty(), "sending an id is not a media/get");
            assertTrue(fx.sandbox.uploadedMedia("never-made").isEmpty());
        }
    }

    @Test
    void a_file_message_takes_any_uploaded_or_seeded_media_and_voice_and_video_their_own() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            String pdf = json(MediaTest.upload(fx, token, "file", "report.pdf", "application/pdf", PDF))
                    .path("media_id").asText();
            String image = fx.sandbox.seedMedia(CORP, "image", PNG, "image/png", "a.png");
            String voice = fx.sandbox.seedMedia(CORP, "voice", PDF, "audio/amr", "v.amr");
            String video = fx.sandbox.seedMedia(CORP, "video", PDF, "video/mp4", "v.mp4");
            assertEquals(0, fx.send(token, media("alice", "file", pdf)).path("errcode").asInt());
            assertEquals(0, fx.send(token, media("alice", "file", image)).path("errcode").asInt());
            assertEquals(0, fx.send(token, media("alice", "voice", voice)).path("errcode").asInt());
            assertEquals(0, fx.send(token, media("alice", "video", video)).path("errcode").asInt());
            assertEquals(WeComErrors.INVALID_MEDIA_ID, fx.send(token, media("alice", "video", voice)).path("errcode").asInt());
            assertEquals(List.of("file", "file", "voice", "video"),
                    fx.sandbox.deliveredTo(CORP, "alice").stream().map(ReceivedMessage::msgtype).toList());
            assertEquals(List.of(pdf, image, voice, video),
                    fx.sandbox.deliveredTo(CORP, "alice").stream().map(ReceivedMessage::content).toList());
        }
    }

    @Test
    void an_expired_media_id_answers_40007_and_nothing_is_delivered() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String id = json(MediaTest.upload(fx, fx.token(), "image", "chart.png", "image/png", PNG))
                    .path("media_id").asText();
            fx.clock.advance(Duration.ofDays(3).minusSeconds(1));
            assertEquals(0, fx.send(fx.token(), media("alice", "image", id)).path("errcode").asInt(),
                    "still valid just before three days");
            fx.clock.advance(Duration.ofSeconds(1));
            JsonNode expired = fx.send(fx.token(), media("bob", "image", id));
            assertEquals(WeComErrors.INVALID_MEDIA_ID, expired.path("errcode").asInt());
            assertTrue(expired.path("errmsg").asText().startsWith("invalid media_id"));
            assertTrue(fx.sandbox.deliveredTo(CORP, "bob").isEmpty());
            CallRecord rejected = fx.sandbox.sendCalls().get(1);
            assertEquals(ApiCallOutcome.REJECTED, rejected.outcome());
            assertEquals("image", rejected.msgtype());
        }
    }

    @Test
    void unknown_missing_other_corps_and_wrong_type_ids_are_rejected_like_wecom() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            fx.sandbox.registerApp("wwother", "other-secret", 1000005);
            String token = fx.token();
            String file = json(MediaTest.upload(fx, token, "file", "report.pdf", "application/pdf", PDF))
                    .path("media_id").asText();
            String othersImage = fx.sandbox.seedMedia("wwother", "image", PNG, "image/png", "theirs.png");

            assertEquals(WeComErrors.INVALID_MEDIA_ID, fx.send(token, media("alice", "image", "3no-such-id")).path("errcode").asInt());
            assertEquals(WeComErrors.MEDIA_ID_MISSING, fx.send(token, media("alice", "image", "")).path("errcode").asInt());
            assertEquals(WeComErrors.INVALID_MEDIA_ID, fx.send(token, media("alice", "image", othersImage)).path("errcode").asInt(),
                    "media ids belong to one corp");
            assertEquals(WeComErrors.INVALID_MEDIA_ID, fx.send(token, media("alice", "image", file)).path("errcode").asInt(),
                    "an image message needs an image");
            assertTrue(fx.sandbox.delivered().isEmpty());
            assertEquals(4, fx.sandbox.countByOutcome(ApiCallOutcome.REJECTED));
            assertEquals(Map.of(WeComErrors.OK, 2L, WeComErrors.INVALID_MEDIA_ID, 3L, WeComErrors.MEDIA_ID_MISSING, 1L),
                    fx.sandbox.countsByErrcode(), "gettoken, the upload, then the four sends");
        }
    }

    @Test
    void a_second_identical_image_within_the_duplicate_window_is_suppressed_but_another_image_is_not() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            String first = fx.sandbox.seedMedia(CORP, "image", PNG, "image/png", "a.png");
            String second = fx.sandbox.seedMedia(CORP, "image", PNG, "image/png", "a.png");
            fx.send(token, media("alice", "image", first));
            fx.clock.advance(Duration.ofSeconds(1799));
            assertEquals(0, fx.send(token, media("alice", "image", first)).path("errcode").asInt());
            assertEquals(ApiCallOutcome.DUPLICATE_SUPPRESSED, fx.sandbox.sendCalls().get(1).outcome());
            fx.send(token, media("alice", "image", second));
            fx.send(token, media("alice", "file", first));
            assertEquals(List.of(first, second, first),
                    fx.sandbox.deliveredTo(CORP, "alice").stream().map(ReceivedMessage::content).toList(),
                    "the duplicate key includes the media id and the msgtype");
            assertEquals(1, fx.sandbox.countByOutcome(ApiCallOutcome.DUPLICATE_SUPPRESSED));
        }
    }

    @Test
    void image_sends_count_towards_a_members_per_minute_limit_with_texts() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            for (int i = 0; i < 29; i++) {
                fx.send(token, SandboxFixture.text("alice", "text " + i));
            }
            String image = fx.sandbox.seedMedia(CORP, "image", PNG, "image/png", "a.png");
            fx.send(token, media("alice", "image", image));
            assertEquals(0, fx.send(token, media("alice", "file", image)).path("errcode").asInt(),
                    "WeCom answers ok and drops it silently");
            assertEquals(30, fx.sandbox.deliveredTo(CORP, "alice").size());
            assertEquals(List.of("file"), fx.sandbox.sendCalls().stream()
                    .filter(c -> c.outcome() == ApiCallOutcome.DROPPED_OVER_LIMIT).map(CallRecord::msgtype).toList());
        }
    }

    @Test
    void injected_errcodes_apply_to_image_sends() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            String image = fx.sandbox.seedMedia(CORP, "image", PNG, "image/png", "a.png");
            fx.sandbox.faults().failNext(WeComErrors.API_FREQ_OUT_OF_LIMIT, 1);
            assertEquals(WeComErrors.API_FREQ_OUT_OF_LIMIT, fx.send(token, media("alice", "image", image)).path("errcode").asInt());
            assertEquals(0, fx.send(token, media("alice", "image", image)).path("errcode").asInt());
            assertEquals(1, fx.sandbox.deliveredTo(CORP, "alice").size());
        }
    }

    @Test
    void admin_messages_list_the_msgtype_and_what_the_media_id_points_to_without_its_bytes() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            String id = json(MediaTest.upload(fx, token, "file", "report.pdf", "application/pdf", PDF))
                    .path("media_id").asText();
            fx.send(token, media("alice", "file", id));
            fx.send(token, SandboxFixture.text("alice", "and a text"));
            JsonNode messages = json(fx.get("/sandbox/messages?touser=alice")).path("messages");
            JsonNode file = messages.get(0);
            assertEquals("file", file.path("msgtype").asText());
            assertEquals(id, file.path("content").asText());
            assertEquals("report.pdf", file.path("media").path("filename").asText());
            assertEquals("application/pdf", file.path("media").path("contentType").asText());
            assertEquals(PDF.length, file.path("media").path("size").asInt());
            assertFalse(file.path("media").has("bytes"));
            assertFalse(messages.get(1).has("media"), "a text has no media");
            assertEquals(fx.clock.instant().toString(), file.path("time").asText());
        }
    }

    @Test
    void the_shared_wecom_client_sends_an_image_as_wecom_expects_and_it_is_delivered() throws Exception {
        try (SandboxFixture fx = SandboxFixture.start();
             WeComClient client = new WeComClient(URI.create(fx.sandbox.baseUrl()), 2, Duration.ofSeconds(5))) {
            String token = client.gettoken(CORP, SECRET).get(5, TimeUnit.SECONDS).accessToken();
            String id = client.mediaUpload(token, "image", "chart.png", "image/png", PNG).get(5, TimeUnit.SECONDS).mediaId();

            SendAnswer sent = client.send(token, SendRequest.of("alice", "image", AGENT, id, 1800)).get(5, TimeUnit.SECONDS);
            SendAnswer again = client.send(token, SendRequest.of("alice", "image", AGENT, id, 1800)).get(5, TimeUnit.SECONDS);
            assertEquals(0, sent.errcode());
            assertEquals(0, again.errcode());
            ReceivedMessage delivered = fx.sandbox.deliveredTo(CORP, "alice").get(0);
            assertEquals("image", delivered.msgtype());
            assertArrayEquals(PNG, fx.sandbox.uploadedMedia(delivered.content()).orElseThrow().bytes());
            assertEquals(1, fx.sandbox.deliveredTo(CORP, "alice").size(), "SendRequest.of turns the duplicate check on");
            assertEquals(1, fx.sandbox.countByOutcome(ApiCallOutcome.DUPLICATE_SUPPRESSED));
        }
    }
}
