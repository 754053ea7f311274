package dev.wecompipeline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code topics} creates what is missing, exits 0, and warns with the fix about replication that does not fit. */
@ExtendWith(KafkaBrokerExtension.class)
class TopicsCommandIT {

    @TempDir
    Path workDir;

    @Test
    void topics_creates_the_topics_then_warns_about_a_min_isr_above_the_replication(KafkaBroker kafka) throws Exception {
        String prefix = "topics-it-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> env = new HashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "KAFKA_TOPIC_PARTITIONS", "1"));
        for (String t : List.of("INBOUND", "REPLIES", "REPLIES_DLQ", "INBOUND_DLQ", "SESSIONS", "DELIVERED")) {
            env.put("KAFKA_TOPIC_" + t, prefix + "." + t.toLowerCase());
        }
        try (LauncherProcess first = LauncherProcess.start(workDir, env, "topics")) {
            assertEquals(0, first.waitFor(Duration.ofSeconds(90)), first.output());
            assertTrue(first.output().contains("topics: replication fits a cluster of 1 broker(s)"), first.output());
        }

        String inbound = prefix + ".inbound";
        try (Admin admin = Admin.create(KafkaClientSettings.admin(kafka.bootstrapServers(), "topics-it"))) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, inbound);
            admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(
                    new ConfigEntry("min.insync.replicas", "2"), AlterConfigOp.OpType.SET)))).all().get();
        }
        try (LauncherProcess again = LauncherProcess.start(workDir, env, "topics")) {
            assertEquals(0, again.waitFor(Duration.ofSeconds(90)), "a warning, not a failure\n" + again.output());
            assertTrue(again.output().contains("topics: " + inbound + ": min.insync.replicas 2 above replication factor 1")
                    && again.output().contains("fix: kafka-configs.sh"), again.output());
        }
    }
}
