package dev.wecompipeline.launcher;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.kafka.embedded.EmbeddedKafkaBroker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wecom-pipeline kafka}: only the embedded single-node KRaft broker, for running the
 * services as separate processes on one machine without Docker.
 */
@Command(name = "kafka",
        mixinStandardHelpOptions = true,
        description = {
                "Runs the embedded single-node Kafka broker (KRaft) until SIGTERM.",
                "Storage lives under <data-dir>/kafka and survives restarts.",
                "Point the services at it with KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:<port>."})
final class KafkaCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaCommand.class);

    @Option(names = "--data-dir", defaultValue = "${env:" + PipelineConfig.DATA_DIR_ENV + ":-./data}",
            description = "Local state directory (env WECOM_PIPELINE_DATA_DIR, default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--port", defaultValue = "${env:" + PipelineConfig.KAFKA_PORT_ENV + ":-9092}",
            description = "Client port (env WECOM_PIPELINE_KAFKA_PORT, default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = EmbeddedKafkaBroker.DEFAULT_HOST,
            description = "Address to bind and advertise (default ${DEFAULT-VALUE}).")
    String host;

    @Override
    public Integer call() throws Exception {
        ShutdownSignal signal = ShutdownSignal.install();
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dataDir.resolve("kafka"), host, port, java.util.Map.of())) {
            broker.start();
            LOG.info("kafka: ready, bootstrap servers {}", broker.bootstrapServers());
            signal.await();
        }
        LOG.info("kafka: stopped");
        return 0;
    }
}
