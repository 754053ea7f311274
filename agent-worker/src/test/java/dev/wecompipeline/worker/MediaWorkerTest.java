package dev.wecompipeline.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wecompipeline.config.CommandAgentConfig;
import dev.wecompipeline.config.OpenAiConfig;
import dev.wecompipeline.config.WorkerConfig;
import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.sandbox.ApiEndpoint;
import dev.wecompipeline.sandbox.MutableClock;
import dev.wecompipeline.sandbox.SandboxConfig;
import dev.wecompipeline.sandbox.WeComApiSandbox;
import dev.wecompipeline.sandbox.WeComErrors;
import dev.wecompipeline.testkit.CrashSwitch;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import dev.wecompipeline.wecom.TokenCache;
import dev.wecompipeline.wecom.WeComAccess;
import dev.wecompipeline.wecom.WeComClient;
import dev.wecompipeline.worker.agent.Agents;
import dev.wecompipeline.worker.agent.ChatCompletionsStandIn;
import dev.wecompipeline.worker.agent.CommandAgent;
import dev.wecompipeline.worker.agent.EchoAgent;
import dev.wecompipeline.worker.agent.OpenAiAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Media in: the worker fetches image, voice and file media from the WeCom sandbox's
 * {@code media/get} with the app's token, hands it to the agent, and never fails a message whose
 * media WeCom no longer serves. Real broker, real sandbox, real agents.
 */
@ExtendWith(KafkaBrokerExtension.class)
class MediaWorkerTest {

