package dev.wecompipeline.doctor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.wecompipeline.config.KafkaConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Whether each topic's replication gives {@code acks=all} its meaning on this cluster: as many
 * replicas as the cluster can give (up to 3), {@code min.insync.replicas} above 1 (else the
 * leader alone acknowledges) and below the replication factor (else one broker down blocks every
 * write), and no unclean leader election. Used by {@code doctor} (check {@value #NAME}) and
 * {@code topics} (warnings in its log). Findings are warnings: the pipeline works, but a broker
 * failure would lose acknowledged callbacks or stop the ingress.
 *
 * <pre>{@code
 * List<Finding> f = ReplicationChecks.findings(3, ReplicationChecks.describe(admin, topics, timeout));
 * }</pre>
 */
public final class ReplicationChecks {

    static final String NAME = "kafka replication";
    /** Replicas that survive one broker lost while two still acknowledge: more buys little. */
    static final int FULL_REPLICATION = 3;
    /** Kafka's internal topics the pipeline's exactly-once relies on (committed offsets, transactions). */
    public static final List<String> INTERNAL_TOPICS = List.of("__consumer_offsets", "__transaction_state");

    private ReplicationChecks() {
    }

    /**
     * What a topic has.
     *
     * @param replicationFactor smallest replica count over its partitions
     * @param minInsyncReplicas its effective {@code min.insync.replicas}
     * @param uncleanLeaderElection its effective {@code unclean.leader.election.enable}
     */
    public record TopicReplication(String topic, int replicationFactor, int minInsyncReplicas,
                                   boolean uncleanLeaderElection) {
    }

    /**
     * One problem shared by some topics, with its fix.
     *
     * @param topics  the topics that have it
     * @param problem what is wrong and what it costs, without the topic names
     * @param fix     what to run or set; {@code <topic>} stands for each of {@code topics}
     */
    public record Finding(List<String> topics, String problem, String fix) {
        public String detail() {
            return String.join(", ", topics) + ": " + problem;
        }
    }

    /**
     * The findings for these topics on a cluster of {@code brokers} brokers, topics with the same
     * problem together, in the order of {@code topics}.
     */
    public static List<Finding> findings(int brokers, List<TopicReplication> topics) {
        int target = Math.min(FULL_REPLICATION, Math.max(1, brokers));
        Map<List<String>, List<String>> grouped = new LinkedHashMap<>();
        for (TopicReplication t : topics) {
            int rf = t.replicationFactor();
            int isr = t.minInsyncReplicas();
            boolean internal = INTERNAL_TOPICS.contains(t.topic());
            if (rf < target) {
                add(grouped, t.topic(), "replication factor " + rf + " on a cluster of " + brokers + " brokers, which could give "
                        + target + ": a broker lost " + (rf == 1 ? "takes the only copy of its partitions with it"
                        : "leaves fewer copies than a second failure needs"),
                        (internal ? "set " + internalReplicationSetting(t.topic()) + "=" + target + " on the brokers and "
                                : "set " + KafkaConfig.REPLICATION_FACTOR.env() + "=" + target + " for topics created from now on, and ")
                        + "raise <topic> to " + target + " replicas with kafka-reassign-partitions.sh --execute "
                        + "(a JSON listing " + target + " brokers per partition)");
            }
            if (isr > rf) {
                add(grouped, t.topic(), "min.insync.replicas " + isr + " above replication factor " + rf
                                + ": every acks=all write is refused (NOT_ENOUGH_REPLICAS), the ingress answers 503 to every callback",
                        alterIsr(Math.max(1, Math.min(rf - 1, 2))));
            } else if (rf > 1 && isr == rf) {
                add(grouped, t.topic(), "min.insync.replicas " + isr + " equals replication factor " + rf
                                + ": one broker down (a crash, a restart, an upgrade) blocks every write, the ingress answers 503 until it is back",
                        rf >= FULL_REPLICATION ? alterIsr(2)
                                : "use replication 3 with min.insync.replicas 2 (with 2 replicas no setting gives both: "
                                + "min ISR 1 can lose acknowledged records on a failover, 2 stops on one broker down)");
            } else if (rf > 1 && isr <= 1) {
                add(grouped, t.topic(), "min.insync.replicas " + isr + " with replication factor " + rf
                                + ": acks=all is satisfied by the leader alone, so a callback acknowledged just before its leader dies can be lost",
                        alterIsr(2) + (t.topic().equals("__transaction_state") ? " (and transaction.state.log.min.isr=2 on the brokers)" : ""));
            }
            if (t.uncleanLeaderElection()) {
                add(grouped, t.topic(), "unclean.leader.election.enable=true: a replica that missed acknowledged records can become "
                                + "leader and drop them",
                        "kafka-configs.sh --bootstrap-server $KAFKA_BOOTSTRAP_SERVERS --alter --entity-type topics "
                                + "--entity-name <topic> --add-config unclean.leader.election.enable=false (and false on the brokers)");
            }
        }
        List<Finding> out = new ArrayList<>();
        grouped.forEach((key, names) -> out.add(new Finding(List.copyOf(names), key.get(0), key.get(1))));
        return out;
    }

    /** The doctor's line(s): one pass, or one warning per finding. */
    public static List<DoctorCheck> checks(int brokers, List<TopicReplication> topics) {
        List<Finding> findings = findings(brokers, topics);
        if (findings.isEmpty()) {
            String rf = topics.stream().map(t -> t.replicationFactor() + "/" + t.minInsyncReplicas()).distinct()
                    .reduce((a, b) -> a + ", " + b).orElse("-");
            return List.of(DoctorCheck.pass(NAME, topics.size() + " topics on " + brokers + " broker(s), replication/min ISR "
                    + rf + (brokers == 1 ? " (a single broker: no failover; a cluster of 3 gives 3/2)" : "")));
        }
        return findings.stream().map(f -> DoctorCheck.warn(NAME, f.detail(), f.fix())).toList();
    }

    /**
     * Replication of the topics that exist among {@code names} (missing ones are left out: the
     * topics check reports them), read with DescribeTopics and DescribeConfigs. Kafka's internal
     * topics are also left out when the principal may not describe them (a secured cluster need
     * not grant that); a pipeline topic that cannot be read is an error.
     */
    public static List<TopicReplication> describe(Admin admin, Collection<String> names, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        long ms = timeout.toMillis();
        Map<String, TopicDescription> found = new LinkedHashMap<>();
        for (var entry : admin.describeTopics(names).topicNameValues().entrySet()) {
            try {
                found.put(entry.getKey(), entry.getValue().get(ms, TimeUnit.MILLISECONDS));
            } catch (ExecutionException e) {
                if (!skippable(entry.getKey(), e)) {
                    throw e;
                }
            }
        }
        List<ConfigResource> resources = found.keySet().stream()
                .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
        var configs = resources.isEmpty() ? Map.<ConfigResource, org.apache.kafka.common.KafkaFuture<Config>>of()
                : admin.describeConfigs(resources).values();
        List<TopicReplication> out = new ArrayList<>();
        for (ConfigResource r : resources) {
            Config c;
            try {
                c = configs.get(r).get(ms, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (skippable(r.name(), e)) {
                    continue;
                }
                throw e;
            }
            TopicDescription d = found.get(r.name());
            int rf = d.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
            out.add(new TopicReplication(r.name(), rf, Integer.parseInt(value(c, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "1")),
                    Boolean.parseBoolean(value(c, TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, "false"))));
        }
        return out;
    }

    /** A topic that is not there (yet), or an internal topic this principal may not see. */
    private static boolean skippable(String topic, ExecutionException e) {
        return e.getCause() instanceof UnknownTopicOrPartitionException
                || INTERNAL_TOPICS.contains(topic) && e.getCause() instanceof AuthorizationException;
    }

    private static String value(Config config, String name, String fallback) {
        ConfigEntry e = config == null ? null : config.get(name);
        return e == null || e.value() == null ? fallback : e.value();
    }

    private static String alterIsr(int value) {
        return "kafka-configs.sh --bootstrap-server $KAFKA_BOOTSTRAP_SERVERS --alter --entity-type topics "
                + "--entity-name <topic> --add-config min.insync.replicas=" + value;
    }

    private static String internalReplicationSetting(String topic) {
        return topic.equals("__consumer_offsets") ? "offsets.topic.replication.factor" : "transaction.state.log.replication.factor";
    }

    private static void add(Map<List<String>, List<String>> grouped, String topic, String problem, String fix) {
        grouped.computeIfAbsent(List.of(problem, fix), k -> new ArrayList<>()).add(topic);
    }
}
