package dev.wecompipeline.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.wecompipeline.kafka.JsonSerde;

/**
 * The JVM load generator ({@link KeepAliveLoad}) in a process of its own: {@code wecom-pipeline bench
 * load ...}, started by the bench from the same jar. It is the paced sender of the capacity run
 * (wrk cannot pace) and the closed-loop load when wrk is not installed.
 */
public final class JvmLoad implements ClosedLoopLoad {

    /** The line the child prints its result on; everything else it prints is ignored. */
    static final String RESULT_PREFIX = "LOAD-RESULT ";

    private final List<String> launcher;
    private final int connections;

    /** @param launcher the command that runs this jar's {@code Main} ({@code java -cp ... Main}) */
    public JvmLoad(List<String> launcher, int connections) {
        this.launcher = List.copyOf(launcher);
        this.connections = connections;
    }

    @Override
    public String describe() {
        return "bench load (the JVM load generator in its own process), " + connections + " connections";
    }

    @Override
    public LoadResult post(String baseUrl, String path, Path file, int lines, int seconds)
            throws IOException, InterruptedException {
        return post(baseUrl + path, file, 0, seconds);
    }

    @Override
    public LoadResult get(String url, int seconds) throws IOException, InterruptedException {
        return spawn(List.of("--url", url, "--seconds", Integer.toString(seconds)), seconds);
    }

    /** POSTs the callbacks of {@code file} as fast as answered ({@code rate} 0) or paced at {@code rate} per second. */
    public LoadResult post(String url, Path file, double rate, int seconds) throws IOException, InterruptedException {
        return spawn(List.of("--url", url, "--file", file.toString(), "--rate", Double.toString(rate),
                "--seconds", Integer.toString(seconds)), seconds);
    }

    private LoadResult spawn(List<String> args, int seconds) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of("bench", "load", "--connections", Integer.toString(connections)));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("bench load failed:\n" + out);
        }
        for (String line : out.lines().toList()) {
            if (line.startsWith(RESULT_PREFIX)) {
                return JsonSerde.MAPPER.readValue(line.substring(RESULT_PREFIX.length()), LoadResult.class);
            }
        }
        throw new IOException("bench load printed no result:\n" + out);
    }

    /**
     * The child's side: loads the file (or prepares {@code GET url}), runs, prints the result line.
     *
     * @param file callbacks from {@link SignedCallbackFile}; {@code null} for a GET of {@code url}
     */
    public static void runAndPrint(URI url, Path file, double rate, Duration duration, int connections, PrintStream out)
            throws IOException, InterruptedException {
        String host = url.getHost();
        int port = url.getPort();
        List<byte[]> requests = new ArrayList<>();
        if (file == null) {
            requests.add(KeepAliveLoad.request("GET", host, port, url.getRawPath(), new byte[0]));
        } else {
            for (SignedCallbackFile.Line l : SignedCallbackFile.read(file)) {
                requests.add(KeepAliveLoad.request("POST", host, port, url.getRawPath() + "?" + l.query(),
                        l.body().getBytes(StandardCharsets.UTF_8)));
            }
        }
        long limit = file == null ? Long.MAX_VALUE : requests.size();
        LoadResult r = KeepAliveLoad.run(host, port, requests, rate > 0 ? limit : Long.MAX_VALUE, rate, duration,
                connections);
        if (file == null) {
            r = new LoadResult(r.tool(), r.requests(), r.non2xx(), r.errors(), r.seconds(), r.offeredRate(), r.p50Ms(),
                    r.p99Ms(), false, r.startEpochMs());
        }
        out.println(RESULT_PREFIX + JsonSerde.MAPPER.writeValueAsString(r));
    }
}
