package dev.wecompipeline.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.wecompipeline.sandbox.MutableClock;
import dev.wecompipeline.sandbox.SandboxConfig;
import dev.wecompipeline.sandbox.WeComApiSandbox;
import dev.wecompipeline.wecom.PermanentWeComException;
import dev.wecompipeline.wecom.WeComApi.MediaAnswer;
import dev.wecompipeline.wecom.WeComApi.UploadAnswer;
import dev.wecompipeline.wecom.WeComClient;
import org.junit.jupiter.api.Test;

/** The shared WeCom client's media calls against the sandbox: upload, get, JSON errors, the size bound. */
class WeComMediaClientTest {

    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13};

    @Test
    void an_upload_is_served_back_and_a_json_error_is_told_from_media_by_its_content_type() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T08:00:00Z"));
        try (WeComApiSandbox wecom = new WeComApiSandbox(SandboxConfig.defaults(), clock).start();
             WeComClient client = new WeComClient(URI.create(wecom.baseUrl()), 2, Duration.ofSeconds(5))) {
            wecom.registerApp("wwmedia", "secret-1", 1000003);
            String token = client.gettoken("wwmedia", "secret-1").get(5, TimeUnit.SECONDS).accessToken();

            UploadAnswer up = client.mediaUpload(token, "image", "chart.png", "image/png", PNG).get(5, TimeUnit.SECONDS);
            assertEquals(0, up.errcode());
            assertEquals("image", up.type());
            assertEquals("chart.png", wecom.mediaUploads().get(0).filename());
            assertArrayEquals(PNG, wecom.mediaUploads().get(0).bytes());

            MediaAnswer got = client.mediaGet(token, up.mediaId(), 1024).get(5, TimeUnit.SECONDS);
            assertTrue(got.ok());
            assertArrayEquals(PNG, got.bytes());
            assertEquals("image/png", got.contentType());
            assertEquals("chart.png", got.filename());

            UploadAnswer refused = client.mediaUpload(token, "voice", "x.mp3", "audio/mpeg", PNG).get(5, TimeUnit.SECONDS);
            assertEquals(40005, refused.errcode());

            clock.advance(Duration.ofDays(3));
            token = client.gettoken("wwmedia", "secret-1").get(5, TimeUnit.SECONDS).accessToken();
            MediaAnswer expired = client.mediaGet(token, up.mediaId(), 1024).get(5, TimeUnit.SECONDS);
            assertFalse(expired.ok());
            assertEquals(40007, expired.errcode());
            assertNull(expired.bytes());
        }
    }

    @Test
    void media_past_the_bound_fails_permanently_as_too_large() throws Exception {
        try (WeComApiSandbox wecom = new WeComApiSandbox(SandboxConfig.defaults()).start();
             WeComClient client = new WeComClient(URI.create(wecom.baseUrl()), 2, Duration.ofSeconds(5))) {
            wecom.registerApp("wwmedia", "secret-1", 1000003);
            String id = wecom.seedMedia("wwmedia", "file", new byte[200_000], "application/octet-stream", "big.bin");
            String token = client.gettoken("wwmedia", "secret-1").get(5, TimeUnit.SECONDS).accessToken();
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> client.mediaGet(token, id, 100_000).get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof PermanentWeComException p && "too_large".equals(p.code()), e.toString());
            assertEquals(200_000, client.mediaGet(token, id, 200_000).get(5, TimeUnit.SECONDS).bytes().length);
        }
    }
}
