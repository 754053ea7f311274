package dev.wecompipeline.ops;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.KafkaConnection;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Answers "is Kafka reachable?" for {@code /ready}. The answer is cached briefly so a load
 * balancer polling every few hundred milliseconds does not become load on the cluster.
 */
public final class KafkaReadiness implements AutoCloseable {

    /** How long one probe may take before Kafka counts as unreachable. */
    public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofSeconds(2);
    /** How long a probe's answer is reused. */
    public static final Duration DEFAULT_CACHE = Duration.ofSeconds(1);

    private final Admin admin;
    private final Clock clock;
    private volatile long checkedAt;
    private volatile boolean lastAnswer;

    public KafkaReadiness(KafkaConnection kafka, String clientId) {
        var settings = KafkaClientSettings.admin(kafka, clientId);
        // Fail fast: readiness must answer within a probe's timeout, not after minutes of retries.
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) DEFAULT_PROBE_TIMEOUT.toMillis());
        settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) DEFAULT_PROBE_TIMEOUT.toMillis());
        settings.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        this.admin = Admin.create(settings);
        this.clock = Clock.systemUTC();
    }

    /** True when the cluster answered a metadata request recently. */
    public synchronized boolean isReady() {
        long now = clock.millis();
        if (now - checkedAt < DEFAULT_CACHE.toMillis()) {
            return lastAnswer;
        }
        boolean ok;
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) DEFAULT_PROBE_TIMEOUT.toMillis()))
                    .clusterId().get(DEFAULT_PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            ok = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ok = false;
        } catch (Exception e) {
            ok = false;
        }
        lastAnswer = ok;
        checkedAt = clock.millis();
        return ok;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
