package dev.wecompipeline.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka broker in KRaft mode (broker and controller roles in one process), started
 * in-process from the {@code kafka_2.13} artifact.
 *
 * <p>The storage directory is formatted on the first start and reused afterwards, so topics,
 * records and committed offsets survive a restart on the same directory. Ports are fixed for the
 * life of the object: {@link #stop()} followed by {@link #start()} comes back on the same address,
 * which is what clients reconnecting after an outage expect.
 *
 * <pre>{@code
 * try (var broker = new EmbeddedKafkaBroker(Path.of("data/kafka"), 9092)) {
 *     broker.start();
 *     producerProps.put("bootstrap.servers", broker.bootstrapServers());
 * }
 * }</pre>
 *
 * <p>It exists for machines without Docker: the all-in-one command, local multi-process setups and
 * the test suite. It is a real broker, not a fake, but it has one replica: production runs a real
 * cluster.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    /** Node id of the single broker/controller. */
    public static final int NODE_ID = 1;
    /** Host the listeners bind to and advertise; loopback keeps the embedded broker private. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /**
     * Partitions of {@code __consumer_offsets} and {@code __transaction_state}. Kafka's default of 50
     * slows the first group join on a laptop for no gain on a single node.
     */
    public static final int DEFAULT_INTERNAL_TOPIC_PARTITIONS = 10;

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String BROKER_LISTENER = "PLAINTEXT";

    private final Path logDir;
    private final String host;
    private final int port;
    private final int controllerPort;
    private final Map<String, String> overrides;
    private KafkaRaftServer server;
    /** SASL/SCRAM and TLS listeners besides the plain one; none by default. */
    private SecureListeners secure = SecureListeners.NONE;

    /**
     * @param logDir storage directory; created and formatted when it holds no {@code meta.properties}
     * @param port   client port; 0 picks a free one (kept across {@link #stop()}/{@link #start()})
     */
    public EmbeddedKafkaBroker(Path logDir, int port) {
        this(logDir, DEFAULT_HOST, port, Map.of());
    }

    /**
     * @param overrides broker properties applied last, for tests that need, say, a short session timeout
     */
    public EmbeddedKafkaBroker(Path logDir, String host, int port, Map<String, String> overrides) {
        this.logDir = Objects.requireNonNull(logDir, "logDir").toAbsolutePath();
        this.host = Objects.requireNonNull(host, "host");
        this.port = port == 0 ? freePort() : port;
        this.controllerPort = freePort();
        this.overrides = Map.copyOf(overrides);
    }

    /** Formats the storage directory if needed and starts the broker; returns once it accepts clients. */
    public synchronized EmbeddedKafkaBroker start() {
        if (server != null) {
            return this;
        }
        try {
            Files.createDirectories(logDir);
            Properties props = brokerProperties();
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format();
            }
            KafkaRaftServer raftServer = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            raftServer.startup();
            server = raftServer;
            secure.createUsers(bootstrapServers());
            LOG.info("Embedded Kafka broker started on {} (data {})", bootstrapServers(), logDir);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare Kafka storage at " + logDir, e);
        }
    }

    /** Stops the broker and waits until it has released its ports and files; the data stays. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
        server = null;
        LOG.info("Embedded Kafka broker stopped ({})", bootstrapServers());
    }

    /** Serves {@code listeners} too (SCRAM, TLS, an ACL authorizer); call before {@link #start()}. */
    public synchronized EmbeddedKafkaBroker withSecureListeners(SecureListeners listeners) {
        if (server != null) {
            throw new IllegalStateException("listeners are set before the broker starts");
        }
        this.secure = java.util.Objects.requireNonNull(listeners, "listeners");
        return this;
    }

    /** {@code bootstrap.servers} of the SCRAM listener. */
    public String saslBootstrapServers() {
        return host + ":" + secure.saslPort();
    }

    /** {@code bootstrap.servers} of the TLS listener. */
    public String tlsBootstrapServers() {
        return host + ":" + secure.tlsPort();
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** The {@code bootstrap.servers} value for clients of this broker. */
    public String bootstrapServers() {
        return host + ":" + port;
    }

    public int port() {
        return port;
    }

    public Path logDir() {
        return logDir;
    }

    @Override
    public void close() {
        stop();
    }

    private void format() {
        // A fresh cluster id per storage directory; it is written to meta.properties and reused afterwards.
        String clusterId = Uuid.randomUuid().toString();
        try {
            new Formatter()
                    .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .setDirectories(List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .run();
            LOG.info("Formatted Kafka storage {} for cluster {}", logDir, clusterId);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format Kafka storage at " + logDir + ": " + e.getMessage(), e);
        }
    }

    private Properties brokerProperties() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        // Static quorum of one: nothing to discover, and a restart finds the same voter set.
        p.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + controllerPort);
        p.put("listeners", BROKER_LISTENER + "://" + host + ":" + port + ","
                + CONTROLLER_LISTENER + "://" + host + ":" + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + host + ":" + port);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        // One node: every internal topic can only have one replica.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", String.valueOf(DEFAULT_INTERNAL_TOPIC_PARTITIONS));
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", String.valueOf(DEFAULT_INTERNAL_TOPIC_PARTITIONS));
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("min.insync.replicas", "1");
        p.put("default.replication.factor", "1");
        // Topics are created explicitly by the pipeline with their partitions and retention.
        p.put("auto.create.topics.enable", "false");
        // No point waiting for more members on a single-node development broker.
        p.put("group.initial.rebalance.delay.ms", "0");
        secure.addTo(p, host);
        p.putAll(overrides);
        return p;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port for the embedded Kafka broker", e);
        }
    }
}