    private static final String CORP = "wwcorp";
    private static final String SECRET = "media-test-secret-0123";
    private static final int AGENT_ID = 1000002;
    private static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16, 'J', 'F', 'I', 'F',
            0, 1, 2, 3, 4, 5, (byte) 0xFF, (byte) 0xD9};
    private static final byte[] AMR = "#!AMR\n voice note bytes".getBytes();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T08:00:00Z"));
    private WeComApiSandbox wecom;

    @BeforeEach
    void startSandbox() {
        wecom = new WeComApiSandbox(SandboxConfig.defaults(), clock).start();
        wecom.registerApp(CORP, SECRET, AGENT_ID);
    }

    @AfterEach
    void stopSandbox() {
        wecom.close();
    }

    private WorkerFixture fixture(KafkaBroker kafka) {
        return fixture(kafka, Map.of());
    }

    private WorkerFixture fixture(KafkaBroker kafka, Map<String, String> more) {
        Map<String, String> env = new java.util.HashMap<>(more);
        env.putAll(Map.of(
                "WECOM_CALLBACK_CORP_ID", CORP,
                "WECOM_CALLBACK_CORP_SECRET", SECRET,
                "WECOM_CALLBACK_AGENT_ID", Integer.toString(AGENT_ID),
                "WECOM_CALLBACK_TOKEN", "callbacktoken",
                "WECOM_CALLBACK_ENCODING_AES_KEY", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
                "WECOM_API_BASE", wecom.baseUrl()));
        return new WorkerFixture(kafka.bootstrapServers(), 2, env);
    }

    private static InboundMessage media(String user, String id, String type, Map<String, String> fields) {
        return new InboundMessage(InboundMessage.SCHEMA_VERSION, id, "default", CORP, Integer.toString(AGENT_ID), user,
                type, System.currentTimeMillis() / 1000, null, fields, System.currentTimeMillis(), "t-" + id);
    }

    @Test
    void a_photo_reaches_the_openai_agent_as_a_vision_part_with_the_bytes_the_sandbox_served(KafkaBroker kafka) {
        try (ChatCompletionsStandIn model = ChatCompletionsStandIn.start(); WorkerFixture fx = fixture(kafka)) {
            model.answerWith("a nice photo");
            String mediaId = wecom.seedMedia(CORP, "image", JPEG, "image/jpeg", "photo.jpg");
            fx.startWorker(new OpenAiAgent(OpenAiConfig.defaults().withBaseUrl(model.baseUrl()), Agents.httpClient(),
                    true), WorkerFixture.settings(2));

            fx.publish(media("grace", "m-1", "image", Map.of("MediaId", mediaId, "PicUrl", "http://example/p.jpg")));
            fx.flush();
            List<ReplyMessage> replies = fx.replies(1, Duration.ofSeconds(30));
            assertEquals("a nice photo", replies.get(0).content());

            JsonNode messages = model.onlyRequest().body().path("messages");
            JsonNode parts = messages.get(messages.size() - 1).path("content");
            assertTrue(parts.isArray(), "vision: content parts, got " + parts);
            JsonNode image = parts.get(1);
            assertEquals("image_url", image.path("type").asText());
            String url = image.path("image_url").path("url").asText();
            assertTrue(url.startsWith("data:image/jpeg;base64,"), url);
            assertArrayEquals(JPEG, Base64.getDecoder().decode(url.substring(url.indexOf(',') + 1)),
                    "the model got exactly the bytes the sandbox served");
            assertEquals(1, wecom.mediaFetches().size());
        }
    }

    @Test
    void a_voice_notes_path_reaches_the_command_agent_and_the_file_is_gone_afterwards(KafkaBroker kafka,
                                                                                     @TempDir Path dir) throws Exception {
        try (WorkerFixture fx = fixture(kafka)) {
            String mediaId = wecom.seedMedia(CORP, "voice", AMR, "audio/amr", "note.amr");
            Path script = Files.writeString(dir.resolve("agent.sh"), """
                    read -r line
                    p=$(printf '%s' "$line" | sed -n 's/.*"path":"\\([^"]*\\)".*/\\1/p')
                    if [ -f "$p" ]; then echo "path=$p size=$(wc -c < "$p" | tr -d ' ')"; else echo "no file at '$p'"; fi
                    """);
            CommandAgent agent = new CommandAgent(new CommandAgentConfig(List.of("bash", script.toString()),
                    Duration.ofSeconds(20), List.of(), WorkerConfig.COMMAND_MAX_OUTPUT_BYTES.defaultValue()));
            fx.startWorker(agent, WorkerFixture.settings(2));

            fx.publish(media("heidi", "v-1", "voice", Map.of("MediaId", mediaId, "Format", "amr")));
            fx.flush();
            String reply = fx.replies(1, Duration.ofSeconds(30)).get(0).content();
            assertTrue(reply.startsWith("path=") && reply.endsWith("size=" + AMR.length), reply);
            Path fetched = Path.of(reply.substring("path=".length(), reply.indexOf(" size=")));
            assertFalse(Files.exists(fetched), "the fetched file is deleted after the call: " + fetched);
        }
    }

    @Test
    void a_worker_given_a_reply_services_token_cache_fetches_no_token_of_its_own(KafkaBroker kafka) throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (WorkerFixture fx = fixture(kafka);
             WeComClient client = new WeComClient(URI.create(wecom.baseUrl()), 4, Duration.ofSeconds(5))) {
            TokenCache tokens = new TokenCache(client, Duration.ofMinutes(5), Duration.ofMillis(100),
                    Duration.ofSeconds(1), Duration.ofSeconds(1), timer, System::currentTimeMillis, (a, ok, c) -> { });
            String token = tokens.token(fx.config.apps().get(0)).get(10, TimeUnit.SECONDS);
            assertEquals(1, wecom.gettokenCallCount());
            String mediaId = wecom.seedMedia(CORP, "image", JPEG, "image/png", "p.png");
            fx.startWorker(new EchoAgent(Duration.ZERO), WorkerFixture.settings(2), new CrashSwitch(), Map.of(),
                    new WeComAccess(client, tokens));

            fx.publish(media("judy", "s-1", "image", Map.of("MediaId", mediaId)));
            fx.flush();
            String reply = fx.replies(1, Duration.ofSeconds(30)).get(0).content();
            assertTrue(reply.endsWith("Fetched image: " + JPEG.length + " bytes, image/png"), reply);
            assertEquals(1, wecom.gettokenCallCount(), "one token cache per process: the shared token was used");
            assertFalse(token.isEmpty());
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void media_get_is_retried_like_a_send_busy_after_a_backoff_and_a_refused_token_refreshed(KafkaBroker kafka) {
        try (WorkerFixture fx = fixture(kafka)) {
            String first = wecom.seedMedia(CORP, "video", new byte[] {0, 0, 0, 24, 'f', 't', 'y', 'p'}, "video/mp4", "a.mp4");
            String second = wecom.seedMedia(CORP, "voice", AMR, "audio/amr", "b.amr");
            fx.startWorker(new EchoAgent(Duration.ZERO), WorkerFixture.settings(2));
            fx.publish(media("ken", "r-1", "video", Map.of("MediaId", first)));
            fx.flush();
            assertTrue(fx.replies(1, Duration.ofSeconds(30)).get(0).content().endsWith("Fetched video: 8 bytes, video/mp4"));
            assertEquals(1, wecom.gettokenCallCount());

            wecom.invalidateAllTokens(WeComErrors.ACCESS_TOKEN_EXPIRED);
            wecom.faults().failNext(ApiEndpoint.MEDIA_GET, WeComErrors.SYSTEM_BUSY, 1);
            fx.publish(media("ken", "r-2", "voice", Map.of("MediaId", second, "Format", "amr")));
            fx.flush();
            String reply = fx.replies(2, Duration.ofSeconds(30)).get(1).content();
            assertTrue(reply.endsWith("Fetched voice: " + AMR.length + " bytes, audio/amr"), reply);
            assertEquals(2, wecom.gettokenCallCount(), "42001 made the worker fetch a new token");
            assertEquals(1, wecom.countByErrcode(WeComErrors.ACCESS_TOKEN_EXPIRED));
            assertEquals(1, wecom.countByErrcode(WeComErrors.SYSTEM_BUSY));
        }
    }

    @Test
    void media_over_its_types_cap_is_not_kept_and_the_agent_is_told(KafkaBroker kafka) {
        try (WorkerFixture fx = fixture(kafka, Map.of("MEDIA_MAX_IMAGE_BYTES", "10"))) {
            String mediaId = wecom.seedMedia(CORP, "image", JPEG, "image/jpeg", "big.jpg");
            fx.startWorker(new EchoAgent(Duration.ZERO), WorkerFixture.settings(2));
            fx.publish(media("lena", "c-1", "image", Map.of("MediaId", mediaId)));
            fx.flush();
            String reply = fx.replies(1, Duration.ofSeconds(30)).get(0).content();
            assertTrue(reply.endsWith("Could not fetch the image: larger than the image limit of 10 bytes"), reply);
        }
    }

    @Test
    void echo_describes_the_media_and_an_expired_media_id_is_told_and_still_answered(KafkaBroker kafka) {
        try (WorkerFixture fx = fixture(kafka)) {
            String old = wecom.seedMedia(CORP, "image", JPEG, "image/jpeg", "old.jpg");
            clock.advance(Duration.ofDays(3).plusMinutes(1));
            String fresh = wecom.seedMedia(CORP, "file", new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, "application/pdf",
                    "report.pdf");
            fx.startWorker(new EchoAgent(Duration.ZERO), WorkerFixture.settings(2));

            fx.publish(media("ivan", "e-1", "image", Map.of("MediaId", old)));
            fx.publish(media("ivan", "e-2", "file", Map.of("MediaId", fresh, "FileName", "report.pdf")));
            fx.flush();
            List<ReplyMessage> replies = fx.replies(2, Duration.ofSeconds(30));
            assertTrue(replies.get(0).content().contains("Could not fetch the image: expired or unknown"),
                    replies.get(0).content());
            assertTrue(replies.get(1).content().endsWith("Fetched file: 8 bytes, application/pdf"),
                    replies.get(1).content());
            assertEquals(List.of(40007, 0), wecom.mediaFetches().stream().map(f -> f.errcode()).toList());
        }
    }
}
