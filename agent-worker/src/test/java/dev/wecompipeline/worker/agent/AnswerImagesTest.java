package dev.wecompipeline.worker.agent;

import static dev.wecompipeline.worker.agent.Messages.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ch.qos.logback.classic.Level;
import dev.wecompipeline.config.ConfigLoader;
import dev.wecompipeline.config.MediaConfig;
import dev.wecompipeline.config.OpenAiConfig;
import dev.wecompipeline.testkit.CapturedLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The openai agent's answers with images, against the chat completions stand-in and a local image
 * host: data URLs are decoded, links are fetched only from allowed hosts, and only as images.
 */
class AnswerImagesTest {

    private static final byte[] CHART = ImageHostStandIn.png(0x3366cc);
    private static final byte[] PHOTO = ImageHostStandIn.jpeg(0xcc6633);

    private final ChatCompletionsStandIn model = ChatCompletionsStandIn.start();
    private final ImageHostStandIn images = ImageHostStandIn.start();
    /** The same server as 127.0.0.1:PORT (allowed) and localhost:PORT (not). */
    private final String allowed = "127.0.0.1:" + images.port();

    @AfterEach
    void stop() {
        model.close();
        images.close();
    }

    private OpenAiAgent agent(MediaConfig media) {
        return new OpenAiAgent(OpenAiConfig.defaults().withBaseUrl(model.baseUrl()), Agents.httpClient(), media);
    }

    private OpenAiAgent agentAllowingTheImageHost() {
        return agent(MediaConfig.defaults().withAgentMediaHosts(List.of(allowed)));
    }

    private static String dataUrl(String type, byte[] bytes) {
        return "data:" + type + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }

    @Test
    void a_data_url_and_an_allowed_link_become_attachments_and_a_link_to_another_host_stays_a_link() throws Exception {
        images.serve("/photos/harbour.jpg", "image/jpeg", PHOTO);
        String otherHost = images.url("localhost", "/photos/harbour.jpg");
        model.answerWith("Here is the chart:\n\n![sales by month](" + dataUrl("image/png", CHART) + ")\n\n"
                + "and the photo ![](" + images.url("127.0.0.1", "/photos/harbour.jpg") + "?size=large)\n\n"
                + "Same photo elsewhere: ![harbour](" + otherHost + ")");

        AgentAnswer answer = agentAllowingTheImageHost().answer(request(Messages.text("chart and photo please")));

        assertEquals(2, answer.media().size(), answer::toString);
        OutgoingMedia chart = answer.media().get(0);
        assertEquals(OutgoingMedia.IMAGE, chart.type());
        assertEquals("image-1.png", chart.filename(), "a data URL has no name: numbered, extension by type");
        assertEquals("image/png", chart.contentType());
        assertArrayEquals(CHART, chart.bytes());
        OutgoingMedia photo = answer.media().get(1);
        assertEquals(OutgoingMedia.IMAGE, photo.type());
        assertEquals("harbour.jpg", photo.filename());
        assertEquals("image/jpeg", photo.contentType());
        assertArrayEquals(PHOTO, photo.bytes());

        assertEquals("Here is the chart:\n\nsales by month\n\nand the photo\n\nSame photo elsewhere: ![harbour]("
                + otherHost + ")", answer.text(), "alt text in place of an attached image; the other link as written");
        assertEquals(List.of(new ImageHostStandIn.Request("/photos/harbour.jpg", "size=large")), images.requests(),
                "only the allowed link was fetched, once");
    }

    @Test
    void reply_is_the_models_text_as_it_answered() throws Exception {
        String text = "![chart](" + dataUrl("image/png", CHART) + ")";
        model.answerWith(text);

        assertEquals(text, agentAllowingTheImageHost().reply(request(Messages.text("hi"))));
    }

    @Test
    void without_allowed_hosts_no_link_is_fetched() throws Exception {
        images.serve("/chart.png", "image/png", CHART);
        String text = "See ![chart](" + images.url("127.0.0.1", "/chart.png") + ")";
        model.answerWith(text);

        AgentAnswer answer = agent(MediaConfig.defaults()).answer(request(Messages.text("hi")));

        assertEquals(AgentAnswer.text(text).text(), answer.text());
        assertTrue(answer.media().isEmpty());
        assertTrue(images.requests().isEmpty(), images.requests()::toString);
    }

