package dev.wecompipeline.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.wecompipeline.sandbox.SandboxConfig;
import dev.wecompipeline.sandbox.WeComApiSandbox;

/**
 * The side-by-side table: the reference gateway's hot path, our {@code ingress} with the broker in
 * its own process, and our {@code all-in-one} with worker and reply-service answering every
 * callback, each a process of its own started by the bench, each driven by the same load generator
 * (another process) with the same app credentials and the same kind of distinct signed callbacks:
 * {@code GET /health} first as the server's own ceiling, then the callbacks. The all-in-one also
 * gets its end-to-end capacity measured ({@link CapacityBench}) before it is saturated.
 */
public final class SideBySideBench {

    /** Python packages the reference needs, as Debian names them. */
    public static final String REFERENCE_PACKAGES = "python3-aiohttp python3-defusedxml python3-cryptography";
    static final String PYTHON = "/usr/bin/python3";
    static final String PATH = "/wecom/callback";
    /**
     * Warm-up runs until the rate settles: a JVM server under full load on two cores gets its hot
     * path compiled only slowly (its JIT competes with the load), and a fixed 5 s warm-up measured
     * our ingress at half its settled rate. A Python server settles after three runs.
     */
    private static final int WARM_RUN_SECONDS = 5;
    private static final int MAX_WARM_RUNS = 20;
    private static final double STEADY = 0.05;
    private static final int MIN_LINES = 20_000;
    private static final int MAX_LINES = 400_000;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    /**
     * One server's row; {@code skipped} says why a row has no figures.
     *
     * @param bestCallbacks the best callbacks/s of any run, warm-up runs included: the reference
     *                      slows as it sees more callbacks (its MsgId dedupe scans every id of the
     *                      last 300 s once it holds 2,000), so its first runs are its best
     */
    public record Row(String server, LoadResult health, LoadResult callbacks, double bestCallbacks, String skipped) {
        public static Row skipped(String server, String why) {
            return new Row(server, null, null, 0, why);
        }
    }

    private final List<String> launcher;
    private final ClosedLoopLoad load;
    private final Path work;
    private final int seconds;
    private final PrintStream progress;

    /**
     * @param launcher the command that runs this jar's {@code Main}: the children are started from the same jar
     * @param work     a scratch directory: callback files, logs, the children's data
     * @param seconds  length of each measured run (each after a warm-up that runs until the rate settles)
     */
    public SideBySideBench(List<String> launcher, ClosedLoopLoad load, Path work, int seconds, PrintStream progress) {
        this.launcher = List.copyOf(launcher);
        this.load = load;
        this.work = work;
        this.seconds = seconds;
        this.progress = progress;
    }

    /** The reference hot path, or a skipped row saying what to install. */
    public Row reference(Path script) throws Exception {
        String name = "the reference gateway's hot path (" + script.getFileName() + ", no durable write)";
        if (!referenceInstalled()) {
            return Row.skipped(name, "skipped: install " + REFERENCE_PACKAGES);
        }
        if (!Files.isRegularFile(script)) {
            return Row.skipped(name, "skipped: " + script + " not found (--reference)");
        }
        int port = ChildProcess.freePort();
        progress.println("bench: reference gateway (" + script + ") on port " + port);
        try (ChildProcess ref = ChildProcess.start("reference", List.of(PYTHON, script.toAbsolutePath().toString(),
                Integer.toString(port), BenchEnv.CORP, BenchEnv.TOKEN, BenchEnv.AES_KEY), work.resolve("reference"), Map.of())
                .awaitHttp(base(port) + "/health", START_TIMEOUT)) {
            return measure(name, port, PATH);
        }
    }

