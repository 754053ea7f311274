package dev.wecompipeline.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.wecompipeline.kafka.embedded.EmbeddedKafkaBroker;
import dev.wecompipeline.kafka.embedded.SecureListeners;
import dev.wecompipeline.kafka.embedded.TlsStores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wecom-pipeline kafka}: only the embedded KRaft broker, for running the services as
 * separate processes on one machine without Docker. Alone it is a single node; with
 * {@code --node-id} it is one member of a local cluster with a static controller quorum:
 *
 * <pre>
 * Q=1@127.0.0.1:19093,2@127.0.0.1:29093,3@127.0.0.1:39093; ID=MkU3OEVBNTcwNTJENDM2Qg
 * bin/wecom-pipeline kafka --node-id 1 --port 19092 --controller-quorum $Q --cluster-id $ID &amp;
 * bin/wecom-pipeline kafka --node-id 2 --port 29092 --controller-quorum $Q --cluster-id $ID &amp;
 * bin/wecom-pipeline kafka --node-id 3 --port 39092 --controller-quorum $Q --cluster-id $ID &amp;
 * </pre>
 */
@Command(name = "kafka",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Runs the embedded Kafka broker (KRaft, broker and controller in one process) until SIGTERM.",
                "Alone: a single node, storage under <data-dir>/kafka, surviving restarts.",
                "With --node-id N --controller-quorum ... --cluster-id ...: node N of a local cluster,",
                "storage under <data-dir>/kafka-N; start every node of the quorum (each on its own --port).",
                "Point the services at it with KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:<port>[,...]."})
