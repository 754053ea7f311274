package dev.wecompipeline.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged launcher jar running as a child process, as an operator runs it. Output goes to a
 * log file that assertions and failure messages can read.
 */
final class LauncherProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private LauncherProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static LauncherProcess start(Path workDir, Map<String, String> env, String... args) {
        return launch(workDir, env, null, args);
    }

    /**
     * Starts the launcher with {@code stdin} as its standard input (closed after it, as when an
     * operator pipes answers in); {@code null} leaves standard input empty.
     */
    static LauncherProcess startWithInput(Path workDir, Map<String, String> env, String stdin, String... args) {
        return launch(workDir, env, stdin, args);
    }

    private static LauncherProcess launch(Path workDir, Map<String, String> env, String stdin, String... args) {
        String jar = System.getProperty("wecom.launcher.jar");
        if (jar == null || !Files.exists(Path.of(jar))) {
            throw new IllegalStateException("launcher jar not built: " + jar + " (run through `./mvnw verify`)");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-jar", jar));
        command.addAll(List.of(args));
        try {
            Files.createDirectories(workDir);
            Path log = Files.createTempFile(workDir, "launcher-", ".log");
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            Process process = pb.start();
            try (var in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            return new LauncherProcess(process, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** The last {@code lines} lines of the output, for failure messages. */
    String outputTail(int lines) {
        List<String> all = output().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** Sends SIGKILL, as a crash or the OOM killer would: no shutdown hook, no LeaveGroup, nothing flushed. */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        return process.waitFor();
    }

    /** Sends SIGTERM and returns the exit code, killing the process if it does not stop in time. */
    int terminate(Duration grace) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("process ignored SIGTERM for " + grace + "; output:\n" + output());
        }
        return process.exitValue();
    }

    /** Waits for the process to exit on its own and returns its exit code. */
    int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("process did not exit within " + timeout + "; output:\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