    /** Our ingress alone, with the broker (the {@code kafka} command) in a process of its own. */
    public Row ingress() throws Exception {
        int kafkaPort = ChildProcess.freePort();
        int port = ChildProcess.freePort();
        Path dir = work.resolve("ingress");
        progress.println("bench: our ingress on port " + port + ", kafka on " + kafkaPort + " (each its own process)");
        try (ChildProcess kafka = ChildProcess.start("kafka", command("kafka", "--port", Integer.toString(kafkaPort),
                "--data-dir", dir.resolve("data").toString()), dir, Map.of()).awaitPort(kafkaPort, START_TIMEOUT)) {
            Map<String, String> env = appEnv(port);
            env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + kafkaPort);
            try (ChildProcess ingress = ChildProcess.start("ingress", command("ingress"), dir, env)
                    .awaitHttp(base(port) + "/ready", START_TIMEOUT)) {
                return measure("our ingress, broker in its own process", port, PATH);
            }
        }
    }

    /** What the all-in-one part measured: its capacity (null when not run) and its saturated row (null likewise). */
    public record AllInOne(CapacityBench.Result capacity, Row row) {
    }

    /**
     * Our all-in-one (embedded broker, echo agent) as a child process, answering every callback to
     * a WeCom sandbox in this process; first its capacity, then the saturated row.
     */
    public AllInOne allInOne(boolean capacity, boolean row, int stepSeconds) throws Exception {
        // WeCom's per-user limits stay on: every callback comes from a user of its own.
        try (WeComApiSandbox wecom = new WeComApiSandbox(SandboxConfig.builder().host("127.0.0.1").port(0).build()).start()) {
            wecom.registerApp(BenchEnv.CORP, BenchEnv.SECRET, Integer.parseInt(BenchEnv.AGENT_ID));
            int port = ChildProcess.freePort();
            Path dir = work.resolve("all-in-one");
            Map<String, String> env = appEnv(port);
            env.put("WECOM_API_BASE", wecom.baseUrl());
            env.put("WECOM_PIPELINE_DATA_DIR", dir.resolve("data").toString());
            env.put("WECOM_PIPELINE_KAFKA_PORT", "0");
            env.put("AGENT", "echo");
            progress.println("bench: our all-in-one on port " + port + " (embedded broker, echo agent), WeCom sandbox at "
                    + wecom.baseUrl());
            try (ChildProcess aio = ChildProcess.start("all-in-one", command("all-in-one"), dir, env)
                    .awaitHttp(base(port) + "/ready", START_TIMEOUT)) {
                CapacityBench.Result cap = null;
                if (capacity) {
                    cap = new CapacityBench(new JvmLoad(launcher, 32), wecom, sim(port), dir, progress)
                            .run(base(port) + PATH, stepSeconds, seconds);
                }
                Row r = row ? measure("our all-in-one, worker and reply-service answering every callback", port, PATH) : null;
                return new AllInOne(cap, r);
            }
        }
    }

    private Row measure(String server, int port, String path) throws Exception {
        String base = base(port);
        progress.printf("  %s: warm-up until steady (callbacks, then GET /health), then %d s measured of each (%s)%n",
                server, seconds, load.describe());
        CallbackSimulator sim = sim(port);
        Path dir = Files.createDirectories(work.resolve("callbacks-" + port));
        // The callbacks first: they warm every path /health takes too (Jetty, Javalin), and more.
        WarmUp warm = warmUp(server, "callbacks", (run, lastRate) -> {
            // Each warm-up run signs its own callbacks (distinct ids, fresh timestamps), enough for
            // one and a half times the last run's rate.
            int lines = (int) Math.min(MAX_LINES, Math.max(MIN_LINES, lastRate * WARM_RUN_SECONDS * 1.5));
            Path file = SignedCallbackFile.write(dir.resolve("warm-" + run + ".txt"), sim, "warm" + run, lines);
            return load.post(base, path, file, lines, WARM_RUN_SECONDS);
        });
        warmUp(server, "GET /health", (run, lastRate) -> load.get(base + "/health", WARM_RUN_SECONDS));
        LoadResult health = load.get(base + "/health", seconds);
        // Enough distinct callbacks for the measured run at twice the warm-up's rate.
        int lines = (int) Math.min(MAX_LINES, Math.max(MIN_LINES, warm.last() * seconds * 2));
        progress.printf("  %s: %.0f GET /health/s; signing %d callbacks for the measured %d s%n", server,
                health.okPerSecond(), lines, seconds);
        Path file = SignedCallbackFile.write(dir.resolve("run.txt"), sim, "run", lines);
        LoadResult callbacks = load.post(base, path, file, lines, seconds);
        progress.printf("  %s: %.0f callbacks/s, p99 %.1f ms%s%n", server, callbacks.okPerSecond(), callbacks.p99Ms(),
                callbacks.allOk() ? "" : " (" + callbacks.non2xx() + " not 2xx, " + callbacks.errors() + " errors)");
        return new Row(server, health, callbacks, Math.max(warm.best(), callbacks.okPerSecond()), null);
    }

    /** What a warm-up saw: the rate of its last run and of its best. */
    private record WarmUp(double last, double best) {
    }

    /** One warm-up step: a run of {@link #WARM_RUN_SECONDS}, given its number and the rate of the run before (0 for the first). */
    private interface WarmRun {
        LoadResult run(int run, double lastRate) throws Exception;
    }

    /**
     * Runs {@code step} until its rate settles (or {@link #MAX_WARM_RUNS}): two runs in a row that
     * are no more than {@link #STEADY} above the best before them.
     */
    private WarmUp warmUp(String server, String what, WarmRun step) throws Exception {
        double last = 0;
        double best = 0;
        int flat = 0;
        List<String> rates = new ArrayList<>();
        for (int i = 0; i < MAX_WARM_RUNS; i++) {
            last = step.run(i, last).okPerSecond();
            rates.add(String.format("%.0f", last));
            flat = i > 0 && last <= best * (1 + STEADY) ? flat + 1 : 0;
            best = Math.max(best, last);
            if (flat >= 2) {
                break;
            }
        }
        progress.printf("  %s: %s warm-up, %d s runs: %s/s%n", server, what, WARM_RUN_SECONDS, String.join(", ", rates));
        return new WarmUp(last, best);
    }

    static CallbackSimulator sim(int port) {
        return new CallbackSimulator(base(port) + PATH, BenchEnv.TOKEN, BenchEnv.AES_KEY, BenchEnv.CORP, BenchEnv.AGENT_ID);
    }

    private static String base(int port) {
        return "http://127.0.0.1:" + port;
    }

    /** The one app both sides know: the reference is given the same corp id, token and key. */
    private static Map<String, String> appEnv(int port) {
        Map<String, String> env = new HashMap<>();
        env.put("WECOM_CALLBACK_CORP_ID", BenchEnv.CORP);
        env.put("WECOM_CALLBACK_CORP_SECRET", BenchEnv.SECRET);
        env.put("WECOM_CALLBACK_AGENT_ID", BenchEnv.AGENT_ID);
        env.put("WECOM_CALLBACK_TOKEN", BenchEnv.TOKEN);
        env.put("WECOM_CALLBACK_ENCODING_AES_KEY", BenchEnv.AES_KEY);
        env.put("WECOM_CALLBACK_ALLOW_ALL_USERS", "true");
        env.put("WECOM_CALLBACK_HOST", "127.0.0.1");
        env.put("WECOM_CALLBACK_PORT", Integer.toString(port));
        // The worker's and the reply-service's own ops ports: any free one, so nothing collides.
        env.put("WORKER_PORT", "0");
        env.put("REPLY_PORT", "0");
        return env;
    }

    private List<String> command(String... args) {
        List<String> c = new ArrayList<>(launcher);
        c.addAll(List.of(args));
        return c;
    }

    /** Whether Debian's python3 can import what the reference needs. */
    static boolean referenceInstalled() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import aiohttp, defusedxml, cryptography")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