final class KafkaCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaCommand.class);
    /**
     * How long a cluster node may take to stop. Its controlled shutdown needs an active controller;
     * the last node standing has no majority left and would wait Kafka's five minutes for one.
     */
    static final Duration CLUSTER_STOP_GRACE = Duration.ofSeconds(30);

    // Annotation values must be constants, so the variables of PipelineConfig.DATA_DIR and KAFKA_PORT are
    // spelt out here; DeploymentFilesTest checks they still match the declarations.
    @Option(names = "--data-dir", defaultValue = "${env:WECOM_PIPELINE_DATA_DIR:-./data}",
            description = "Local state directory (env WECOM_PIPELINE_DATA_DIR, default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--port", defaultValue = "${env:WECOM_PIPELINE_KAFKA_PORT:-9092}",
            description = "Client port (env WECOM_PIPELINE_KAFKA_PORT, default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = EmbeddedKafkaBroker.DEFAULT_HOST,
            description = "Address to bind and advertise (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--node-id", description = "This node's id in a multi-node cluster (one of the quorum's ids).")
    Integer nodeId;

    @Option(names = "--controller-quorum", paramLabel = "ID@HOST:PORT,...",
            description = "The controller quorum, the same on every node, e.g. 1@127.0.0.1:19093,2@127.0.0.1:29093,3@127.0.0.1:39093.")
    String controllerQuorum;

    @Option(names = "--controller-port",
            description = "This node's controller port; optional, it must match this node's entry in --controller-quorum.")
    Integer controllerPort;

    @Option(names = "--cluster-id",
            description = "The cluster id every node formats its storage with (22 characters, the same on every node).")
    String clusterId;

    /** Where the SCRAM user's password comes from: never a command-line argument, which any user could read. */
    static final String SCRAM_PASSWORD_ENV = "WECOM_PIPELINE_KAFKA_SCRAM_PASSWORD";

    @Option(names = "--sasl-port",
            description = "Also serve SASL_PLAINTEXT with SCRAM-SHA-512 on this port (user --scram-user, password from env "
                    + SCRAM_PASSWORD_ENV + ").")
    Integer saslPort;

    @Option(names = "--scram-user", defaultValue = "wecom", description = "The SCRAM user to create (default ${DEFAULT-VALUE}).")
    String scramUser;

    @Option(names = "--tls-port",
            description = "Also serve TLS on this port; key and trust stores are generated under <data-dir>/kafka-tls.")
    Integer tlsPort;

    @Option(names = "--tls-client-auth", description = "Require a client certificate on the TLS port (mutual TLS).")
    boolean tlsClientAuth;

    @Override
    public Integer call() throws Exception {
        EmbeddedKafkaBroker.Member member = member();
        SecureListeners secure = secureListeners();
        Path logDir = dataDir.resolve(member == null ? "kafka" : "kafka-" + member.nodeId());
        ShutdownSignal signal = ShutdownSignal.install();
        if (member == null) {
            LOG.info("kafka: starting a single node on {}:{} (data {})", host, port, logDir);
        } else {
            LOG.info("kafka: starting node {} of {} on {}:{}, controller port {}, quorum {}, cluster {} (data {}{})",
                    member.nodeId(), member.size(), host, port, member.controllerPort(), member.voters(),
                    member.clusterId(), logDir, Files.exists(logDir.resolve("meta.properties")) ? "" : ", to be formatted");
        }
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(logDir, host, port, Map.of(), member)
                .withSecureListeners(secure);
        try {
            broker.start();
            LOG.info("kafka: ready, bootstrap servers {}", broker.bootstrapServers());
            if (secure.saslPort() != 0) {
                LOG.info("kafka: SCRAM-SHA-512 listener on {} (user {}); clients set KAFKA_PROPERTIES_SECURITY_PROTOCOL="
                        + "SASL_PLAINTEXT, KAFKA_PROPERTIES_SASL_MECHANISM=SCRAM-SHA-512 and KAFKA_PROPERTIES_SASL_JAAS_CONFIG",
                        broker.saslBootstrapServers(), scramUser);
            }
            if (secure.tlsPort() != 0) {
                LOG.info("kafka: TLS listener on {}{}; client stores {} and {}, their password in {}",
                        broker.tlsBootstrapServers(), tlsClientAuth ? " (client certificate required)" : "",
                        secure.tls().clientTruststore(), secure.tls().clientKeystore(),
                        secure.tls().clientTruststore().resolveSibling("store-password"));
            }
            signal.await();
            LOG.info("kafka: stopping node {}", broker.nodeId());
        } finally {
            stop(broker, member != null);
        }
        LOG.info("kafka: stopped");
        return 0;
    }

    private static void stop(EmbeddedKafkaBroker broker, boolean clusterNode) throws InterruptedException {
        if (!clusterNode) {
            broker.stop();
            return;
        }
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(broker::stop);
        try {
            stopping.get(CLUSTER_STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // Like a crash: its replicas catch up from the others and its log is recovered at the next start.
            LOG.warn("kafka: node {} found no controller majority to hand over to within {} s (the other nodes are "
                    + "down); stopping without a controlled shutdown", broker.nodeId(), CLUSTER_STOP_GRACE.toSeconds());
        } catch (ExecutionException e) {
            throw new IllegalStateException("stopping node " + broker.nodeId() + " failed: " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    /** The SCRAM and TLS listeners the options ask for; none by default. */
    SecureListeners secureListeners() {
        SecureListeners secure = SecureListeners.NONE;
        if (saslPort != null) {
            String password = System.getenv(SCRAM_PASSWORD_ENV);
            if (password == null || password.isBlank()) {
                throw new IllegalArgumentException("--sasl-port needs the SCRAM user's password in " + SCRAM_PASSWORD_ENV);
            }
            secure = secure.withScram(saslPort, Map.of(scramUser, password));
        }
        if (tlsPort != null) {
            secure = secure.withTls(tlsPort, TlsStores.inDirectory(dataDir.resolve("kafka-tls"), host), tlsClientAuth);
        }
        return secure;
    }

    /** The cluster membership the options describe; {@code null} for the single-node default. */
    EmbeddedKafkaBroker.Member member() {
        if (nodeId == null && controllerQuorum == null && controllerPort == null && clusterId == null) {
            return null;
        }
        if (nodeId == null || controllerQuorum == null || clusterId == null) {
            throw new IllegalArgumentException("a cluster node needs --node-id, --controller-quorum and --cluster-id "
                    + "together (the same quorum and cluster id on every node)");
        }
        EmbeddedKafkaBroker.Member member = new EmbeddedKafkaBroker.Member(nodeId, controllerQuorum, clusterId);
        if (controllerPort != null && controllerPort != member.controllerPort()) {
            throw new IllegalArgumentException("--controller-port " + controllerPort + " differs from node " + nodeId
                    + "'s entry in --controller-quorum (port " + member.controllerPort() + ")");
        }
        if (port == member.controllerPort()) {
            throw new IllegalArgumentException("--port " + port + " is also node " + nodeId + "'s controller port");
        }
        return member;
    }
}
