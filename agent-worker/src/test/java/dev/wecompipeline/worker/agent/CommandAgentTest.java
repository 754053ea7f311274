package dev.wecompipeline.worker.agent;

import static dev.wecompipeline.worker.agent.Messages.request;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wecompipeline.config.CommandAgentConfig;
import dev.wecompipeline.config.WorkerConfig;
import dev.wecompipeline.kafka.JsonSerde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs real programs: small bash scripts using only coreutils, sed and grep (no jq). */
class CommandAgentTest {

    /** For runs that should finish: generous, since it only matters when something hangs. */
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

    /** The process whose pid {@code file} holds (once written) no longer exists. */
    private static void assertGone(Path file) throws IOException {
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file) && !Files.readString(file).isBlank());
        long pid = Long.parseLong(Files.readString(file).strip());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertFalse(ProcessHandle.of(pid).isPresent(), "still running: " + pid));
    }

    /** An agent running {@code bash <script> args...}, the script being {@code body}. */
    private CommandAgent agent(String body, Duration timeout, String... args) throws IOException {
        Path script = Files.writeString(dir.resolve("agent-" + agents.size() + ".sh"), body);
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        CommandAgent agent = new CommandAgent(new CommandAgentConfig(command, timeout));
        agents.add(agent);
        return agent;
    }

    @Test
    void the_reply_is_what_the_program_prints_for_the_message_it_reads() throws Exception {
        // Pulls "content" out of the JSON with sed, as a program without a JSON library might.
        CommandAgent agent = agent("""
                input=$(cat)
                content=$(printf '%s' "$input" | sed -n 's/.*"content":"\\([^"]*\\)".*/\\1/p')
                printf 'Echo: %s\\n' "$content"
                """, ENOUGH);

        assertEquals("Echo: 你好 world", agent.reply(request(Messages.text("你好 world"))));
    }

    @Test
    void stdin_carries_the_message_as_json_and_the_history_on_one_line() throws Exception {
        Path captured = dir.resolve("stdin.json");
        CommandAgent agent = agent("cat > \"$1\"\nprintf saved\n", ENOUGH, captured.toString());

        String reply = agent.reply(request(Messages.text("third"), new Turn("first", "one"), new Turn("second", "two")));

        assertEquals("saved", reply);
        String stdin = Files.readString(captured, StandardCharsets.UTF_8);
        assertTrue(stdin.endsWith("\n") && stdin.indexOf('\n') == stdin.length() - 1, "one line: " + stdin);
        JsonNode json = JsonSerde.MAPPER.readTree(stdin);
        assertEquals("msg-1", json.path("messageId").asText());
        assertEquals("alice", json.path("userId").asText());
        assertEquals("text", json.path("msgType").asText());
        assertEquals("third", json.path("content").asText());
        assertEquals("trace-1", json.path("traceId").asText());
        assertEquals(JsonSerde.MAPPER.readTree("[{\"user\":\"first\",\"assistant\":\"one\"},"
                + "{\"user\":\"second\",\"assistant\":\"two\"}]"), json.path("history"));
    }

    @Test
    void a_program_that_ignores_a_large_stdin_still_answers() throws Exception {
        // 2 MB of history is far beyond a pipe's buffer: writing it must not block the run.
        CommandAgent agent = agent("printf 'did not read'\n", ENOUGH);
        Turn big = new Turn("x".repeat(1_000_000), "y".repeat(1_000_000));

        assertEquals("did not read", agent.reply(request(Messages.text("hi"), big)));
    }

    @Test
    void a_program_printing_nothing_gives_a_blank_reply() throws Exception {
        assertEquals("", agent("cat > /dev/null\n", ENOUGH).reply(request(Messages.text("hi"))));
    }

    @Test
    void a_non_zero_exit_fails_with_the_code_and_what_the_program_wrote_to_stderr() throws IOException {
        CommandAgent agent = agent("""
                cat > /dev/null
                echo 'partial answer'
                echo 'model crashed: out of memory' >&2
                exit 3
                """, ENOUGH);

        CommandFailedException e = assertThrows(CommandFailedException.class,
                () -> agent.reply(request(Messages.text("hi"))));

        assertEquals(3, e.exitCode());
        assertEquals("model crashed: out of memory\n", e.stderrTail());
        assertTrue(e.getMessage().contains("exited with code 3: model crashed: out of memory"), e.getMessage());
    }

    @Test
    void only_the_end_of_a_long_stderr_is_kept() throws IOException {
        CommandAgent agent = agent("""
                head -c 100000 /dev/zero | tr '\\0' x >&2
                printf 'the real error' >&2
                exit 1
                """, ENOUGH);

        CommandFailedException e = assertThrows(CommandFailedException.class,
                () -> agent.reply(request(Messages.text("hi"))));

        assertEquals(CommandAgent.STDERR_TAIL_BYTES, e.stderrTail().length());
        assertTrue(e.stderrTail().endsWith("xxxthe real error"), e.stderrTail());
    }

    @Test
    void a_program_writing_more_than_the_limit_is_stopped_and_its_answer_is_what_it_wrote_until_then() throws Exception {
        Path pids = dir.resolve("pids");
        // Writes for ever: without the bound it would run into the timeout and answer nothing.
        CommandAgent agent = agent(new CommandAgentConfig(List.of("bash", script("""
                echo "$$" > "$1"
                while true; do printf '你好abcdefgh\n'; done
                """), pids.toString()), Duration.ofSeconds(20), List.of(), 4096));

        String reply = agent.reply(request(Messages.text("hi")));

        String note = String.format(CommandAgent.OUTPUT_CUT_NOTE, 4096);
        assertTrue(reply.startsWith("你好abcdefgh\n你好abcdefgh\n"), reply);
        assertTrue(reply.endsWith(note), reply);
        String kept = reply.substring(0, reply.length() - note.length());
        assertTrue(kept.getBytes(StandardCharsets.UTF_8).length <= 4096, () -> "kept " + kept.length());
        assertTrue(kept.getBytes(StandardCharsets.UTF_8).length > 4000, () -> "kept " + kept.length());
        assertFalse(kept.contains("\uFFFD"), "cut at a character boundary");
        assertAllEnd(pids, 1);
    }

    @Test
    void a_cut_keeps_whole_characters() {
        byte[] bytes = "a你好".getBytes(StandardCharsets.UTF_8);   // 1 + 3 + 3 bytes
        assertEquals("a你", CommandAgent.decodeCut(java.util.Arrays.copyOf(bytes, 6)));
        assertEquals("a你", CommandAgent.decodeCut(java.util.Arrays.copyOf(bytes, 5)));
        assertEquals("a你", CommandAgent.decodeCut(java.util.Arrays.copyOf(bytes, 4)));
        assertEquals("a你好", CommandAgent.decodeCut(bytes));
    }

    @Test
    void the_program_sees_only_path_home_lang_and_the_listed_variables_never_a_pipeline_secret() throws Exception {
        Map<String, String> worker = new HashMap<>();
        worker.put("PATH", System.getenv("PATH"));
        worker.put("HOME", dir.toString());
        worker.put("LANG", "C.UTF-8");
        worker.put("MY_AGENT_KEY", "agent-own-key");
        worker.put("UNLISTED", "not-for-the-agent");
        worker.put("WECOM_CALLBACK_CORP_SECRET", "corp-secret-value");
        worker.put("WECOM_CALLBACK_TOKEN", "callback-token-value");
        worker.put("WECOM_CALLBACK_ENCODING_AES_KEY", "aes-key-value");
        worker.put("KAFKA_PROPERTIES_SASL_JAAS_CONFIG", "jaas-password-value");
        worker.put("OPENAI_API_KEY", "sk-openai-value");
        // Listing a secret does not pass it either (the configuration refuses it before it gets here).
        CommandAgentConfig config = new CommandAgentConfig(List.of("bash", script("cat > /dev/null\nenv\n")),
                ENOUGH, List.of("MY_AGENT_KEY", "OPENAI_API_KEY", "NOT_SET_ANYWHERE"),
                WorkerConfig.COMMAND_MAX_OUTPUT_BYTES.defaultValue());
        CommandAgent agent = new CommandAgent(config, worker);
        agents.add(agent);

        String env = agent.reply(request(Messages.text("hi")));

        assertTrue(env.contains("MY_AGENT_KEY=agent-own-key"), env);
        assertTrue(env.contains("HOME=" + dir), env);
        assertTrue(env.contains("LANG=C.UTF-8"), env);
        assertTrue(env.contains("PATH=" + System.getenv("PATH")), env);
        for (String hidden : List.of("not-for-the-agent", "corp-secret-value", "callback-token-value", "aes-key-value",
                "jaas-password-value", "sk-openai-value", "NOT_SET_ANYWHERE")) {
            assertFalse(env.contains(hidden), () -> hidden + " leaked: " + env);
        }
    }

    @Test
    void the_worker_environment_is_not_inherited() throws Exception {
        // This JVM's own environment has more than PATH, HOME and LANG (at least JAVA_HOME or the like).
        String env = agent("cat > /dev/null\nenv\n", ENOUGH).reply(request(Messages.text("hi")));
        List<String> names = env.lines().map(l -> l.substring(0, Math.max(0, l.indexOf('=')))).toList();
        List<String> allowed = List.of("PATH", "HOME", "LANG", "PWD", "SHLVL", "_", "OLDPWD");
        assertTrue(allowed.containsAll(names), () -> "inherited: " + names);
    }

    @Test
    void on_timeout_the_whole_session_is_killed_even_children_that_left_the_program_tree() throws Exception {
        Path orphan = dir.resolve("orphan");
        Path grandchild = dir.resolve("grandchild");
        CommandAgent agent = agent("""
                ( sleep 300 & echo $! > "$1" )
                sh -c 'sleep 300 & echo $! > "$0"; sleep 300' "$2" &
                wait
                """, Duration.ofSeconds(2), orphan.toString(), grandchild.toString());

        AgentException e = assertThrows(AgentException.class, () -> agent.reply(request(Messages.text("hi"))));

        assertInstanceOf(AgentTimeoutException.class, e, e::toString);
        assertGone(orphan);
        assertGone(grandchild);
    }

    @Test
    void a_program_that_exits_leaving_a_background_child_answers_at_once_and_the_child_is_killed() throws Exception {
        Path orphan = dir.resolve("orphan");
        // The daemonised sleep keeps stdout open: the answer must not wait for it.
        CommandAgent agent = agent("""
                cat > /dev/null
                ( sleep 300 & echo $! > "$1" )
                echo done
                """, Duration.ofSeconds(30), orphan.toString());

        assertEquals("done", agent.reply(request(Messages.text("hi"))));
        assertGone(orphan);
    }

    @Test
    void a_program_running_past_the_timeout_is_killed_with_its_children() throws Exception {
        Path pids = dir.resolve("pids");
        // Records its own pid and its child's, then waits on the child far beyond the timeout.
        CommandAgent agent = agent("""
                sleep 600 &
                echo "$$ $!" > "$1"
                wait
                """, Duration.ofSeconds(1), pids.toString());

        long start = System.nanoTime();
        AgentException e = assertThrows(AgentException.class, () -> agent.reply(request(Messages.text("hi"))));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertInstanceOf(AgentTimeoutException.class, e, e::toString);
        assertTrue(elapsed.compareTo(Duration.ofSeconds(1)) >= 0, () -> "gave up early, after " + elapsed);
        // The program waits 600 s: that the call returned at all is the timeout at work.
        assertAllEnd(pids);
    }

    @Test
    void interrupting_the_caller_kills_the_program_and_throws_interrupted_exception() throws Exception {
        Path pids = dir.resolve("pids");
        CommandAgent agent = agent("""
                sleep 600 &
                echo "$$ $!" > "$1"
                wait
                """, Duration.ofMinutes(10), pids.toString());
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                agent.reply(request(Messages.text("hi")));
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        }, "interrupted-caller");
        caller.start();
        // Interrupt only once the program runs, so the test covers killing a live process.
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pids) && Files.readString(pids).endsWith("\n"));

        caller.interrupt();

        assertInstanceOf(InterruptedException.class, outcome.get(10, TimeUnit.SECONDS));
        assertAllEnd(pids);
    }

    @Test
    void a_program_that_cannot_start_fails_with_an_agent_exception() {
        CommandAgent agent = new CommandAgent(new CommandAgentConfig(
                List.of(dir.resolve("no-such-agent").toString()), ENOUGH));
        agents.add(agent);

        AgentException e = assertThrows(AgentException.class, () -> agent.reply(request(Messages.text("hi"))));

        assertTrue(e.getMessage().startsWith("cannot start " + dir.resolve("no-such-agent")), e.getMessage());
    }

    @Test
    void it_is_called_command_and_uses_history() throws IOException {
        CommandAgent agent = agent("true\n", ENOUGH);

        assertEquals("command", agent.name());
        assertTrue(agent.usesHistory());
    }

    /** Every pid in {@code file} (written by the script) ends soon; killing is asynchronous. */
    private static void assertAllEnd(Path file) throws IOException {
        assertAllEnd(file, 2);
    }

    private static void assertAllEnd(Path file, int count) throws IOException {
        List<Long> pids = List.of(Files.readString(file).strip().split(" ")).stream().map(Long::valueOf).toList();
        assertEquals(count, pids.size(), pids::toString);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (long pid : pids) {
                assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "still running: " + pid);
            }
        });
    }
}
