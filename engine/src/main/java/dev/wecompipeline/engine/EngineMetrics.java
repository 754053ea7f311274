package dev.wecompipeline.engine;

import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The engine's meters, tagged with the loop's name: {@code wecom_engine_*}. Gauges read values the
 * loop thread publishes once per round, never the loop's own collections.
 */
final class EngineMetrics {

    private final MeterRegistry registry;
    private final String loop;
    private final Counter commits;
    private final Map<String, Counter> records = new java.util.concurrent.ConcurrentHashMap<>();
    volatile int inFlight;
    volatile int waiting;
    volatile int deepestQueue;
    volatile int deferred;
    volatile int metadataChars;
    volatile double uncommittedSeconds;
    private volatile double lag;
    private long lagReadAtNanos;

    EngineMetrics(MeterRegistry registry, String loop) {
        this.registry = registry;
        this.loop = loop;
        this.commits = Counter.builder("wecom.engine.commits").tag("loop", loop)
                .description("Transactions committed").register(registry);
        gauge("wecom.engine.in.flight", "Tasks started and not ended", () -> inFlight);
        gauge("wecom.engine.waiting", "Records held in memory waiting for their key", () -> waiting);
        gauge("wecom.engine.deepest.queue", "The longest queue of one key", () -> deepestQueue);
        gauge("wecom.engine.deferred", "Records left in Kafka because their key's queue is full", () -> deferred);
        gauge("wecom.engine.offset.metadata.chars", "Largest offset metadata of an owned partition",
                () -> metadataChars);
        gauge("wecom.engine.consumer.lag", "Largest record lag of any owned partition (records-lag-max)", () -> lag);
        gauge("wecom.engine.uncommitted.seconds", "Age of the oldest finished work not yet committed",
                () -> uncommittedSeconds);
    }

    private void gauge(String name, String description, java.util.function.Supplier<Number> value) {
        Gauge.builder(name, value).tag("loop", loop).description(description).register(registry);
    }

    /** Reads the consumer's records-lag-max, at most once a second (loop thread). */
    void updateLag(Map<MetricName, ? extends Metric> consumerMetrics, long nowNanos) {
        if (nowNanos - lagReadAtNanos < 1_000_000_000L) {
            return;
        }
        lagReadAtNanos = nowNanos;
        for (Map.Entry<MetricName, ? extends Metric> e : consumerMetrics.entrySet()) {
            if (e.getKey().name().equals("records-lag-max") && e.getKey().group().equals("consumer-fetch-manager-metrics")
                    && !e.getKey().tags().containsKey("topic") && e.getValue().metricValue() instanceof Double d
                    && !d.isNaN()) {
                lag = d;
            }
        }
    }

    void committed() {
        commits.increment();
    }

    void commitFailed(String kind) {
        Counter.builder("wecom.engine.commit.failures").tag("loop", loop).tag("kind", kind).register(registry)
                .increment();
    }

    /** Called for every record: the counter per outcome is built once, not looked up each time. */
    void record(String outcome) {
        records.computeIfAbsent(outcome, o -> Counter.builder("wecom.engine.records").tag("loop", loop)
                .tag("outcome", o).description("Records by how they ended").register(registry)).increment();
    }

    double count(String outcome) {
        Counter c = records.get(outcome);
        return c == null ? 0 : c.count();
    }
}
