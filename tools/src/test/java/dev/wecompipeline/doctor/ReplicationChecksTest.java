package dev.wecompipeline.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import dev.wecompipeline.doctor.ReplicationChecks.Finding;
import dev.wecompipeline.doctor.ReplicationChecks.TopicReplication;
import org.junit.jupiter.api.Test;

/** The replication rules on DescribeTopics/DescribeConfigs data as a cluster would report it. */
class ReplicationChecksTest {

    private static TopicReplication topic(String name, int rf, int minIsr) {
        return new TopicReplication(name, rf, minIsr, false);
    }

    @Test
    void replication_3_and_min_isr_2_on_three_brokers_passes() {
        List<TopicReplication> topics = List.of(topic("wecom.inbound", 3, 2), topic("wecom.replies", 3, 2),
                topic("__transaction_state", 3, 2));
        assertEquals(List.of(), ReplicationChecks.findings(3, topics));
        assertEquals(List.of(), ReplicationChecks.findings(5, topics), "3 is enough on a bigger cluster");
        List<DoctorCheck> checks = ReplicationChecks.checks(3, topics);
        assertEquals(DoctorCheck.Status.PASS, checks.get(0).status());
        assertTrue(checks.get(0).detail().contains("replication/min ISR 3/2"), checks.get(0).detail());
    }

    @Test
    void a_single_broker_with_replication_1_passes_and_says_there_is_no_failover() {
        List<DoctorCheck> checks = ReplicationChecks.checks(1, List.of(topic("wecom.inbound", 1, 1)));
        assertEquals(DoctorCheck.Status.PASS, checks.get(0).status());
        assertTrue(checks.get(0).detail().contains("no failover"), checks.get(0).detail());
    }

    @Test
    void replication_below_what_the_cluster_could_give_is_one_warning_listing_the_topics_with_the_fix() {
        List<Finding> f = ReplicationChecks.findings(3, List.of(topic("wecom.inbound", 1, 1), topic("wecom.replies", 1, 1),
                topic("wecom.sessions", 3, 2)));
        assertEquals(1, f.size(), f.toString());
        assertEquals(List.of("wecom.inbound", "wecom.replies"), f.get(0).topics());
        assertTrue(f.get(0).problem().contains("replication factor 1 on a cluster of 3 brokers, which could give 3"), f.toString());
        assertTrue(f.get(0).fix().contains("KAFKA_TOPIC_REPLICATION_FACTOR=3")
                && f.get(0).fix().contains("kafka-reassign-partitions.sh"), f.get(0).fix());

        Finding two = ReplicationChecks.findings(2, List.of(topic("wecom.inbound", 1, 1))).get(0);
        assertTrue(two.problem().contains("which could give 2"), two.problem());

        Finding internal = ReplicationChecks.findings(3, List.of(topic("__consumer_offsets", 1, 1))).get(0);
        assertTrue(internal.fix().contains("offsets.topic.replication.factor=3"), internal.fix());
    }

    @Test
    void min_isr_1_with_replication_3_makes_acks_all_mean_the_leader_alone() {
        List<Finding> f = ReplicationChecks.findings(3, List.of(topic("wecom.inbound", 3, 1)));
        assertEquals(1, f.size(), f.toString());
        assertTrue(f.get(0).problem().contains("min.insync.replicas 1 with replication factor 3")
                && f.get(0).problem().contains("leader alone"), f.get(0).problem());
        assertTrue(f.get(0).fix().contains("--entity-name <topic> --add-config min.insync.replicas=2"), f.get(0).fix());
    }

    @Test
    void min_isr_equal_to_replication_blocks_writes_with_one_broker_down_and_above_it_blocks_all() {
        Finding equal = ReplicationChecks.findings(3, List.of(topic("wecom.inbound", 3, 3))).get(0);
        assertTrue(equal.problem().contains("one broker down") && equal.problem().contains("503"), equal.problem());
        assertTrue(equal.fix().endsWith("min.insync.replicas=2"), equal.fix());

        Finding pair = ReplicationChecks.findings(2, List.of(topic("wecom.inbound", 2, 2))).get(0);
        assertTrue(pair.fix().startsWith("use replication 3 with min.insync.replicas 2"), pair.fix());

        Finding above = ReplicationChecks.findings(1, List.of(topic("wecom.inbound", 1, 2))).get(0);
        assertTrue(above.problem().contains("min.insync.replicas 2 above replication factor 1")
                && above.problem().contains("every acks=all write is refused"), above.problem());
        assertTrue(above.fix().endsWith("min.insync.replicas=1"), above.fix());
    }

    @Test
    void unclean_leader_election_is_a_warning_of_its_own() {
        List<Finding> f = ReplicationChecks.findings(3, List.of(new TopicReplication("wecom.inbound", 3, 2, true)));
        assertEquals(1, f.size());
        assertTrue(f.get(0).fix().contains("unclean.leader.election.enable=false"), f.get(0).fix());
    }
}
