package dev.wecompipeline.worker.agent;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import dev.wecompipeline.config.CommandAgentConfig;
import dev.wecompipeline.config.MediaConfig;
import dev.wecompipeline.config.WorkerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * Whatever it writes to stdout (UTF-8, surrounding whitespace stripped) is the answer; blank means
 * no answer. A JSON object with {@code text}, {@code images} and {@code files} is an answer with
 * attachments ({@link CommandAnswer}). It must exit with 0; otherwise the failure is a
 * {@link CommandFailedException} carrying the exit code and the last {@value #STDERR_TAIL_BYTES}
 * bytes of stderr.
 *
 * <p>Confinement:
 * <ul>
 *   <li><b>Environment</b>: only {@link WorkerConfig#COMMAND_BASE_ENV} (PATH, HOME, LANG) and the
 *       names listed in {@code AGENT_COMMAND_ENV}, never the pipeline's secrets
 *       ({@link WorkerConfig#isPipelineSecret}), whatever the list says.</li>
 *   <li><b>Process group</b>: where {@code setsid} exists (Linux) the program runs in a session of
 *       its own, and at the end of every run (exit, timeout, output limit, interruption) every
 *       process of that session is killed: also children that left the program's tree, such as a
 *       daemonised {@code (sleep 300 &)}. Elsewhere the program and its descendants are killed.</li>
 *   <li><b>Output</b>: at most {@code AGENT_COMMAND_MAX_OUTPUT_BYTES} of stdout are kept. A program
 *       that writes more is stopped there and its answer is what it wrote so far (cut at a
 *       character boundary) with a note that it was cut: that loses nothing the user would have
 *       seen, since the worker cuts answers to {@code AGENT_ANSWER_MAX_CHARS} anyway, while failing
 *       the run would replace the whole answer with the apology.</li>
 * </ul>
 */
public final class CommandAgent implements Agent {

    private static final Logger LOG = LoggerFactory.getLogger(CommandAgent.class);

    /** Enough of stderr for a stack trace's message and top frames. */
    static final int STDERR_TAIL_BYTES = 4 * 1024;
    /** Ends an answer that was cut at the output limit; %d is the limit in bytes. */
    static final String OUTPUT_CUT_NOTE = "\n\n[Output cut: the agent program wrote more than %d bytes and was stopped.]";

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final CommandAgentConfig config;
    /** The caps of the attachments a structured answer names. */
    private final MediaConfig media;
    private final String program;
    /** What the program is started with: its own environment, never the worker's whole one. */
    private final Map<String, String> environment;
    /** {@code setsid}'s path where it exists and /proc tells sessions apart; empty: kill by descendants. */
    private final Optional<String> setsid;
    /** Feeds stdin and drains stdout and stderr, so no pipe fills up while the caller waits. */
    private final ExecutorService io = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "command-agent-io-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    public CommandAgent(CommandAgentConfig config) {
        this(config, MediaConfig.defaults());
    }

    /** @param media the caps of attachments ({@code MEDIA_MAX_IMAGE_BYTES}, {@code MEDIA_MAX_FILE_BYTES}) */
    public CommandAgent(CommandAgentConfig config, MediaConfig media) {
        this(config, media, System.getenv());
    }

    /** @param parentEnvironment the worker's environment, of which the program gets the allowed part */
    CommandAgent(CommandAgentConfig config, Map<String, String> parentEnvironment) {
        this(config, MediaConfig.defaults(), parentEnvironment);
    }

    private CommandAgent(CommandAgentConfig config, MediaConfig media, Map<String, String> parentEnvironment) {
        this.config = Objects.requireNonNull(config, "config");
        this.media = Objects.requireNonNull(media, "media");
        this.program = config.command().get(0);
        this.environment = allowedEnvironment(parentEnvironment, config.env());
        this.setsid = findSetsid(environment.get("PATH"));
        if (setsid.isEmpty()) {
            LOG.info("worker: no setsid here; a command agent's leftover processes are found by descent only");
        }
    }

    /** The base variables and the listed ones that are set, minus any pipeline secret. */
    static Map<String, String> allowedEnvironment(Map<String, String> parent, List<String> listed) {
        Map<String, String> out = new LinkedHashMap<>();
        Stream.concat(WorkerConfig.COMMAND_BASE_ENV.stream(), listed.stream())
                .filter(name -> !WorkerConfig.isPipelineSecret(name))
                .forEach(name -> {
                    String value = parent.get(name);
                    if (value != null) {
                        out.put(name, value);
                    }
                });
        return Map.copyOf(out);
    }

    private static Optional<String> findSetsid(String path) {
        if (!Files.isDirectory(Path.of("/proc/self")) || path == null) {
            return Optional.empty();
        }
        return Arrays.stream(path.split(File.pathSeparator)).filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "setsid")).filter(Files::isExecutable).findFirst().map(Path::toString);
    }

    /** The text of {@link #answer}: stdout, or a structured answer's text and notes. */
    @Override
    public String reply(AgentRequest request) throws AgentException, InterruptedException {
        return answer(request).text();
    }

    /**
     * Runs the program once. An answer cut at the output limit is text, even if it began as JSON.
     *
     * @throws AgentException           the program could not start
     * @throws CommandFailedException   it exited with a non-zero code
     * @throws AgentTimeoutException    it ran longer than the timeout and was killed
     * @throws InterruptedException     the caller was interrupted; the program was killed
     */
    @Override
    public AgentAnswer answer(AgentRequest request) throws AgentException, InterruptedException {
        byte[] input = CommandInput.of(request);
        checkStartable();
        List<String> command = new ArrayList<>();
        setsid.ifPresent(command::add);
        command.addAll(config.command());
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new AgentException("cannot start " + program + ": " + e.getMessage(), e);
        }
        Instant started = process.info().startInstant().orElse(Instant.EPOCH);
        try {
            io.submit(() -> writeStdin(process, input));
            int limit = config.maxOutputBytes();
            CompletableFuture<Output> stdout = CompletableFuture.supplyAsync(() -> read(process.getInputStream(), limit), io);
            CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(
                    () -> tail(process.getErrorStream(), STDERR_TAIL_BYTES), io);
            Duration timeout = config.timeout();
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                // Whichever comes first: the program's end, or stdout reaching the limit.
                CompletableFuture.anyOf(process.onExit(), stdout).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new AgentTimeoutException(program, timeout, null);
            } catch (ExecutionException e) {
                throw new AgentException("cannot read the output of " + program + ": " + e.getCause().getMessage(),
                        e.getCause());
            }
            if (stdout.isDone() && !stdout.isCompletedExceptionally() && stdout.join().cut()) {
                killAll(process, started);
                LOG.warn("worker: {} wrote more than {} bytes to stdout; stopped, its answer cut there", program, limit);
                return AgentAnswer.text(decodeCut(stdout.join().bytes()) + String.format(OUTPUT_CUT_NOTE, limit));
            }
            // stdout may end a moment before the program does.
            if (!process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new AgentTimeoutException(program, timeout, null);
            }
            // It exited. Whatever it left running in the background is not wanted, and would hold the
            // pipes open; what it wrote is still in them. (Not the Process itself: destroying it
            // closes the streams the readers are still reading.)
            killLeftovers(process, started);
            Output out = await(stdout, deadline);
            String errors = new String(await(stderr, deadline), StandardCharsets.UTF_8);
            if (out.cut()) {
                LOG.warn("worker: {} wrote more than {} bytes to stdout; its answer cut there", program, limit);
                return AgentAnswer.text(decodeCut(out.bytes()) + String.format(OUTPUT_CUT_NOTE, limit));
            }
            int exitCode = process.exitValue();
            if (exitCode != 0) {
                throw new CommandFailedException(program, exitCode, errors);
            }
            // The worker's own directory: where the program ran (ProcessBuilder's default).
            return CommandAnswer.of(new String(out.bytes(), StandardCharsets.UTF_8).strip(), media,
                    Path.of("").toAbsolutePath());
        } finally {
            killAll(process, started);
        }
    }

    /** Without setsid a missing program fails at start; with it, setsid would, so look first. */
    private void checkStartable() throws AgentException {
        if (setsid.isEmpty()) {
            return;
        }
        boolean found;
        if (program.contains(File.separator)) {
            found = Files.isExecutable(Path.of(program));
        } else {
            String path = environment.getOrDefault("PATH", "");
            found = Arrays.stream(path.split(File.pathSeparator)).filter(dir -> !dir.isEmpty())
                    .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
        }
        if (!found) {
            throw new AgentException("cannot start " + program + ": no such executable file"
                    + (program.contains(File.separator) ? "" : " on PATH"));
        }
    }

    private <T> T await(CompletableFuture<T> output, long deadline) throws AgentException, InterruptedException {
        try {
            return output.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // Something outside our reach still holds the pipe open.
            throw new AgentTimeoutException(program + " (reading its output)", config.timeout(), e);
        } catch (ExecutionException e) {
            throw new AgentException("cannot read the output of " + program + ": " + e.getCause().getMessage(),
                    e.getCause());
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

    private static Output read(InputStream in, int limit) {
        try {
            return readBounded(in, limit);
        } catch (IOException e) {
            throw new CompletionException(e);
        }
    }

    private static byte[] tail(InputStream in, int limit) {
        try {
            return readTail(in, limit);
        } catch (IOException e) {
            throw new CompletionException(e);
        }
    }

    /**
     * What the program wrote, up to {@code limit} bytes. Returns as soon as there is more than that
     * ({@code cut}), without reading further: the caller stops the program.
     */
    static Output readBounded(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        for (int n = in.read(chunk); n != -1; n = in.read(chunk)) {
            int room = limit - kept.size();
            kept.write(chunk, 0, Math.min(n, room));
            if (n > room) {
                return new Output(kept.toByteArray(), true);
            }
        }
        return new Output(kept.toByteArray(), false);
    }

    /** {@code bytes} cut at a byte limit, as text: an incomplete UTF-8 sequence at the end is dropped. */
    static String decodeCut(byte[] bytes) {
        int end = bytes.length;
        // Back over continuation bytes (10xxxxxx) to the last sequence's first byte.
        int lead = end - 1;
        while (lead >= 0 && lead > end - 4 && (bytes[lead] & 0xC0) == 0x80) {
            lead--;
        }
        if (lead >= 0) {
            int b = bytes[lead] & 0xFF;
            int length = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            if (lead + length > end) {
                end = lead;
            }
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8).strip();
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

    /**
     * Kills the program and everything it started: its descendants, and with setsid every process
     * of its session, which includes children that left its tree (re-parented when their parent
     * ended). The session id is the program's pid, which the kernel does not hand out again while
     * the session has members; processes started before the program are never touched.
     */
    private void killAll(Process process, Instant started) {
        // Children first: once the parent is gone they are re-parented and no longer its descendants.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        killLeftovers(process, started);
    }

    /** What the program started that may still run: descendants and, with setsid, its session. */
    private void killLeftovers(Process process, Instant started) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        if (setsid.isPresent()) {
            sessionMembers(process.pid()).stream().filter(pid -> pid != process.pid()).forEach(pid -> ProcessHandle.of(pid)
                    .filter(h -> h.info().startInstant().map(t -> !t.isBefore(started)).orElse(true))
                    .ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    /** Pids whose session id ({@code /proc/PID/stat}, field 6) is {@code sid}. */
    static List<Long> sessionMembers(long sid) {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    // After the command name in parentheses (which may contain anything): state ppid pgrp session ...
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(fields[3]) == sid) {
                        out.add(Long.valueOf(p.getFileName().toString()));
                    }
                } catch (IOException | RuntimeException gone) {
                    // Ended meanwhile, or not ours to read.
                }
            });
        } catch (IOException e) {
            LOG.debug("worker: cannot list /proc: {}", e.toString());
        }
        return out;
    }

    record Output(byte[] bytes, boolean cut) {
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
