package dev.wecompipeline.worker.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wecompipeline.config.AppConfig;
import dev.wecompipeline.config.CommandAgentConfig;
import dev.wecompipeline.kafka.JsonSerde;

/**
 * Answers by running a program once per message, for agents written in any language.
 *
 * <p>The program (not a shell: {@code ["python3", "my_agent.py"]}) gets on stdin one line of JSON,
 * the {@link dev.wecompipeline.kafka.InboundMessage} as on Kafka plus the user's earlier turns,
 * and stdin is then closed:
 * <pre>{@code
 * {"schemaVersion":1,"messageId":"...","userId":"alice","msgType":"text","content":"hi","fields":{},...,
 *  "history":[{"user":"hello","assistant":"Hi! How can I help?"}]}
 * }</pre>
 * Whatever it writes to stdout (UTF-8, surrounding whitespace stripped, at most
 * {@value #MAX_STDOUT_BYTES} bytes) is the answer; blank means no answer. It must exit with 0;
 * otherwise the failure is a {@link CommandFailedException} carrying the exit code and the last
 * {@value #STDERR_TAIL_BYTES} bytes of stderr. A run longer than the timeout, or an interrupted
 * one, is killed together with its child processes.
 *
 * <p>The program inherits the worker's environment and working directory, minus the WeCom app
 * secrets ({@link #HIDDEN_ENV}), which it has no use for.
 */
public final class CommandAgent implements Agent {

    /** Enough of stderr for a stack trace's message and top frames. */
    static final int STDERR_TAIL_BYTES = 4 * 1024;
    /** Far more than WeCom shows, small enough that a runaway program cannot exhaust memory. */
    static final int MAX_STDOUT_BYTES = 1024 * 1024;
    /** The pipeline's own secrets, not passed to the program. */
    static final List<String> HIDDEN_ENV = List.of(AppConfig.CORP_SECRET_ENV, AppConfig.TOKEN_ENV,
            AppConfig.ENCODING_AES_KEY_ENV);

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final CommandAgentConfig config;
    private final String program;
    /** Feeds stdin and drains stdout and stderr, so no pipe fills up while the caller waits. */
    private final ExecutorService io = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "command-agent-io-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    public CommandAgent(CommandAgentConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.program = config.command().get(0);
    }

    /**
     * @throws AgentException           the program could not start or wrote too much
     * @throws CommandFailedException   it exited with a non-zero code
     * @throws AgentTimeoutException    it ran longer than the timeout and was killed
     * @throws InterruptedException     the caller was interrupted; the program was killed
     */
    @Override
    public String reply(AgentRequest request) throws AgentException, InterruptedException {
        byte[] input = input(request);
        ProcessBuilder builder = new ProcessBuilder(config.command());
        HIDDEN_ENV.forEach(builder.environment()::remove);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new AgentException("cannot start " + program + ": " + e.getMessage(), e);
        }
        try {
            io.submit(() -> writeStdin(process, input));
            Future<Output> stdout = io.submit(() -> readBounded(process.getInputStream(), MAX_STDOUT_BYTES));
            Future<byte[]> stderr = io.submit(() -> readTail(process.getErrorStream(), STDERR_TAIL_BYTES));
            Duration timeout = config.timeout();
            long deadline = System.nanoTime() + timeout.toNanos();
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new AgentTimeoutException(program, timeout, null);
            }
            // The pipes may still hold output after the exit: wait for the readers, within the limit.
            Output out = await(stdout, deadline);
            String errors = new String(await(stderr, deadline), StandardCharsets.UTF_8);
            int exitCode = process.exitValue();
            if (exitCode != 0) {
                throw new CommandFailedException(program, exitCode, errors);
            }
            if (out.truncated()) {
                throw new AgentException(program + " wrote more than " + MAX_STDOUT_BYTES + " bytes to stdout");
            }
            return new String(out.bytes(), StandardCharsets.UTF_8).strip();
        } finally {
            // Also on success: children it left running in the background are not wanted.
            destroyTree(process);
        }
    }

    private <T> T await(Future<T> output, long deadline) throws AgentException, InterruptedException {
        try {
            return output.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // A background child of the program still holds the pipe open.
            throw new AgentTimeoutException(program + " (reading its output)", config.timeout(), e);
        } catch (ExecutionException e) {
            throw new AgentException("cannot read the output of " + program + ": " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    private static byte[] input(AgentRequest request) throws AgentException {
        try {
            ObjectNode json = JsonSerde.MAPPER.valueToTree(request.message());
            json.set("history", JsonSerde.MAPPER.valueToTree(request.history()));
            // One line ending in a newline, so line-reading programs ("read -r line") see all of it.
            return (JsonSerde.MAPPER.writeValueAsString(json) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new AgentException("cannot write the message as JSON: " + e.getMessage(), e);
        }
    }

    private static Void writeStdin(Process process, byte[] input) {
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(input);
        } catch (IOException e) {
            // The program closed stdin without reading it all; its exit code says whether that was fine.
        }
        return null;
    }

    /** What the program wrote, up to {@code limit} bytes; the rest is drained so the program is not blocked. */
    static Output readBounded(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        boolean truncated = false;
        byte[] chunk = new byte[8192];
        for (int n = in.read(chunk); n != -1; n = in.read(chunk)) {
            int room = limit - kept.size();
            kept.write(chunk, 0, Math.min(n, room));
            truncated |= n > room;
        }
        return new Output(kept.toByteArray(), truncated);
    }

    /** The last {@code limit} bytes of {@code in}. */
    static byte[] readTail(InputStream in, int limit) throws IOException {
        byte[] ring = new byte[limit];
        long total = 0;
        byte[] chunk = new byte[8192];
        for (int n = in.read(chunk); n != -1; n = in.read(chunk)) {
            for (int i = 0; i < n; i++) {
                ring[(int) (total++ % limit)] = chunk[i];
            }
        }
        if (total <= limit) {
            return Arrays.copyOf(ring, (int) total);
        }
        int oldest = (int) (total % limit);
        byte[] tail = new byte[limit];
        System.arraycopy(ring, oldest, tail, 0, limit - oldest);
        System.arraycopy(ring, 0, tail, limit - oldest, oldest);
        return tail;
    }

    private static void destroyTree(Process process) {
        // Children first: once the parent is gone they are re-parented and no longer its descendants.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    record Output(byte[] bytes, boolean truncated) {
    }

    @Override
    public boolean usesHistory() {
        return true;
    }

    @Override
    public String name() {
        return "command";
    }

    /** Stops the threads that feed and drain programs. */
    @Override
    public void close() {
        io.shutdownNow();
    }
}
