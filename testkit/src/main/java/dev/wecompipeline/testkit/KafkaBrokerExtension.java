package dev.wecompipeline.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import dev.wecompipeline.kafka.embedded.EmbeddedKafkaBroker;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Gives tests a real Kafka broker, one per test run (per JVM), shared by every test class.
 *
 * <p>Where the broker comes from, first match wins:
 * <ol>
 *   <li>{@code KAFKA_BOOTSTRAP_SERVERS} (environment or system property): an existing cluster;</li>
 *   <li>Testcontainers' {@code apache/kafka} image, when a Docker engine answers;</li>
 *   <li>an {@link EmbeddedKafkaBroker} in this JVM, on a temporary directory.</li>
 * </ol>
 *
 * <pre>{@code
 * @ExtendWith(KafkaBrokerExtension.class)
 * class RoundTripTest {
 *     @Test
 *     void a_record_comes_back(KafkaBroker kafka) { ... kafka.bootstrapServers() ... }
 * }
 * }</pre>
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, ParameterResolver {

    /** Environment variable (or system property) naming an existing cluster to test against. */
    public static final String BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS";
    /** Image used where Docker exists; override with the system property {@code wecom.test.kafka.image}. */
    public static final String DEFAULT_IMAGE = "apache/kafka:4.1.0";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        broker(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == KafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return broker(extensionContext);
    }

    /** The run-wide broker, started on first use; closed by JUnit when the run ends. */
    public static KafkaBroker broker(ExtensionContext context) {
        ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
        return store.computeIfAbsent(SharedBroker.class, k -> SharedBroker.start(), SharedBroker.class).broker;
    }

    /** Holder stored in the root context so JUnit closes it after the last test of the run. */
    private static final class SharedBroker implements AutoCloseable {
        private final KafkaBroker broker;
        private final AutoCloseable resource;

        private SharedBroker(KafkaBroker broker, AutoCloseable resource) {
            this.broker = broker;
            this.resource = resource;
        }

        static SharedBroker start() {
            String external = Optional.ofNullable(System.getenv(BOOTSTRAP_ENV))
                    .or(() -> Optional.ofNullable(System.getProperty(BOOTSTRAP_ENV)))
                    .filter(s -> !s.isBlank())
                    .orElse(null);
            if (external != null) {
                LOG.info("Tests use the Kafka cluster at {} ({})", external, BOOTSTRAP_ENV);
                return new SharedBroker(new KafkaBroker(external, "external", Optional.empty()), () -> { });
            }
            if (dockerAvailable()) {
                KafkaContainer container = new KafkaContainer(
                        DockerImageName.parse(System.getProperty("wecom.test.kafka.image", DEFAULT_IMAGE)));
                container.start();
                LOG.info("Tests use a Testcontainers Kafka broker at {}", container.getBootstrapServers());
                return new SharedBroker(new KafkaBroker(container.getBootstrapServers(), "testcontainers", Optional.empty()),
                        container::stop);
            }
            try {
                Path dir = Files.createTempDirectory("wecom-test-kafka");
                EmbeddedKafkaBroker embedded = new EmbeddedKafkaBroker(dir.resolve("kafka"), 0).start();
                LOG.info("Tests use an embedded Kafka broker at {}", embedded.bootstrapServers());
                return new SharedBroker(new KafkaBroker(embedded.bootstrapServers(), "embedded", Optional.of(embedded)),
                        () -> {
                            embedded.close();
                            TempDirs.deleteRecursively(dir);
                        });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static boolean dockerAvailable() {
            // Asking Testcontainers costs a second and an ERROR log line where there is plainly no engine.
            boolean hint = System.getenv("DOCKER_HOST") != null
                    || Files.exists(Path.of("/var/run/docker.sock"))
                    || Files.exists(Path.of(System.getProperty("user.home"), ".testcontainers.properties"));
            if (!hint) {
                return false;
            }
            try {
                return DockerClientFactory.instance().isDockerAvailable();
            } catch (Throwable notAvailable) {
                // No Docker engine (the usual case on our machines): fall through to the embedded broker.
                return false;
            }
        }

        @Override
        public void close() throws Exception {
            resource.close();
        }
    }
}
