package dev.wecompipeline.launcher;

import java.io.File;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import dev.wecompipeline.bench.CapacityBench;
import dev.wecompipeline.bench.ClosedLoopLoad;
import dev.wecompipeline.bench.JvmLoad;
import dev.wecompipeline.bench.PipelineBench;
import dev.wecompipeline.bench.ReplyBench;
import dev.wecompipeline.bench.SideBySideBench;
import dev.wecompipeline.bench.SideBySideTable;
import dev.wecompipeline.bench.WorkerScalingBench;
import dev.wecompipeline.bench.Wrk;
import dev.wecompipeline.config.KafkaConfig;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.kafka.embedded.EmbeddedKafkaBroker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wecom-pipeline bench}: the benchmark suite. First the side-by-side table (the reference
 * gateway, our ingress, our all-in-one and its end-to-end capacity, each a process of its own driven
 * by a load generator in another process), then the pipeline, worker and reply scenarios on an
 * embedded broker in this JVM. Every figure stands next to a baseline measured in the same run.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        subcommands = BenchLoadCommand.class,
        description = {
                "Runs the benchmarks (about 8 minutes) and prints two tables; writes a JSON report.",
                "The side-by-side rows start their servers as child processes from this jar and load them with wrk",
                "(or `bench load`, the JVM load generator in its own process, when wrk is not installed).",
                "The pipeline, worker and reply scenarios use an embedded broker unless KAFKA_BOOTSTRAP_SERVERS is set."})
final class BenchCommand implements Callable<Integer> {

    static final List<String> SCENARIOS = List.of("reference", "ingress", "all-in-one", "capacity", "pipeline", "worker",
            "reply");

    @Option(names = "--report", defaultValue = "bench-report.json", description = "JSON report file (default ${DEFAULT-VALUE}).")
    Path report;

    @Option(names = "--only", split = ",",
            description = "Run only these: reference, ingress, all-in-one, capacity, pipeline, worker, reply (default: all).")
    List<String> only;

    @Option(names = "--seconds", defaultValue = "8",
            description = "Side by side: seconds per measured run, each after a warm-up (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--capacity-step-seconds", defaultValue = "5",
            description = "Capacity: seconds per offered rate (default ${DEFAULT-VALUE}).")
    int capacityStepSeconds;

    @Option(names = "--reference", defaultValue = "../shared/anchors/hermes_like_ingress.py",
            description = "The reference gateway's hot path, run with /usr/bin/python3 (default ${DEFAULT-VALUE}).")
    Path reference;

    @Option(names = "--load", defaultValue = "auto",
            description = "Side by side load generator: auto (wrk when installed), wrk, jvm (default ${DEFAULT-VALUE}).")
    String loadGenerator;

    @Option(names = "--connections", defaultValue = "32", description = "Side by side: connections (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--worker-concurrency", split = ",", defaultValue = "16,64,256",
            description = "Worker scaling: concurrency levels (default ${DEFAULT-VALUE}).")
    List<Integer> workerConcurrency;

    @Option(names = "--worker-messages", defaultValue = "500", description = "Worker scaling: messages (default ${DEFAULT-VALUE}).")
    int workerMessages;

    @Option(names = "--worker-users", defaultValue = "200", description = "Worker scaling: users (default ${DEFAULT-VALUE}).")
    int workerUsers;

    @Option(names = "--worker-agent-ms", defaultValue = "1000", description = "Worker scaling: agent time per message (default ${DEFAULT-VALUE}).")
    int workerAgentMs;

    @Option(names = "--worker-partitions", defaultValue = "4", description = "Worker scaling: partitions (default ${DEFAULT-VALUE}).")
    int workerPartitions;

    private boolean runs(String scenario) {
        return only == null || only.contains(scenario);
    }