    @Test
    void a_redirect_from_the_allowed_host_to_elsewhere_is_not_followed_and_the_query_is_never_logged() throws Exception {
        try (ImageHostStandIn elsewhere = ImageHostStandIn.start()) {
            elsewhere.serve("/internal.png", "image/png", CHART);
            images.redirect("/hop.png", 302, elsewhere.url("127.0.0.1", "/internal.png"));
            String link = images.url("127.0.0.1", "/hop.png") + "?sig=secret-signature-123";
            model.answerWith("Look: ![hop](" + link + ")");
            AgentAnswer answer;
            List<String> lines;
            try (CapturedLogs logs = CapturedLogs.start(AnswerImages.class.getName(), Level.DEBUG)) {
                answer = agentAllowingTheImageHost().answer(request(Messages.text("hi")));
                lines = logs.messages();
            }

            assertEquals("Look: ![hop](" + link + ")", answer.text(), "a failed fetch leaves the link to click");
            assertTrue(answer.media().isEmpty());
            assertEquals(1, images.requests().size());
            assertTrue(elsewhere.requests().isEmpty(), "the redirect was followed: " + elsewhere.requests());
            assertTrue(lines.stream().anyMatch(l -> l.contains("/hop.png") && l.contains("redirected (302)")),
                    lines::toString);
            assertFalse(lines.stream().anyMatch(l -> l.contains("secret-signature")), lines::toString);
        }
    }

    @Test
    void a_link_that_is_not_an_image_too_large_missing_or_slow_stays_a_link() throws Exception {
        images.serve("/page.png", "text/html", "<html>not an image</html>".getBytes());
        images.serve("/huge.png", "image/png", new byte[5000]);
        images.hold("/slow.png", "image/png", CHART);
        String text = "![a](" + images.url("127.0.0.1", "/page.png") + ") ![b](" + images.url("127.0.0.1", "/huge.png")
                + ") ![c](" + images.url("127.0.0.1", "/gone.png") + ") ![d](" + images.url("127.0.0.1", "/slow.png") + ")";
        model.answerWith(text);
        MediaConfig media = new MediaConfig(1000, 1000, 1000, 1000, false, List.of(),
                MediaConfig.AGENT_MEDIA_FETCH_TIMEOUT.defaultValue())
                .withAgentMediaHosts(List.of(allowed)).withAgentMediaFetchTimeout(Duration.ofMillis(500));

        AgentAnswer answer = agent(media).answer(request(Messages.text("hi")));

        assertEquals(text, answer.text());
        assertTrue(answer.media().isEmpty(), answer::toString);
        assertEquals(List.of("/page.png", "/huge.png", "/gone.png", "/slow.png"),
                images.requests().stream().map(ImageHostStandIn.Request::path).toList());
    }

    @Test
    void reading_a_body_without_a_length_stops_past_the_image_cap() throws Exception {
        images.serveEndless("/endless.png");
        String text = "![endless](" + images.url("127.0.0.1", "/endless.png") + ")";
        model.answerWith(text);
        MediaConfig media = new MediaConfig(100_000, 1000, 1000, 1000, false, List.of(),
                MediaConfig.AGENT_MEDIA_FETCH_TIMEOUT.defaultValue()).withAgentMediaHosts(List.of(allowed));

        AgentAnswer answer = agent(media).answer(request(Messages.text("hi")));

        assertEquals(text, answer.text());
        assertTrue(answer.media().isEmpty());
        // Far below the 1 GiB on offer: what the server had buffered when the exchange was cancelled.
        assertTrue(images.endlessBytesServed() < 64L << 20, () -> images.endlessBytesServed() + " bytes served");
    }

    @Test
    void a_data_url_that_cannot_be_sent_is_replaced_by_a_note() throws Exception {
        model.answerWith("Chart: ![chart](" + dataUrl("image/png", new byte[3000]) + ")\nAnimation: ![](" 
                + dataUrl("image/gif", CHART) + ")\nSmall: ![ok](" + dataUrl("image/jpeg", PHOTO) + ")");
        MediaConfig media = new MediaConfig(2000, 1000, 1000, 1000, false, List.of(),
                MediaConfig.AGENT_MEDIA_FETCH_TIMEOUT.defaultValue());

        AgentAnswer answer = agent(media).answer(request(Messages.text("hi")));

        assertEquals("Chart: chart [image not sent: larger than 2000 bytes]\n"
                + "Animation: [image not sent: image/gif is not PNG or JPEG]\nSmall: ok", answer.text());
        assertEquals(1, answer.media().size());
        assertArrayEquals(PHOTO, answer.media().get(0).bytes());
        assertEquals("image-1.jpg", answer.media().get(0).filename());
    }

    @Test
    void the_allowed_hosts_reach_the_openai_agent_from_the_configuration() throws Exception {
        images.serve("/chart.png", "image/png", CHART);
        model.answerWith("![chart](" + images.url("127.0.0.1", "/chart.png") + ")");
        try (Agent agent = Agents.create(ConfigLoader.load(Map.of("AGENT", "openai", "OPENAI_BASE_URL", model.baseUrl(),
                "AGENT_MEDIA_HOSTS", allowed), Optional.empty()))) {
            assertInstanceOf(OpenAiAgent.class, agent);

            AgentAnswer answer = agent.answer(request(Messages.text("hi")));

            assertEquals("chart", answer.text());
            assertEquals(List.of("chart.png"), answer.media().stream().map(OutgoingMedia::filename).toList());
            assertArrayEquals(CHART, answer.media().get(0).bytes());
        }
    }
}
