package dev.wecompipeline.doctor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.wecompipeline.config.KafkaConfig;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.kafka.KafkaAccessFailure;
import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.KafkaConnection;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Kafka as the pipeline needs it: reachable, every topic present with the configured partitions
 * and replicated as the cluster allows ({@link ReplicationChecks}), and the worker and reply
 * consumer groups keeping up.
 *
 * <p>With no {@code KAFKA_BOOTSTRAP_SERVERS} the pipeline runs an embedded broker inside
 * {@code all-in-one}; the doctor then looks for it on {@code 127.0.0.1:$WECOM_PIPELINE_KAFKA_PORT}.
 */
public final class KafkaChecks {

    static final String REACH = "kafka";
    static final String TOPICS = "kafka topics";

    private KafkaChecks() {
    }

    /** Where the pipeline's broker is: the configured cluster, else a running all-in-one's embedded broker. */
    static String bootstrap(PipelineConfig config) {
        return config.kafka().usesEmbeddedBroker() ? "127.0.0.1:" + config.kafkaPort() : config.kafka().bootstrapServers();
    }

    public static List<DoctorCheck> run(PipelineConfig config, Duration timeout, long maxLag) {
        String bootstrap = bootstrap(config);
        KafkaConnection kafka = KafkaConnection.of(bootstrap, config.kafka());
        List<DoctorCheck> checks = new ArrayList<>();
        Map<String, Object> settings = KafkaClientSettings.admin(kafka, "wecom-pipeline-doctor");
        // Answer within the doctor's timeout instead of retrying for a minute.
        int ms = (int) timeout.toMillis();
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        settings.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        try (Admin admin = Admin.create(settings)) {
            int brokers;
            try {
                brokers = admin.describeCluster().nodes().get(ms, TimeUnit.MILLISECONDS).size();
                checks.add(DoctorCheck.pass(REACH, kafka + " reachable (" + brokers + " broker(s))"));
            } catch (ExecutionException e) {
                checks.add(KafkaAccessFailure.of(e, kafka).map(f -> accessFailure(REACH, f))
                        .orElseGet(() -> unreachable(config, bootstrap, timeout, e.getCause().getMessage())));
                return checks;
            } catch (TimeoutException e) {
                checks.add(unreachable(config, bootstrap, timeout, null));
                return checks;
            }
            checks.add(topics(admin, config.kafka(), kafka, ms));
            checks.addAll(replication(admin, config.kafka(), brokers, timeout));
            checks.add(lag(admin, kafka, "lag worker", config.worker().groupId(), config.kafka().inboundTopic(), ms, maxLag,
                    "bin/wecom-pipeline worker"));
            checks.add(lag(admin, kafka, "lag reply", config.reply().groupId(), config.kafka().repliesTopic(), ms, maxLag,
                    "bin/wecom-pipeline reply"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            checks.add(DoctorCheck.fail(REACH, "interrupted", "run doctor again"));
        }
        return checks;
    }

    /** A secured cluster turned the doctor away: which of credentials, ACLs or TLS, and the fix. */
    static DoctorCheck accessFailure(String name, KafkaAccessFailure failure) {
        return DoctorCheck.fail(name, failure.kind().label() + ": " + failure.detail(), failure.fix());
    }

    private static DoctorCheck unreachable(PipelineConfig config, String bootstrap, Duration timeout, String error) {
        String secured = config.kafka().clientProperties().isEmpty() ? ""
                : "; if the listener is secured, check that security.protocol matches it";
        return DoctorCheck.fail(REACH, "no answer from " + bootstrap + " within " + timeout.toSeconds() + " s"
                        + (error == null ? "" : " (" + error + ")"),
                config.kafka().usesEmbeddedBroker()
                        ? "start the pipeline (bin/wecom-pipeline all-in-one runs its own broker on port "
                        + config.kafkaPort() + "), or set " + KafkaConfig.BOOTSTRAP_SERVERS.env() + " to your cluster"
                        : "start the broker, or correct " + KafkaConfig.BOOTSTRAP_SERVERS.env()
                        + " (host:port as the clients can reach it; check advertised.listeners)" + secured);
    }

    private static DoctorCheck topics(Admin admin, KafkaConfig kafka, KafkaConnection connection, int ms)
            throws InterruptedException {
        List<String> names = List.of(kafka.inboundTopic(), kafka.repliesTopic(), kafka.repliesDlqTopic(),
                kafka.inboundDlqTopic(), kafka.sessionsTopic(), kafka.deliveredTopic());
        List<String> missing = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        for (var entry : admin.describeTopics(names).topicNameValues().entrySet()) {
            try {
                TopicDescription d = entry.getValue().get(ms, TimeUnit.MILLISECONDS);
                if (d.partitions().size() != kafka.partitions()) {
                    wrong.add(entry.getKey() + " has " + d.partitions().size());
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    missing.add(entry.getKey());
                } else {
                    return KafkaAccessFailure.of(e, connection).map(f -> accessFailure(TOPICS, f)).orElseGet(() ->
                            DoctorCheck.fail(TOPICS, "cannot describe " + entry.getKey() + ": " + e.getCause().getMessage(),
                                    "check the doctor's access rights on the cluster (Describe on topics)"));
                }
            } catch (TimeoutException e) {
                return DoctorCheck.fail(TOPICS, "describing " + entry.getKey() + " timed out", "check the cluster's health");
            }
        }
        if (!missing.isEmpty()) {
            return DoctorCheck.fail(TOPICS, "missing: " + String.join(", ", missing),
                    "run `bin/wecom-pipeline topics` (every service also creates missing topics when it starts)");
        }
        if (!wrong.isEmpty()) {
            return DoctorCheck.fail(TOPICS, String.join(", ", wrong) + " partitions, " + KafkaConfig.PARTITIONS.env() + " says "
                    + kafka.partitions(), "set " + KafkaConfig.PARTITIONS.env() + " to the topics' real count, or grow them "
                    + "with kafka-topics.sh --alter --partitions (keys then move: only with the pipeline stopped and drained)");
        }
        return DoctorCheck.pass(TOPICS, names.size() + " topics, " + kafka.partitions() + " partitions each");
    }

    /** The pipeline's topics and Kafka's internal ones, against what a cluster of this size can give. */
    private static List<DoctorCheck> replication(Admin admin, KafkaConfig kafka, int brokers, Duration timeout)
            throws InterruptedException {
        List<String> names = new ArrayList<>(List.of(kafka.inboundTopic(), kafka.repliesTopic(), kafka.repliesDlqTopic(),
                kafka.inboundDlqTopic(), kafka.sessionsTopic(), kafka.deliveredTopic()));
        names.addAll(ReplicationChecks.INTERNAL_TOPICS);
        try {
            return ReplicationChecks.checks(brokers, ReplicationChecks.describe(admin, names, timeout));
        } catch (ExecutionException e) {
            return List.of(DoctorCheck.warn(ReplicationChecks.NAME, "cannot read the topics' replication: "
                    + e.getCause().getMessage(), "check the doctor's access rights (Describe and DescribeConfigs on topics)"));
        } catch (TimeoutException e) {
            return List.of(DoctorCheck.warn(ReplicationChecks.NAME, "reading the topics' replication timed out",
                    "check the cluster's health"));
        }
    }

    /**
     * Records the group has not processed yet: log-end offsets (read_committed, as the consumers
     * read) minus committed offsets, summed over the topic's partitions.
     */
    private static DoctorCheck lag(Admin admin, KafkaConnection connection, String name, String group, String topic, int ms, long maxLag, String start)
            throws InterruptedException {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = committed(admin, group, ms);
            TopicDescription d;
            try {
                d = admin.describeTopics(List.of(topic)).topicNameValues().get(topic).get(ms, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    return DoctorCheck.pass(name, "group " + group + ": topic " + topic + " not there yet (see kafka topics)");
                }
                throw e;
            }
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            d.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(ms, TimeUnit.MILLISECONDS);
            long lag = 0;
            for (var end : ends.entrySet()) {
                OffsetAndMetadata c = committed.get(end.getKey());
                lag += Math.max(0, end.getValue().offset() - (c == null ? 0 : c.offset()));
            }
            int members = members(admin, group, ms);
            String detail = "group " + group + " on " + topic + ": lag " + lag + ", " + members + " member(s)";
            if (lag > 0 && members == 0) {
                return DoctorCheck.fail(name, detail + "; nothing is consuming", "start a consumer of the group ("
                        + start + ", or bin/wecom-pipeline all-in-one)");
            }
            if (lag > maxLag) {
                return DoctorCheck.fail(name, detail + " (over --max-lag " + maxLag + ")", "add consumers ("
                        + start + "; up to the partition count) and check their log for errors");
            }
            return DoctorCheck.pass(name, detail);
        } catch (ExecutionException e) {
            return KafkaAccessFailure.of(e, connection).map(f -> accessFailure(name, f)).orElseGet(() ->
                    DoctorCheck.fail(name, "cannot read offsets of " + group + ": " + e.getCause().getMessage(),
                            "check the doctor's access rights on the cluster (Describe on groups and topics)"));
        } catch (TimeoutException e) {
            return DoctorCheck.fail(name, "reading offsets of " + group + " timed out", "check the cluster's health");
        }
    }

    /** Committed offsets of {@code group}; none for a group that never committed (or does not exist). */
    private static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin, String group, int ms)
            throws InterruptedException, ExecutionException, TimeoutException {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(ms, TimeUnit.MILLISECONDS);
            Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
            offsets.forEach((tp, o) -> {
                if (o != null) {
                    out.put(tp, o);
                }
            });
            return out;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return Map.of();
            }
            throw e;
        }
    }

    /** Live members of {@code group}; 0 when the group does not exist (yet). */
    private static int members(Admin admin, String group, int ms)
            throws InterruptedException, ExecutionException, TimeoutException {
        try {
            ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get(ms, TimeUnit.MILLISECONDS);
            return g.members().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return 0;
            }
            throw e;
        }
    }
}
