package dev.wecompipeline.launcher;

import java.time.Duration;

import dev.wecompipeline.config.ConfigException;
import dev.wecompipeline.config.ConfigLoader;
import dev.wecompipeline.config.KafkaConfig;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.kafka.KafkaAccessFailure;
import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.KafkaConnection;
import dev.wecompipeline.kafka.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Start-up steps every service command shares: configuration, Kafka address, topics. */
final class ServiceStartup {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceStartup.class);
    /** How long start-up waits for Kafka to create or list topics before giving up. */
    static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);

    private ServiceStartup() {
    }

    /**
     * Loads and validates configuration from the environment and config.yaml, logging it with
     * secrets masked. Each load-time warning (a secret trimmed of surrounding whitespace, an
     * unknown key) is logged exactly once, as its own WARN line; the summary line leaves them out.
     */
    static PipelineConfig loadConfig() {
        PipelineConfig config = ConfigLoader.load(System.getenv());
        config.warnings().forEach(w -> LOG.warn("config: {}", w));
        LOG.info("config: {}", config.describeSettings().replace("\n", "; "));
        return config;
    }

    /** The configured cluster; the standalone service commands have no embedded broker to fall back on. */
    static String requireExternalKafka(PipelineConfig config) {
        if (config.kafka().usesEmbeddedBroker()) {
            throw new ConfigException(KafkaConfig.BOOTSTRAP_SERVERS.env(),
                    "is required for this command (use `all-in-one` for an embedded broker)");
        }
        return config.kafka().bootstrapServers();
    }

    /**
     * Creates missing topics; fails start-up with one clear line when Kafka cannot be reached or
     * turns the client away (wrong password, missing ACL, untrusted certificate): those never heal
     * by retrying, so the process ends instead of filling the log.
     */
    static void ensureTopics(PipelineConfig config, String bootstrap) throws InterruptedException {
        KafkaConnection kafka = KafkaConnection.of(bootstrap, config.kafka());
        try (Admin admin = Admin.create(KafkaClientSettings.admin(kafka, "wecom-pipeline-setup"))) {
            Topics.ensure(admin, config.kafka(), TOPIC_TIMEOUT);
            LOG.info("kafka: {} reachable, topics in place", kafka);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrap + " did not answer within " + TOPIC_TIMEOUT.toSeconds()
                    + " s (is it running? is " + KafkaConfig.BOOTSTRAP_SERVERS.env() + " right?"
                    + (kafka.properties().isEmpty() ? "" : " is security.protocol what its listener expects?") + ")");
        } catch (RuntimeException e) {
            throw KafkaAccessFailure.of(e, kafka).<RuntimeException>map(f -> new IllegalStateException(f.oneLine(kafka)))
                    .orElse(e);
        }
    }
}
