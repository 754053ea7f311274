package dev.wecompipeline.worker.agent;

import static dev.wecompipeline.worker.agent.Messages.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EchoAgentTest {

    private final EchoAgent agent = new EchoAgent(Duration.ZERO);

    @ParameterizedTest
    @ValueSource(strings = {"hello", "你好，世界！🙂", "  leading and trailing spaces  ", "line one\nline two\n",
            "\ttabs\tand  double  spaces", "<xml>&amp;</xml>"})
    void text_comes_back_exactly_as_sent(String text) throws Exception {
        assertEquals(text, agent.reply(request(Messages.text(text))));
    }

    @Test
    void a_text_message_without_content_gets_a_blank_reply_which_sends_nothing() throws Exception {
        assertEquals("", agent.reply(request(Messages.text(null))));
    }

    @Test
    void an_image_is_described_by_its_media_id() throws Exception {
        assertEquals("Received an image (MediaId media-1)", agent.reply(request(Messages.of("image",
                Map.of("PicUrl", "https://wework.qpic.cn/x.jpg", "MediaId", "media-1")))));
    }

    @Test
    void a_voice_message_is_described_by_its_format() throws Exception {
        assertEquals("Received a voice message (amr)",
                agent.reply(request(Messages.of("voice", Map.of("MediaId", "media-2", "Format", "amr")))));
    }

    @Test
    void a_video_is_described_by_its_media_id() throws Exception {
        assertEquals("Received a video (MediaId media-3)",
                agent.reply(request(Messages.of("video", Map.of("MediaId", "media-3", "ThumbMediaId", "thumb-3")))));
    }

    @Test
    void a_file_is_described_by_its_name() throws Exception {
        assertEquals("Received a file: report.pdf", agent.reply(request(Messages.of("file",
                Map.of("MediaId", "media-4", "FileName", "report.pdf", "FileExtension", "pdf", "FileSize", "1024")))));
    }

    @Test
    void a_location_is_described_by_its_label_and_coordinates() throws Exception {
        assertEquals("Received a location: Guangzhou (23.1, 113.3)", agent.reply(request(Messages.of("location",
                Map.of("Location_X", "23.1", "Location_Y", "113.3", "Scale", "15", "Label", "Guangzhou")))));
    }

    @Test
    void a_link_is_described_by_its_title_and_url() throws Exception {
        assertEquals("Received a link: WeCom docs https://developer.work.weixin.qq.com", agent.reply(request(
                Messages.of("link", Map.of("Title", "WeCom docs", "Description", "API reference",
                        "Url", "https://developer.work.weixin.qq.com", "PicUrl", "https://x/y.png")))));
    }

    @Test
    void an_event_is_described_by_its_name_and_key() throws Exception {
        assertEquals("Received event click (menu-1)",
                agent.reply(request(Messages.of("event", Map.of("Event", "click", "EventKey", "menu-1")))));
        assertEquals("Received event enter_agent",
                agent.reply(request(Messages.of("event", Map.of("Event", "enter_agent")))));
    }

    @Test
    void missing_fields_are_left_out_rather_than_printed_as_null() throws Exception {
        assertEquals("Received an image", agent.reply(request(Messages.of("image", Map.of()))));
        assertEquals("Received a location (23.1, 113.3)",
                agent.reply(request(Messages.of("location", Map.of("Location_X", "23.1", "Location_Y", "113.3")))));
    }

    @Test
    void a_description_stays_on_one_line_even_when_a_field_has_line_breaks() throws Exception {
        String reply = agent.reply(request(Messages.of("link",
                Map.of("Title", "Two\r\nlines", "Url", "https://example.com"))));

        assertEquals("Received a link: Two lines https://example.com", reply);
    }

    @Test
    void an_unknown_type_is_named() throws Exception {
        assertEquals("Received a miniprogram message", agent.reply(request(Messages.of("miniprogram", Map.of()))));
    }

    @Test
    void the_reply_comes_no_sooner_than_the_delay() throws Exception {
        Duration delay = Duration.ofMillis(300);
        EchoAgent slow = new EchoAgent(delay);

        long start = System.nanoTime();
        String reply = slow.reply(request(Messages.text("hi")));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertEquals("hi", reply);
        assertTrue(elapsed.compareTo(delay) >= 0, () -> "replied after " + elapsed);
    }

    @Test
    void an_interrupt_ends_the_delay_with_interrupted_exception() {
        EchoAgent slow = new EchoAgent(Duration.ofHours(1));
        // Interrupted before the call, the sleep throws at once: no need to wait for a thread to block.
        CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> {
            Thread.currentThread().interrupt();
            try {
                return slow.reply(request(Messages.text("hi")));
            } catch (InterruptedException e) {
                return "interrupted";
            }
        });

        assertEquals("interrupted", reply.orTimeout(10, TimeUnit.SECONDS).join());
    }

    @Test
    void a_negative_delay_is_refused() {
        assertThrows(IllegalArgumentException.class, () -> new EchoAgent(Duration.ofMillis(-1)));
    }

    @Test
    void it_is_called_echo_and_keeps_no_history() {
        assertEquals("echo", agent.name());
        assertFalse(agent.usesHistory());
    }
}
