package dev.wecompipeline.launcher;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

/** {@code wecom-pipeline all-in-one}: ingress, worker and reply-service in one JVM, on an embedded broker. */
@Command(name = "all-in-one",
        mixinStandardHelpOptions = true,
        description = {
                "Runs ingress + agent-worker + reply-service in one JVM.",
                "Uses an embedded Kafka broker (data under $WECOM_PIPELINE_DATA_DIR/kafka)",
                "unless KAFKA_BOOTSTRAP_SERVERS is set. Stops cleanly on SIGTERM."})
final class AllInOneCommand implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        ShutdownSignal signal = ShutdownSignal.install();
        try (PipelineRuntime runtime = PipelineRuntime.start(ServiceStartup.loadConfig(), signal::fail)) {
            signal.await();
        }
        return signal.exitCode();
    }
}
