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

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        String external = System.getenv(KafkaConfig.BOOTSTRAP_SERVERS_ENV);
        Path tmp = Files.createTempDirectory("wecom-bench");
        try (EmbeddedKafkaBroker broker = external == null || external.isBlank()
                ? new EmbeddedKafkaBroker(tmp.resolve("kafka"), 0).start() : null) {
            String bootstrap = broker != null ? broker.bootstrapServers() : external;
            out.println("bench: Kafka at " + bootstrap + (broker != null ? " (embedded)" : ""));
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(),
                    "java", System.getProperty("java.version"), "os", System.getProperty("os.name")));

            out.printf("bench: worker scaling, %d messages from %d users, %d ms agent, %d partitions%n",
                    workerMessages, workerUsers, workerAgentMs, workerPartitions);
            WorkerScalingBench workerBench = new WorkerScalingBench(bootstrap, out);
            List<WorkerScalingBench.Result> results = new ArrayList<>();
            for (int c : workerConcurrency) {
                results.add(workerBench.run(c, workerMessages, workerUsers, Duration.ofMillis(workerAgentMs), workerPartitions));
            }
            json.put("workerScaling", results);

            out.println();
            out.println("| worker concurrency | partitions | messages | seconds | msgs/s | ideal msgs/s | of ideal |");
            out.println("|---:|---:|---:|---:|---:|---:|---:|");
            for (WorkerScalingBench.Result r : results) {
                out.printf("| %d | %d | %d | %.2f | %.1f | %.1f | %.0f%% |%n", r.concurrency(), r.partitions(),
                        r.messages(), r.seconds(), r.perSecond(), r.idealPerSecond(), r.ofIdeal() * 100);
            }
            Files.writeString(report, JsonSerde.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json));
            out.println("bench: report written to " + report.toAbsolutePath());
        } finally {
            dev.wecompipeline.launcher.Files2.deleteQuietly(tmp);
        }
        return 0;
    }
}
