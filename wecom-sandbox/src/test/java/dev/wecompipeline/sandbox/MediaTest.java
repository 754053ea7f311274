package dev.wecompipeline.sandbox;

import static dev.wecompipeline.sandbox.SandboxFixture.CORP;
import static dev.wecompipeline.sandbox.SandboxFixture.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** {@code media/get} and {@code media/upload}: seeded media, expiry, JSON errors, WeCom's upload limits. */
class MediaTest {

    private static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 1, 2, 3, 4, 5, 6};

    @Test
    void seeded_media_is_served_with_its_content_type_and_filename() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String id = fx.sandbox.seedMedia(CORP, "image", JPEG, "image/jpeg", "photo.jpg");
            HttpResponse<byte[]> got = get(fx, fx.token(), id);
            assertEquals(200, got.statusCode());
            assertEquals("image/jpeg", got.headers().firstValue("Content-Type").orElse(""));
            assertTrue(got.headers().firstValue("Content-Disposition").orElse("").contains("photo.jpg"));
            assertArrayEquals(JPEG, got.body());
            assertEquals(List.of(0), fx.sandbox.mediaFetches().stream().map(MediaFetch::errcode).toList());
        }
    }

    @Test
    void unknown_and_expired_ids_answer_40007_as_json() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String id = fx.sandbox.seedMedia(CORP, "voice", new byte[] {1, 2, 3, 4, 5, 6, 7}, "audio/amr", "v.amr");
            HttpResponse<byte[]> unknown = get(fx, fx.token(), "no-such-id");
            assertJsonError(unknown, WeComErrors.INVALID_MEDIA_ID);

            fx.clock.advance(Duration.ofDays(3).minusSeconds(1));
            assertEquals(200, get(fx, fx.token(), id).statusCode(), "still served just before three days");
            fx.clock.advance(Duration.ofSeconds(1));
            assertJsonError(get(fx, fx.token(), id), WeComErrors.INVALID_MEDIA_ID);
        }
    }

    @Test
    void media_get_checks_the_token_and_takes_injected_errcodes() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String id = fx.sandbox.seedMedia(CORP, "file", new byte[] {9, 9, 9, 9, 9, 9}, "application/pdf", "a.pdf");
            assertJsonError(get(fx, "bogus-token", id), WeComErrors.INVALID_ACCESS_TOKEN);
            fx.sandbox.faults().failNext(ApiEndpoint.MEDIA_GET, WeComErrors.SYSTEM_BUSY, 1);
            String token = fx.token();
            assertJsonError(get(fx, token, id), WeComErrors.SYSTEM_BUSY);
            assertEquals(200, get(fx, token, id).statusCode());
        }
    }

    @Test
    void upload_answers_a_media_id_that_media_get_serves_and_records_the_upload() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            JsonNode answer = json(upload(fx, token, "image", "chart.png", "image/png", JPEG));
            assertEquals(0, answer.path("errcode").asInt());
            assertEquals("image", answer.path("type").asText());
            assertEquals(String.valueOf(fx.clock.instant().getEpochSecond()), answer.path("created_at").asText());
            String id = answer.path("media_id").asText();
            assertNotNull(id);

            MediaUpload recorded = fx.sandbox.mediaUploads().get(0);
            assertEquals("chart.png", recorded.filename());
            assertEquals("image/png", recorded.contentType());
            assertArrayEquals(JPEG, recorded.bytes());
            assertEquals(id, recorded.mediaId());
            assertArrayEquals(JPEG, get(fx, token, id).body());

            fx.clock.advance(Duration.ofDays(3));
            assertJsonError(get(fx, fx.token(), id), WeComErrors.INVALID_MEDIA_ID);
        }
    }

    @Test
    void upload_enforces_wecoms_size_and_type_limits() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String token = fx.token();
            assertEquals(WeComErrors.INVALID_FILE_TYPE,
                    json(upload(fx, token, "image", "x.gif", "image/gif", JPEG)).path("errcode").asInt());
            assertEquals(WeComErrors.INVALID_FILE_TYPE,
                    json(upload(fx, token, "voice", "x.mp3", "audio/mpeg", JPEG)).path("errcode").asInt());
            assertEquals(WeComErrors.INVALID_VOICE_SIZE,
                    json(upload(fx, token, "voice", "x.amr", "audio/amr", new byte[(2 << 20) + 1])).path("errcode").asInt());
            assertEquals(0,
                    json(upload(fx, token, "voice", "x.amr", "audio/amr", new byte[2 << 20])).path("errcode").asInt());
            assertEquals(WeComErrors.INVALID_IMAGE_SIZE,
                    json(upload(fx, token, "image", "x.jpg", "image/jpeg", new byte[(10 << 20) + 1])).path("errcode").asInt());
            assertEquals(WeComErrors.INVALID_VIDEO_SIZE,
                    json(upload(fx, token, "video", "x.mp4", "video/mp4", new byte[(10 << 20) + 1])).path("errcode").asInt());
            assertEquals(WeComErrors.INVALID_FILE_SIZE,
                    json(upload(fx, token, "file", "x.bin", "application/octet-stream", new byte[(20 << 20) + 1]))
                            .path("errcode").asInt());
            assertEquals(0, json(upload(fx, token, "file", "report.pdf", "application/pdf", new byte[20 << 20]))
                    .path("errcode").asInt());
            assertEquals(WeComErrors.INVALID_FILE_SIZE,
                    json(upload(fx, token, "file", "tiny.txt", "text/plain", new byte[5])).path("errcode").asInt());
            assertEquals(WeComErrors.INVALID_MEDIA_TYPE,
                    json(upload(fx, token, "sticker", "x.png", "image/png", JPEG)).path("errcode").asInt());
            assertEquals(List.of(40005, 40005, 40010, 0, 40009, 40011, 40006, 0, 40006, 40004),
                    fx.sandbox.mediaUploads().stream().map(MediaUpload::errcode).toList());
        }
    }

    @Test
    void media_is_seeded_and_uploads_are_read_over_the_admin_endpoints() {
        try (SandboxFixture fx = SandboxFixture.start()) {
            String body = "{\"corpId\":\"" + CORP + "\",\"type\":\"image\",\"contentType\":\"image/jpeg\","
                    + "\"filename\":\"a.jpg\",\"base64\":\"" + java.util.Base64.getEncoder().encodeToString(JPEG) + "\"}";
            String id = json(fx.post("/sandbox/media", body)).path("mediaId").asText();
            String token = fx.token();
            assertArrayEquals(JPEG, get(fx, token, id).body());
            json(upload(fx, token, "file", "r.pdf", "application/pdf", JPEG));
            JsonNode uploads = json(fx.get("/sandbox/media/uploads"));
            assertEquals("r.pdf", uploads.get(0).path("filename").asText());
            assertArrayEquals(JPEG, java.util.Base64.getDecoder().decode(uploads.get(0).path("bytes").asText()));
            assertEquals(1, json(fx.get("/sandbox/media/fetches")).size());
        }
    }

    private static void assertJsonError(HttpResponse<byte[]> response, int errcode) {
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                "an error is JSON, told apart by its content type");
        try {
            assertEquals(errcode, SandboxFixture.JSON.readTree(response.body()).path("errcode").asInt());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpResponse<byte[]> get(SandboxFixture fx, String token, String mediaId) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(fx.sandbox.baseUrl() + "/cgi-bin/media/get?access_token="
                + token + "&media_id=" + mediaId)).GET().build();
        try {
            return fx.http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> upload(SandboxFixture fx, String token, String type, String filename,
                                       String contentType, byte[] bytes) {
        String boundary = "----sandbox-test-boundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"media\"; filename=\"" + filename
                + "\"\r\nContent-Type: " + contentType + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(bytes);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return fx.call(HttpRequest.newBuilder(URI.create(fx.sandbox.baseUrl() + "/cgi-bin/media/upload?access_token="
                        + token + "&type=" + type))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
    }
}
