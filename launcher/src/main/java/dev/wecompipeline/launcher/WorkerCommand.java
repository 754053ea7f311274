package dev.wecompipeline.launcher;

import java.util.concurrent.Callable;

import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.worker.WorkerService;
import dev.wecompipeline.worker.WorkerRuntimeOptions;
import dev.wecompipeline.worker.agent.Agents;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine.Command;

/** {@code wecom-pipeline worker}: one agent-worker process of the consumer group. */
@Command(name = "worker",
        mixinStandardHelpOptions = true,
        description = {
                "Runs one agent worker: wecom.inbound in, agent, wecom.replies out.",
                "Needs KAFKA_BOOTSTRAP_SERVERS; AGENT=echo|openai|command chooses the agent.",
                "Start more processes to scale; /health, /ready, /metrics on WORKER_PORT (8646)."})
final class WorkerCommand implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        ShutdownSignal signal = ShutdownSignal.install();
        PipelineConfig config = ServiceStartup.loadConfig();
        String bootstrap = ServiceStartup.requireExternalKafka(config);
        ServiceStartup.ensureTopics(config, bootstrap);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (WorkerService worker = new WorkerService(config, bootstrap,
                WorkerRuntimeOptions.from(config, WorkerService.defaultInstanceId()), Agents.create(config), registry, true,
                signal::fail)
                .start()) {
            signal.await();
        }
        return signal.exitCode();
    }
}
