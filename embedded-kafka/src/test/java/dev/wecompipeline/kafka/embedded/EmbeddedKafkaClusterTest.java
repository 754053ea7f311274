package dev.wecompipeline.kafka.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three embedded brokers with one static quorum form one cluster that takes a node's loss. */
class EmbeddedKafkaClusterTest {

    @TempDir
    Path dataDir;

    @Test
    void three_members_form_one_cluster_with_replication_3_and_min_isr_2_and_survive_a_node_stopping()
            throws Exception {
        int[] controllers = {freePort(), freePort(), freePort()};
        String voters = "1@127.0.0.1:" + controllers[0] + ",2@127.0.0.1:" + controllers[1] + ",3@127.0.0.1:" + controllers[2];
        String clusterId = Uuid.randomUuid().toString();
        List<EmbeddedKafkaBroker> nodes = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            nodes.add(new EmbeddedKafkaBroker(dataDir.resolve("kafka-" + id), "127.0.0.1", 0, Map.of(),
                    new EmbeddedKafkaBroker.Member(id, voters, clusterId)));
        }
        try {
            // Each start waits for a quorum, which needs a majority of the nodes: start them together.
            CompletableFuture.allOf(nodes.stream().map(n -> CompletableFuture.runAsync(n::start))
                    .toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            String bootstrap = String.join(",", nodes.stream().map(EmbeddedKafkaBroker::bootstrapServers).toList());
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                assertEquals(3, admin.describeCluster().nodes().get().size());
                assertEquals(clusterId, admin.describeCluster().clusterId().get());
                ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "2");
                Config config = admin.describeConfigs(List.of(broker)).all().get().get(broker);
                assertEquals("3", config.get("offsets.topic.replication.factor").value());
                assertEquals("3", config.get("transaction.state.log.replication.factor").value());
                assertEquals("2", config.get("transaction.state.log.min.isr").value());
                assertEquals("2", config.get("min.insync.replicas").value());
                admin.createTopics(List.of(new NewTopic("replicated", 3, (short) 3))).all().get();
            }

            nodes.get(0).stop();
            // acks=all with min ISR 2: two of three nodes still acknowledge.
            try (KafkaProducer<String, String> producer = producer(nodes.get(1).bootstrapServers())) {
                for (int i = 0; i < 6; i++) {
                    producer.send(new ProducerRecord<>("replicated", "k" + i, "v" + i)).get(60, TimeUnit.SECONDS);
                }
            }
            assertTrue(nodes.get(1).isRunning() && nodes.get(2).isRunning());
        } finally {
            // Together: a node stopping alone after the others waits for a controller majority that is gone.
            CompletableFuture.allOf(nodes.stream().map(n -> CompletableFuture.runAsync(n::stop))
                    .toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        }
    }

    @Test
    void a_member_outside_the_quorum_or_with_a_malformed_cluster_id_is_refused() {
        assertThrows(IllegalArgumentException.class,
                () -> new EmbeddedKafkaBroker.Member(4, "1@127.0.0.1:9093,2@127.0.0.1:9095", Uuid.randomUuid().toString()));
        assertThrows(IllegalArgumentException.class,
                () -> new EmbeddedKafkaBroker.Member(1, "1@127.0.0.1:9093,2@127.0.0.1", Uuid.randomUuid().toString()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new EmbeddedKafkaBroker.Member(1, "1@127.0.0.1:9093", "my-cluster"));
        assertTrue(e.getMessage().contains("22 characters"), e.getMessage());
        assertEquals(9095, new EmbeddedKafkaBroker.Member(2, "1@127.0.0.1:9093, 2@127.0.0.1:9095", Uuid.randomUuid().toString())
                .controllerPort());
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000),
                new StringSerializer(), new StringSerializer());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
