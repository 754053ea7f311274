package dev.wecompipeline.launcher;

import java.util.concurrent.Callable;

import dev.wecompipeline.config.PipelineConfig;
import picocli.CommandLine.Command;

/** {@code wecom-pipeline topics}: creates the pipeline's topics when missing, then exits (compose's one-shot). */
@Command(name = "topics",
        mixinStandardHelpOptions = true,
        description = {
                "Creates the pipeline's topics on KAFKA_BOOTSTRAP_SERVERS when missing",
                "(KAFKA_TOPIC_PARTITIONS, KAFKA_TOPIC_RETENTION_HOURS), then exits."})
final class TopicsCommand implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        PipelineConfig config = Launch.loadConfig();
        Launch.ensureTopics(config, Launch.requireExternalKafka(config));
        return 0;
    }
}
