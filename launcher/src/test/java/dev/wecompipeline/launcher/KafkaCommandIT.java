package dev.wecompipeline.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.wecompipeline.config.KafkaClientProperties;
import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.KafkaConnection;
import dev.wecompipeline.kafka.embedded.SecureListeners;
import dev.wecompipeline.kafka.embedded.TlsStores;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaCommandIT {

    @TempDir
    Path workDir;

    @Test
    void kafka_command_serves_clients_and_keeps_records_across_a_sigterm_restart() throws Exception {
        int port = freePort();
        String bootstrap = "127.0.0.1:" + port;
        Map<String, String> env = Map.of("WECOM_PIPELINE_DATA_DIR", workDir.resolve("data").toString(),
                "WECOM_PIPELINE_KAFKA_PORT", String.valueOf(port));

        try (LauncherProcess kafka = LauncherProcess.start(workDir, env, "kafka")) {
            awaitReady(kafka);
            try (Admin admin = Admin.create(KafkaClientSettings.admin(bootstrap, "it-admin"))) {
                admin.createTopics(List.of(new NewTopic("it-topic", 1, (short) 1))).all().get();
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    KafkaClientSettings.producer(bootstrap, "it-producer"), new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 5; i++) {
                    producer.send(new ProducerRecord<>("it-topic", "k", "record-" + i)).get();
                }
            }
            assertEquals(0, kafka.terminate(Duration.ofSeconds(30)), kafka.output());
            assertTrue(kafka.output().contains("kafka: stopped"), kafka.output());
        }

        try (LauncherProcess again = LauncherProcess.start(workDir, env, "kafka")) {
            awaitReady(again);
            List<String> values = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                    KafkaClientSettings.consumer(bootstrap, "it-reader", "it-consumer"),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("it-topic"));
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                    return values.size() >= 5;
                });
            }
            assertEquals(List.of("record-0", "record-1", "record-2", "record-3", "record-4"), values);
            assertEquals(0, again.terminate(Duration.ofSeconds(30)), again.output());
        }
    }

    @Test
    void three_nodes_form_one_cluster_and_the_last_one_stopped_alone_still_exits_zero() throws Exception {
        int[] ports = {freePort(), freePort(), freePort()};
        String quorum = "1@127.0.0.1:" + freePort() + ",2@127.0.0.1:" + freePort() + ",3@127.0.0.1:" + freePort();
        String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
        Map<String, String> env = Map.of("WECOM_PIPELINE_DATA_DIR", workDir.resolve("data").toString());
        List<LauncherProcess> nodes = new ArrayList<>();
        try {
            for (int id = 1; id <= 3; id++) {
                nodes.add(LauncherProcess.start(workDir, env, "kafka", "--node-id", String.valueOf(id),
                        "--port", String.valueOf(ports[id - 1]), "--controller-quorum", quorum, "--cluster-id", clusterId));
            }
            nodes.forEach(KafkaCommandIT::awaitReady);
            String bootstrap = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1];
            try (Admin admin = Admin.create(KafkaClientSettings.admin(bootstrap, "it-admin"))) {
                assertEquals(3, admin.describeCluster().nodes().get().size());
                assertEquals(clusterId, admin.describeCluster().clusterId().get());
            }
            assertTrue(nodes.get(1).output().contains("kafka: starting node 2 of 3"), nodes.get(1).output());
            assertTrue(workDir.resolve("data/kafka-2/meta.properties").toFile().exists(), "node 2 formatted its own storage");

            // Two together (they hand over to each other); the last then has no controller majority left.
            var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> terminate(nodes.get(0)));
            assertEquals(0, terminate(nodes.get(1)), nodes.get(1).output());
            assertEquals(0, first.join(), nodes.get(0).output());
            assertEquals(0, nodes.get(2).terminate(Duration.ofSeconds(60)), nodes.get(2).output());
            assertTrue(nodes.get(2).output().contains("stopping without a controlled shutdown")
                    && nodes.get(2).output().contains("kafka: stopped"), nodes.get(2).output());
        } finally {
            nodes.forEach(LauncherProcess::close);
        }
    }

    @Test
    void cluster_options_that_do_not_fit_together_are_refused_in_one_line() throws Exception {
        try (LauncherProcess partial = LauncherProcess.start(workDir, Map.of(), "kafka", "--node-id", "2",
                "--controller-quorum", "1@127.0.0.1:19093,2@127.0.0.1:29093")) {
            assertEquals(2, partial.waitFor(Duration.ofSeconds(30)), partial.output());
            assertTrue(partial.output().contains("needs --node-id, --controller-quorum and --cluster-id together"),
                    partial.output());
        }
        try (LauncherProcess badId = LauncherProcess.start(workDir, Map.of(), "kafka", "--node-id", "2",
                "--controller-quorum", "1@127.0.0.1:19093,2@127.0.0.1:29093", "--cluster-id", "my-cluster")) {
            assertEquals(2, badId.waitFor(Duration.ofSeconds(30)), badId.output());
            assertTrue(badId.output().contains("cluster id 'my-cluster' is not a Kafka cluster id"), badId.output());
        }
    }

    private static int terminate(LauncherProcess process) {
        try {
            return process.terminate(Duration.ofSeconds(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void help_lists_the_commands_and_exits_zero() throws Exception {
        try (LauncherProcess help = LauncherProcess.start(workDir, Map.of(), "--help")) {
            assertEquals(0, help.waitFor(Duration.ofSeconds(30)));
            assertTrue(help.output().contains("kafka"), help.output());
        }
    }

    @Test
    void kafka_command_serves_scram_and_tls_listeners_that_clients_reach_with_their_properties() throws Exception {
        int port = freePort();
        int saslPort = freePort();
        int tlsPort = freePort();
        String password = "scram-" + java.util.UUID.randomUUID();
        Map<String, String> env = Map.of("WECOM_PIPELINE_DATA_DIR", workDir.resolve("data").toString(),
                KafkaCommand.SCRAM_PASSWORD_ENV, password);
        try (LauncherProcess kafka = LauncherProcess.start(workDir, env, "kafka", "--port", String.valueOf(port),
                "--sasl-port", String.valueOf(saslPort), "--tls-port", String.valueOf(tlsPort), "--tls-client-auth")) {
            awaitReady(kafka);
            assertTrue(kafka.output().contains("SCRAM-SHA-512 listener on 127.0.0.1:" + saslPort), kafka.output());
            assertTrue(!kafka.output().contains(password), "the SCRAM password is never printed");

            Map<String, String> scram = SecureListeners.scramClientProperties("wecom", password);
            assertEquals(1, clusterSize(new KafkaConnection("127.0.0.1:" + saslPort,
                    new KafkaClientProperties(scram))));
            TlsStores stores = TlsStores.inDirectory(workDir.resolve("data").resolve("kafka-tls"), "127.0.0.1");
            assertEquals(1, clusterSize(new KafkaConnection("127.0.0.1:" + tlsPort,
                    new KafkaClientProperties(stores.clientProperties(true)))));
            // The plain port still serves the broker itself; a client without the password is refused.
            Map<String, String> wrong = SecureListeners.scramClientProperties("wecom", "wrong");
            java.util.concurrent.ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.ExecutionException.class,
                    () -> clusterSize(new KafkaConnection("127.0.0.1:" + saslPort, new KafkaClientProperties(wrong))));
            assertTrue(refused.getCause() instanceof org.apache.kafka.common.errors.SaslAuthenticationException,
                    String.valueOf(refused.getCause()));
            assertEquals(0, kafka.terminate(Duration.ofSeconds(30)), kafka.output());
        }
    }

    private static int clusterSize(KafkaConnection kafka) throws Exception {
        Map<String, Object> settings = KafkaClientSettings.admin(kafka, "it-secure");
        settings.put("default.api.timeout.ms", 20_000);
        settings.put("request.timeout.ms", 10_000);
        try (Admin admin = Admin.create(settings)) {
            return admin.describeCluster().nodes().get(30, java.util.concurrent.TimeUnit.SECONDS).size();
        }
    }

    private static void awaitReady(LauncherProcess process) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .failFast("launcher exited early", () -> !process.isAlive())
                .until(() -> process.output().contains("kafka: ready"));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
