package dev.wecompipeline.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.wecompipeline.config.KafkaConfig;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.doctor.ReplicationChecks;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

/**
 * {@code wecom-pipeline topics}: creates the pipeline's topics when missing, then exits (compose's
 * one-shot). Then it warns, each with its fix, about topics replicated below what the cluster
 * could give or with a {@code min.insync.replicas} that makes {@code acks=all} meaningless or lets
 * one broker down block writes ({@link ReplicationChecks}); warnings do not change the exit code.
 */
@Command(name = "topics",
        mixinStandardHelpOptions = true,
        description = {
                "Creates the pipeline's topics on KAFKA_BOOTSTRAP_SERVERS when missing",
                "(KAFKA_TOPIC_PARTITIONS, KAFKA_TOPIC_REPLICATION_FACTOR, KAFKA_TOPIC_RETENTION_HOURS), then exits.",
                "Warns when a topic's replication or min.insync.replicas does not fit the cluster."})
final class TopicsCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(TopicsCommand.class);

    @Override
    public Integer call() throws Exception {
        PipelineConfig config = ServiceStartup.loadConfig();
        String bootstrap = ServiceStartup.requireExternalKafka(config);
        ServiceStartup.ensureTopics(config, bootstrap);
        warnAboutReplication(config.kafka(), bootstrap);
        return 0;
    }

    private static void warnAboutReplication(KafkaConfig kafka, String bootstrap) throws InterruptedException {
        List<String> names = new ArrayList<>(List.of(kafka.inboundTopic(), kafka.repliesTopic(), kafka.repliesDlqTopic(),
                kafka.inboundDlqTopic(), kafka.sessionsTopic(), kafka.deliveredTopic()));
        names.addAll(ReplicationChecks.INTERNAL_TOPICS);
        try (Admin admin = Admin.create(KafkaClientSettings.admin(bootstrap, "wecom-pipeline-topics"))) {
            int brokers = admin.describeCluster().nodes().get(ServiceStartup.TOPIC_TIMEOUT.toMillis(),
                    java.util.concurrent.TimeUnit.MILLISECONDS).size();
            List<ReplicationChecks.Finding> findings =
                    ReplicationChecks.findings(brokers, ReplicationChecks.describe(admin, names, ServiceStartup.TOPIC_TIMEOUT));
            for (ReplicationChecks.Finding f : findings) {
                LOG.warn("topics: {}; fix: {}", f.detail(), f.fix());
            }
            if (findings.isEmpty()) {
                LOG.info("topics: replication fits a cluster of {} broker(s)", brokers);
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // The topics exist; not being able to read their settings is no reason to fail the one-shot.
            LOG.warn("topics: could not check replication: {}", e.getCause() == null ? e : e.getCause().getMessage());
        }
    }
}
