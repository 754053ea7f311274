package dev.wecompipeline.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.wecompipeline.config.KafkaConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the pipeline's topics when they are missing, with the configured partitions and
 * retention. Existing topics are left as they are: an operator may have tuned them.
 */
public final class Topics {

    private static final Logger LOG = LoggerFactory.getLogger(Topics.class);

    private Topics() {
    }

    /** The topics the pipeline needs, with their settings. */
    public static List<NewTopic> required(KafkaConfig kafka) {
        String retentionMs = Long.toString(kafka.retention().toMillis());
        Map<String, String> retained = Map.of(TopicConfig.RETENTION_MS_CONFIG, retentionMs,
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(Math.min(2, kafka.replicationFactor())));
        // Compacted topics keep the latest value per key for as long as the key lives.
        Map<String, String> compacted = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(Math.min(2, kafka.replicationFactor())));
        List<NewTopic> topics = new ArrayList<>();
        for (String name : List.of(kafka.inboundTopic(), kafka.repliesTopic(), kafka.repliesDlqTopic(),
                kafka.inboundDlqTopic())) {
            topics.add(new NewTopic(name, kafka.partitions(), kafka.replicationFactor()).configs(retained));
        }
        topics.add(new NewTopic(kafka.sessionsTopic(), kafka.partitions(), kafka.replicationFactor()).configs(compacted));
        // Markers have unique keys, so compaction alone keeps them forever; after twice the replies'
        // retention their replies can never be polled again, and they are deleted.
        Map<String, String> markers = Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(kafka.retention().toMillis() * 2),
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(Math.min(2, kafka.replicationFactor())));
        topics.add(new NewTopic(kafka.deliveredTopic(), kafka.partitions(), kafka.replicationFactor()).configs(markers));
        return topics;
    }

    /**
     * Creates whichever of {@link #required} topics do not exist yet.
     *
     * @return the names created by this call
     */
    public static Set<String> ensure(Admin admin, KafkaConfig kafka, Duration timeout)
            throws InterruptedException, TimeoutException {
        try {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = required(kafka).stream().filter(t -> !existing.contains(t.name())).toList();
            if (missing.isEmpty()) {
                return Set.of();
            }
            try {
                admin.createTopics(missing).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                // Another service created it at the same moment: that is the state we wanted.
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            Set<String> created = new java.util.TreeSet<>();
            missing.forEach(t -> created.add(t.name()));
            awaitLeaders(admin, created, timeout);
            LOG.info("Created topics {} ({} partitions, replication {})", created, kafka.partitions(),
                    kafka.replicationFactor());
            return created;
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot create Kafka topics: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * Returns once every partition of {@code names} is served by its leader. The controller names a
     * leader before that broker has made itself leader of the new partition: produce requests in
     * that gap get {@code NOT_LEADER_OR_FOLLOWER}, and an idempotent producer whose first batches
     * were refused so can then sit for its whole delivery timeout on {@code OUT_OF_ORDER_SEQUENCE_NUMBER}
     * (seen in a fixture: 60 s). A ListOffsets request is answered only by the partition's actual
     * leader, so success for every partition means producing will not hit that gap.
     */
    public static void awaitLeaders(Admin admin, Set<String> names, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean ready;
            try {
                Map<String, org.apache.kafka.clients.admin.TopicDescription> topics =
                        admin.describeTopics(names).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                Map<TopicPartition, OffsetSpec> partitions = new java.util.HashMap<>();
                topics.forEach((name, t) -> t.partitions().forEach(
                        p -> partitions.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
                ready = topics.values().stream().allMatch(t -> t.partitions().stream()
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                if (ready) {
                    admin.listOffsets(partitions).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (ExecutionException e) {
                // Just created: metadata may not know the topic yet, or a leader is still taking over.
                ready = false;
            }
            if (ready) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("partitions of " + names + " have no serving leader after "
                        + timeout.toSeconds() + " s");
            }
            Thread.sleep(50); // polling the brokers' view; there is no notification to wait on
        }
    }
}
