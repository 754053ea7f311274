package dev.wecompipeline.worker.agent;

import static dev.wecompipeline.worker.agent.Messages.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.wecompipeline.config.CommandAgentConfig;
import dev.wecompipeline.config.ConfigLoader;
import dev.wecompipeline.config.MediaConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command agent's answers with attachments ({@link CommandAnswer}): real programs printing
 * JSON that names real files.
 */
class CommandAnswerTest {

    private static final Duration ENOUGH = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<CommandAgent> agents = new ArrayList<>();

    @AfterEach
    void closeAgents() {
        agents.forEach(CommandAgent::close);
    }

    private String script(String body) throws IOException {
        return Files.writeString(dir.resolve("script-" + agents.size() + "-" + System.nanoTime() + ".sh"), body).toString();
    }

    private CommandAgent agent(CommandAgentConfig config) {
        CommandAgent agent = new CommandAgent(config);
        agents.add(agent);
        return agent;
    }

    /** An agent running {@code bash <script> args...}, the script being {@code body}. */
    private CommandAgent agent(String body, Duration timeout, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", script(body)));
        command.addAll(List.of(args));
        return agent(new CommandAgentConfig(command, timeout));
    }

    @Test
    void a_json_answer_attaches_its_images_in_order_then_its_files_and_leaves_them_in_place() throws Exception {
        byte[] chart = ImageHostStandIn.png(0x3366cc);
        byte[] photo = ImageHostStandIn.jpeg(0xcc6633);
        byte[] report = "%PDF-1.4 a small report".getBytes(StandardCharsets.US_ASCII);
        Path chartFile = Files.write(dir.resolve("chart.png"), chart);
        Path photoFile = Files.write(dir.resolve("Photo.JPG"), photo);
        Path reportFile = Files.write(dir.resolve("report.pdf"), report);
        // Relative to the program's working directory, which is the worker's.
        String relativePhoto = Path.of("").toAbsolutePath().relativize(photoFile).toString();
        CommandAgent agent = agent("cat > /dev/null\nprintf '%s' \"$1\"\n", ENOUGH, """
                {"text": "Here are the chart, the photo and the report.", "files": ["%s"],
                 "images": ["%s", "%s"], "confidence": 0.9}
                """.formatted(reportFile, chartFile, relativePhoto));

        AgentAnswer answer = agent.answer(request(Messages.text("report please")));

        assertEquals("Here are the chart, the photo and the report.", answer.text());
        assertEquals(List.of("image chart.png image/png", "image Photo.JPG image/jpeg", "file report.pdf application/pdf"),
                answer.media().stream().map(m -> m.type() + " " + m.filename() + " " + m.contentType()).toList());
        assertArrayEquals(chart, answer.media().get(0).bytes());
        assertArrayEquals(photo, answer.media().get(1).bytes());
        assertArrayEquals(report, answer.media().get(2).bytes());
        assertTrue(Files.exists(chartFile) && Files.exists(photoFile) && Files.exists(reportFile), "the program's files");
        assertEquals(answer.text(), agent.reply(request(Messages.text("report please"))), "reply() is the text");
    }

    @Test
    void an_attachment_that_is_missing_too_large_or_a_directory_is_noted_in_the_text_and_the_others_still_go() throws Exception {
        Path ok = Files.write(dir.resolve("ok.png"), ImageHostStandIn.png(0x112233));
        Path big = Files.write(dir.resolve("big.csv"), new byte[4001]);
        Path notes = Files.writeString(dir.resolve("notes.txt"), "the notes of the run");
        Path anim = Files.write(dir.resolve("anim.gif"), new byte[100]);
        Files.createDirectories(dir.resolve("out"));
        MediaConfig caps = new MediaConfig(MediaConfig.MAX_IMAGE_BYTES.defaultValue(), 1000, 1000, 4000, false, List.of(),
                MediaConfig.AGENT_MEDIA_FETCH_TIMEOUT.defaultValue());
        CommandAgent agent = new CommandAgent(new CommandAgentConfig(List.of("bash", script(
                "cat > /dev/null\nprintf '%s' \"$1\"\n"), """
                {"text": "Partly done.", "images": ["%s", "%s", "%s"], "files": ["%s", "%s", "%s"]}
                """.formatted(dir.resolve("missing.png"), ok, anim, big, dir.resolve("out"), notes)), ENOUGH), caps);
        agents.add(agent);

        AgentAnswer answer = agent.answer(request(Messages.text("hi")));

        assertEquals("""
                Partly done.

                [attachment missing.png not sent: not found]
                [attachment big.csv not sent: larger than 4000 bytes]
                [attachment out not sent: not a regular file]""", answer.text());
        // A GIF is no WeCom image: listed under images, it goes as a file.
        assertEquals(List.of("image ok.png", "file anim.gif", "file notes.txt"),
                answer.media().stream().map(m -> m.type() + " " + m.filename()).toList());
        assertEquals("the notes of the run", new String(answer.media().get(2).bytes(), StandardCharsets.UTF_8));
        assertEquals("text/plain", answer.media().get(2).contentType());
    }

    @Test
    void output_that_is_not_an_answer_object_is_plain_text_as_before() throws Exception {
        for (String stdout : List.of("Just an answer.", "{not json}", "[\"a.png\"]", "{\"answer\": 42}",
                "{\"text\": 5}", "{\"text\": \"hi\", \"images\": \"a.png\"}", "{\"text\": \"a\"} {\"text\": \"b\"}",
                "{\"files\": [1, 2]}")) {
            CommandAgent agent = agent("cat > /dev/null\nprintf '%s' \"$1\"\n", ENOUGH, stdout);

            AgentAnswer answer = agent.answer(request(Messages.text("hi")));

            assertEquals(stdout, answer.text());
            assertTrue(answer.media().isEmpty(), stdout);
        }
    }

    @Test
    void a_json_answer_cut_at_the_output_limit_stays_text() throws Exception {
        Path image = Files.write(dir.resolve("a.png"), ImageHostStandIn.png(0x445566));
        String json = "{\"images\": [\"" + image + "\"], \"text\": \"" + "x".repeat(3000) + "\"}";
        CommandAgent agent = agent(new CommandAgentConfig(List.of("bash", script(
                "cat > /dev/null\nprintf '%s' \"$1\"\n"), json), ENOUGH, List.of(), 1024));

        AgentAnswer answer = agent.answer(request(Messages.text("hi")));

        assertTrue(answer.text().startsWith("{\"images\": [\"" + image), answer.text());
        assertTrue(answer.text().endsWith(String.format(CommandAgent.OUTPUT_CUT_NOTE, 1024)), answer.text());
        assertTrue(answer.media().isEmpty());
    }

    @Test
    void the_file_cap_reaches_the_command_agent_from_the_configuration() throws Exception {
        Path file = Files.write(dir.resolve("data.bin"), new byte[20]);
        Path program = Files.writeString(dir.resolve("answer.sh"),
                "cat > /dev/null\nprintf '{\"files\": [\"%s\"]}' \"" + file + "\"\n");
        try (Agent agent = Agents.create(ConfigLoader.load(Map.of("AGENT", "command",
                "AGENT_COMMAND", "bash " + program, "MEDIA_MAX_FILE_BYTES", "10"), Optional.empty()))) {

            AgentAnswer answer = agent.answer(request(Messages.text("hi")));

            assertEquals("[attachment data.bin not sent: larger than 10 bytes]", answer.text());
            assertTrue(answer.media().isEmpty());
        }
    }
}