    @Override
    public Integer call() throws Exception {
        if (only != null && !SCENARIOS.containsAll(only)) {
            throw new IllegalArgumentException("--only takes " + String.join(", ", SCENARIOS) + "; got " + only);
        }
        PrintStream out = System.out;
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(),
                "java", System.getProperty("java.version"), "os", System.getProperty("os.name")));
        Path tmp = Files.createTempDirectory("wecom-bench");
        try {
            String sideBySide = sideBySide(out, tmp, json);
            String scenarios = inJvmScenarios(out, tmp, json);
            out.println();
            if (sideBySide != null) {
                out.print(sideBySide);
                out.println();
            }
            if (scenarios != null) {
                out.println("| part | measurement | result |");
                out.println("|---|---|---:|");
                out.print(scenarios);
            }
            Files.writeString(report, JsonSerde.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json));
            out.println("bench: report written to " + report.toAbsolutePath());
        } finally {
            TemporaryDirectories.deleteQuietly(tmp);
        }
        return 0;
    }

    /** The reference, ingress, all-in-one and capacity rows, each server a child process; null when none runs. */
    private String sideBySide(PrintStream out, Path tmp, Map<String, Object> json) throws Exception {
        if (!(runs("reference") || runs("ingress") || runs("all-in-one") || runs("capacity"))) {
            return null;
        }
        List<String> launcher = launcherCommand();
        ClosedLoopLoad load = closedLoopLoad(launcher);
        out.println("bench: side by side, load from " + load.describe() + ", " + seconds + " s per run after a warm-up");
        SideBySideBench bench = new SideBySideBench(launcher, load, tmp.resolve("side-by-side"), seconds, out);
        List<SideBySideBench.Row> rows = new ArrayList<>();
        SideBySideBench.Row ref = null;
        if (runs("reference")) {
            ref = orFailed(out, "the reference gateway's hot path", () -> bench.reference(reference));
            rows.add(ref);
        }
        if (runs("ingress")) {
            rows.add(orFailed(out, "our ingress, broker in its own process", bench::ingress));
        }
        CapacityBench.Result capacity = null;
        if (runs("all-in-one") || runs("capacity")) {
            try {
                SideBySideBench.AllInOne aio = bench.allInOne(runs("capacity"), runs("all-in-one"), capacityStepSeconds);
                capacity = aio.capacity();
                if (aio.row() != null) {
                    rows.add(aio.row());
                }
            } catch (Exception e) {
                out.println("bench: all-in-one failed: " + e.getMessage());
                rows.add(SideBySideBench.Row.skipped("our all-in-one", "failed: " + firstLine(e)));
            }
        }
        json.put("sideBySide", Map.of("load", load.describe(), "rows", rows));
        if (capacity != null) {
            json.put("capacity", capacity);
        }
        return SideBySideTable.format(rows, capacity, ref, load.describe() + "; " + seconds + " s per run after a warm-up "
                + "(5 s runs until the rate settles, at most 20); distinct validly signed callbacks, each from its own user; capacity: paced steps of "
                + capacityStepSeconds + " s from `bench load` in its own process");
    }

    /** A row that failed (a server that would not start, a load generator that broke) says so; the others still run. */
    private static SideBySideBench.Row orFailed(PrintStream out, String server, Callable<SideBySideBench.Row> row) {
        try {
            return row.call();
        } catch (Exception e) {
            out.println("bench: " + server + " failed: " + e.getMessage());
            return SideBySideBench.Row.skipped(server, "failed: " + firstLine(e));
        }
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).replace('|', '/');
    }

    private ClosedLoopLoad closedLoopLoad(List<String> launcher) {
        Optional<Wrk> wrk = Wrk.find(connections);
        return switch (loadGenerator) {
            case "wrk" -> wrk.orElseThrow(() -> new IllegalArgumentException("--load wrk: wrk is not on the PATH"));
            case "jvm" -> new JvmLoad(launcher, connections);
            case "auto" -> wrk.<ClosedLoopLoad>map(w -> w).orElseGet(() -> {
                System.out.println("bench: wrk is not installed (apt-get install wrk); falling back to `bench load`, "
                        + "the JVM load generator, in a process of its own");
                return new JvmLoad(launcher, connections);
            });
            default -> throw new IllegalArgumentException("--load takes auto, wrk or jvm; got " + loadGenerator);
        };
    }

    /** This jar's Main run by this JVM's java: the children are the same build as the bench. */
    static List<String> launcherCommand() {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Absolute entries: the children run in scratch directories, where a relative jar path finds nothing.
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(e -> Path.of(e).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
        return List.of(java, "-cp", classPath, Main.class.getName());
    }

    /** The pipeline, worker and reply scenarios on a broker in this JVM (or KAFKA_BOOTSTRAP_SERVERS); null when none runs. */
    private String inJvmScenarios(PrintStream out, Path tmp, Map<String, Object> json) throws Exception {
        if (!(runs("pipeline") || runs("worker") || runs("reply"))) {
            return null;
        }
        String external = System.getenv(KafkaConfig.BOOTSTRAP_SERVERS.env());
        try (EmbeddedKafkaBroker broker = external == null || external.isBlank()
                ? new EmbeddedKafkaBroker(tmp.resolve("kafka"), 0).start() : null) {
            String bootstrap = broker != null ? broker.bootstrapServers() : external;
            out.println("bench: Kafka at " + bootstrap + (broker != null ? " (embedded)" : ""));
            StringBuilder tables = new StringBuilder();
            if (runs("pipeline")) {
                out.println("bench: pipeline overhead, callback -> message/send at the sandbox, echo agent without delay");
                PipelineBench.Result r = new PipelineBench(bootstrap, out).run(200, 20);
                json.put("pipeline", r);
                tables.append(String.format("| pipeline | callback -> WeCom accepted, %d round trips at 20/s: p50 / p99 / max ms | %.0f / %.0f / %d |%n",
                        r.messages(), r.p50Ms(), r.p99Ms(), (long) r.maxMs()));
            }
            if (runs("worker")) {
                out.printf("bench: worker scaling, %d messages from %d users, %d ms agent, %d partitions%n",
                        workerMessages, workerUsers, workerAgentMs, workerPartitions);
                WorkerScalingBench workerBench = new WorkerScalingBench(bootstrap, out);
                List<WorkerScalingBench.Result> results = new ArrayList<>();
                for (int c : workerConcurrency) {
                    results.add(workerBench.run(c, workerMessages, workerUsers, Duration.ofMillis(workerAgentMs), workerPartitions));
                }
                json.put("workerScaling", results);
                for (WorkerScalingBench.Result r : results) {
                    tables.append(String.format("| worker | concurrency %d, %d partitions: msgs/s (ideal %.0f) | %.1f (%.0f%% of ideal) |%n",
                            r.concurrency(), r.partitions(), r.idealPerSecond(), r.perSecond(), r.ofIdeal() * 100));
                }
            }
            if (runs("reply")) {
                out.println("bench: reply delivery to the sandbox, 1000 replies to 100 users");
                ReplyBench bench = new ReplyBench(bootstrap, out);
                ReplyBench.Result clean = bench.run("no faults", 1000, 100, 0.0);
                ReplyBench.Result busy = bench.run("30% -1", 1000, 100, 0.3);
                json.put("reply", List.of(clean, busy));
                tables.append(String.format("| reply | delivered/s, WeCom answering every send (baseline) | %.0f (%d sends) |%n"
                        + "| reply | delivered/s, 30%% of sends answered -1 and retried | %.0f (%d sends, %.2f of baseline) |%n",
                        clean.perSecond(), clean.sendCalls(), busy.perSecond(), busy.sendCalls(), busy.perSecond() / clean.perSecond()));
            }
            return tables.toString();
        }
    }
}
