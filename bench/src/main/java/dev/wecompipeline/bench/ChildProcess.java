package dev.wecompipeline.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server the bench measures, running as its own process (a launcher command or the reference
 * gateway), with its output in a log file the bench shows when it fails to start. Closing sends
 * SIGTERM and waits, so a broker or an all-in-one stops as an operator's would; a JVM shutdown
 * hook kills what is left if the bench itself is interrupted.
 */
final class ChildProcess implements AutoCloseable {

    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final String name;
    private final Process process;
    private final Path log;
    private final Thread reaper;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.reaper = new Thread(process::destroyForcibly, "bench-reap-" + name);
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /**
     * Starts {@code command} in {@code workDir} with {@code env} on top of an environment cleared of
     * the pipeline's own variables (so the operator's settings do not leak into the measurement).
     */
    static ChildProcess start(String name, List<String> command, Path workDir, Map<String, String> env) throws IOException {
        Files.createDirectories(workDir);
        Path log = workDir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("WECOM_") || k.startsWith("KAFKA_") || k.startsWith("AGENT")
                || k.startsWith("WORKER_") || k.startsWith("REPLY_") || k.startsWith("OPENAI_") || k.startsWith("HERMES_"));
        pb.environment().putAll(env);
        return new ChildProcess(name, pb.start(), log);
    }

    /** A port free right now, for a child to bind. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until {@code url} answers 200 (the service is ready) or fails with the log's tail. */
    ChildProcess awaitHttp(String url, Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            requireAlive();
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return this;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            Thread.sleep(200); // polling a starting process
        }
        throw new IllegalStateException(name + " not ready at " + url + " within " + timeout.toSeconds() + " s:\n" + tail());
    }

    /** Waits until {@code port} accepts connections. */
    ChildProcess awaitPort(int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            requireAlive();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return this;
            } catch (IOException e) {
                Thread.sleep(200); // polling a starting process
            }
        }
        throw new IllegalStateException(name + " not listening on " + port + " within " + timeout.toSeconds() + " s:\n"
                + tail());
    }

    private void requireAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail());
        }
    }

    /** The last lines of the child's output, for failure messages. */
    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook runs and finds the process gone.
        }
    }
}
