package dev.wecompipeline.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * A Kafka broker in KRaft mode (broker and controller roles in one process), started in-process
 * from the {@code kafka_2.13} artifact: a single node by default, or one member of a small local
 * cluster with a static controller quorum ({@link Member}).
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
 * <p>Three of them, each in its own process with its own directory, form a cluster that
 * survives the loss of one node (internal topics then get replication 3 and min ISR 2):
 *
 * <pre>{@code
 * var member = new EmbeddedKafkaBroker.Member(2, "1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097",
 *         "MkU3OEVBNTcwNTJENDM2Qg");
 * new EmbeddedKafkaBroker(Path.of("data/kafka-2"), "127.0.0.1", 9094, Map.of(), member).start();
 * }</pre>
 *
 * <p>It exists for machines without Docker: the all-in-one command, local multi-process setups and
 * the test suite. It is a real broker, not a fake; production runs a real cluster.
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
    /** Replicas a topic needs to survive one broker loss with {@code acks=all} and min ISR 2. */
    private static final int FULL_REPLICATION = 3;

    /**
     * This node's place in a static multi-node quorum: every member is started with the same
     * {@code voters} and {@code clusterId} and a different {@code nodeId}.
     *
     * @param nodeId    this node's id, one of the voters
     * @param voters    {@code controller.quorum.voters}: {@code id@host:port,...}, the same on every node
     * @param clusterId the cluster id every node formats its storage with (Kafka's 22-character base64 UUID)
     */
    public record Member(int nodeId, String voters, String clusterId) {
        private static final Pattern VOTER = Pattern.compile("(\\d+)@([^:,@]+):(\\d{1,5})");

        public Member {
            Objects.requireNonNull(voters, "voters");
            Objects.requireNonNull(clusterId, "clusterId");
            if (!voterPorts(voters).containsKey(nodeId)) {
                throw new IllegalArgumentException("node id " + nodeId + " is not one of the voters " + voters);
            }
            try {
                Uuid.fromString(clusterId);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cluster id '" + clusterId + "' is not a Kafka cluster id "
                        + "(22 characters of URL-safe base64, e.g. " + Uuid.randomUuid() + ")");
            }
        }

        /** How many nodes the quorum has. */
        public int size() {
            return voterPorts(voters).size();
        }

        /** This node's controller port, as the voters list gives it. */
        public int controllerPort() {
            return voterPorts(voters).get(nodeId);
        }

        /** Node id to controller port; throws naming the entry that is not {@code id@host:port}. */
        static Map<Integer, Integer> voterPorts(String voters) {
            Map<Integer, Integer> ports = new LinkedHashMap<>();
            for (String voter : voters.split(",")) {
                Matcher m = VOTER.matcher(voter.strip());
                if (!m.matches()) {
                    throw new IllegalArgumentException("controller quorum entry '" + voter.strip()
                            + "' must be id@host:port");
                }
                if (ports.put(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(3))) != null) {
                    throw new IllegalArgumentException("node id " + m.group(1) + " appears twice in " + voters);
                }
            }
            return ports;
        }
    }

    private final Path logDir;
    private final String host;
    private final int port;
    private final int controllerPort;
    private final Map<String, String> overrides;
    /** {@code null}: a single node with a quorum of its own. */
    private final Member member;
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
        this(logDir, host, port, overrides, null);
    }

    /**
     * @param member this node's place in a multi-node quorum; {@code null} for a single node
     */
    public EmbeddedKafkaBroker(Path logDir, String host, int port, Map<String, String> overrides, Member member) {
        this.logDir = Objects.requireNonNull(logDir, "logDir").toAbsolutePath();
        this.host = Objects.requireNonNull(host, "host");
        this.port = port == 0 ? freePort() : port;
        this.member = member;
        // Other nodes know this node's controller by the voters list, so its port is fixed there.
        this.controllerPort = member == null ? freePort() : member.controllerPort();
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
        // A single node: a fresh cluster id per storage directory (written to meta.properties and reused
        // afterwards). A cluster member: the id all members share, or they refuse to form one cluster.
        String clusterId = member == null ? Uuid.randomUuid().toString() : member.clusterId();
        try {
            new Formatter()
                    .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                    .setNodeId(nodeId())
                    .setClusterId(clusterId)
                    .setDirectories(List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .run();
            LOG.info("Formatted Kafka storage {} for cluster {} (node {})", logDir, clusterId, nodeId());
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format Kafka storage at " + logDir + ": " + e.getMessage(), e);
        }
    }

    private Properties brokerProperties() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(nodeId()));
        // Static quorum (of one, or the members' shared list): nothing to discover, and a restart finds
        // the same voter set.
        p.put("controller.quorum.voters", member == null ? NODE_ID + "@" + host + ":" + controllerPort : member.voters());
        p.put("listeners", BROKER_LISTENER + "://" + host + ":" + port + ","
                + CONTROLLER_LISTENER + "://" + host + ":" + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + host + ":" + port);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        // One node: every internal topic can only have one replica. Three or more: three replicas and
        // min ISR 2, so committed offsets and transactions survive one node lost and an acknowledged
        // write is on two nodes. (Two nodes: two replicas, min ISR 2: durable, but one down blocks.)
        String replication = String.valueOf(replication());
        String minIsr = String.valueOf(Math.min(2, replication()));
        p.put("offsets.topic.replication.factor", replication);
        p.put("offsets.topic.num.partitions", String.valueOf(DEFAULT_INTERNAL_TOPIC_PARTITIONS));
        p.put("transaction.state.log.replication.factor", replication);
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("transaction.state.log.num.partitions", String.valueOf(DEFAULT_INTERNAL_TOPIC_PARTITIONS));
        p.put("share.coordinator.state.topic.replication.factor", replication);
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        p.put("min.insync.replicas", minIsr);
        p.put("default.replication.factor", replication);
        // A replica that was not in sync never becomes leader: it would drop acknowledged records.
        p.put("unclean.leader.election.enable", "false");
        // Topics are created explicitly by the pipeline with their partitions and retention.
        p.put("auto.create.topics.enable", "false");
        // No point waiting for more members on a development broker.
        p.put("group.initial.rebalance.delay.ms", "0");
        secure.addTo(p, host);
        p.putAll(overrides);
        return p;
    }

    /** This node's id: {@link #NODE_ID} for a single node. */
    public int nodeId() {
        return member == null ? NODE_ID : member.nodeId();
    }

    /** Replicas of the internal topics: as many nodes as there are, up to three. */
    int replication() {
        return member == null ? 1 : Math.min(FULL_REPLICATION, member.size());
    }

    /** A free loopback port, for a listener whose port must be known before the broker starts. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port for the embedded Kafka broker", e);
        }
    }
}
