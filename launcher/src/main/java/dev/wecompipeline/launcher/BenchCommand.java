package dev.wecompipeline.launcher;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.wecompipeline.bench.IngressBench;
import dev.wecompipeline.bench.PipelineBench;
import dev.wecompipeline.bench.ReplyBench;
import dev.wecompipeline.bench.WorkerScalingBench;
import dev.wecompipeline.config.KafkaConfig;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.kafka.embedded.EmbeddedKafkaBroker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wecom-pipeline bench}: the benchmark suite. Every figure is reported next to a baseline
 * measured in the same run, so the numbers mean something on any machine.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = {
                "Runs the benchmarks and prints a table; writes a JSON report.",
                "Uses an embedded broker in a temporary directory unless KAFKA_BOOTSTRAP_SERVERS is set."})
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--report", defaultValue = "bench-report.json", description = "JSON report file (default ${DEFAULT-VALUE}).")
    Path report;

    @Option(names = "--worker-concurrency", split = ",", defaultValue = "16,64,256",
            description = "Worker scaling: concurrency levels (default ${DEFAULT-VALUE}).")
    List<Integer> workerConcurrency;

    @Option(names = "--worker-messages", defaultValue = "1000", description = "Worker scaling: messages (default ${DEFAULT-VALUE}).")
    int workerMessages;

    @Option(names = "--worker-users", defaultValue = "200", description = "Worker scaling: users (default ${DEFAULT-VALUE}).")
    int workerUsers;

    @Option(names = "--worker-agent-ms", defaultValue = "1000", description = "Worker scaling: agent time per message (default ${DEFAULT-VALUE}).")
    int workerAgentMs;

    @Option(names = "--worker-partitions", defaultValue = "4", description = "Worker scaling: partitions (default ${DEFAULT-VALUE}).")
    int workerPartitions;

    @Option(names = "--only", split = ",", description = "Run only these: ingress, pipeline, worker, reply (default: all).")
    List<String> only;

    @Option(names = "--ingress-seconds", defaultValue = "10", description = "Ingress: seconds per measurement (default ${DEFAULT-VALUE}).")
    int ingressSeconds;

    @Option(names = "--ingress-rate", defaultValue = "1000", description = "Ingress: fixed offered rate for ack latency (default ${DEFAULT-VALUE}).")
    int ingressRate;

    private boolean runs(String scenario) {
        return only == null || only.contains(scenario);
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        String external = System.getenv(KafkaConfig.BOOTSTRAP_SERVERS.env());
        Path tmp = Files.createTempDirectory("wecom-bench");
        try (EmbeddedKafkaBroker broker = external == null || external.isBlank()
                ? new EmbeddedKafkaBroker(tmp.resolve("kafka"), 0).start() : null) {
            String bootstrap = broker != null ? broker.bootstrapServers() : external;
            out.println("bench: Kafka at " + bootstrap + (broker != null ? " (embedded)" : ""));
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(),
                    "java", System.getProperty("java.version"), "os", System.getProperty("os.name")));

            List<String> tables = new ArrayList<>();
            if (runs("ingress")) {
                out.printf("bench: ingress, %d s per measurement, 64 connections%n", ingressSeconds);
                IngressBench.Result r = new IngressBench(bootstrap, out).run(Duration.ofSeconds(ingressSeconds), 64, ingressRate);
                json.put("ingress", r);
                tables.add(String.format("| ingress | valid callbacks/s (verify, decrypt, durable publish) | %.0f |%n"
                        + "| ingress | GET /health/s, same server, same client (baseline) | %.0f |%n"
                        + "| ingress | callbacks ÷ health | %.2f |%n"
                        + "| ingress | ack latency at %d/s: p50 / p99 / p99.9 ms | %.1f / %.1f / %.1f |%n",
                        r.callbacksPerSecond(), r.healthPerSecond(), r.ratio(), r.fixedRate(), r.p50Ms(), r.p99Ms(), r.p999Ms()));
            }
            if (runs("pipeline")) {
                out.println("bench: pipeline overhead, callback -> message/send at the sandbox, echo agent without delay");
                PipelineBench.Result r = new PipelineBench(bootstrap, out).run(200, 20);
                json.put("pipeline", r);
                tables.add(String.format("| pipeline | callback -> WeCom accepted, %d round trips at 20/s: p50 / p99 / max ms | %.0f / %.0f / %d |%n",
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
                StringBuilder t = new StringBuilder();
                for (WorkerScalingBench.Result r : results) {
                    t.append(String.format("| worker | concurrency %d, %d partitions: msgs/s (ideal %.0f) | %.1f (%.0f%% of ideal) |%n",
                            r.concurrency(), r.partitions(), r.idealPerSecond(), r.perSecond(), r.ofIdeal() * 100));
                }
                tables.add(t.toString());
            }
            if (runs("reply")) {
                out.println("bench: reply delivery to the sandbox, 1000 replies to 100 users");
                ReplyBench bench = new ReplyBench(bootstrap, out);
                ReplyBench.Result clean = bench.run("no faults", 1000, 100, 0.0);
                ReplyBench.Result busy = bench.run("30% -1", 1000, 100, 0.3);
                json.put("reply", List.of(clean, busy));
                tables.add(String.format("| reply | delivered/s, WeCom answering every send (baseline) | %.0f (%d sends) |%n"
                        + "| reply | delivered/s, 30%% of sends answered -1 and retried | %.0f (%d sends, %.2f of baseline) |%n",
                        clean.perSecond(), clean.sendCalls(), busy.perSecond(), busy.sendCalls(), busy.perSecond() / clean.perSecond()));
            }
            out.println();
            out.println("| part | measurement | result |");
            out.println("|---|---|---:|");
            tables.forEach(out::print);
            Files.writeString(report, JsonSerde.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json));
            out.println("bench: report written to " + report.toAbsolutePath());
        } finally {
            dev.wecompipeline.launcher.TemporaryDirectories.deleteQuietly(tmp);
        }
        return 0;
    }
}
