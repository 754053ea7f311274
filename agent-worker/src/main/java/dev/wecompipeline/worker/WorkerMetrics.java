package dev.wecompipeline.worker;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/** The worker's meters: in-flight tasks, queue depths, agent durations, outcomes, commits and lag. */
final class WorkerMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final Map<TaskRunner.Ending, Timer> durations = new ConcurrentHashMap<>();
    private final Counter commits;
    private final Counter committedRecords;
    private final Counter commitFailures;
    private volatile double lag;
    private long lagReadAt;

    WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.commits = Counter.builder("wecom.worker.commits").description("Transactions committed").register(registry);
        this.committedRecords = Counter.builder("wecom.worker.committed.records")
                .description("Replies, session updates and dead letters committed").register(registry);
        this.commitFailures = Counter.builder("wecom.worker.commit.failures")
                .description("Transactions aborted and retried").register(registry);
        Gauge.builder("wecom.worker.consumer.lag", () -> lag)
                .description("Largest record lag of any owned partition (records-lag-max)").register(registry);
    }

    void bindScheduler(IntSupplier inFlight, IntSupplier waiting, IntSupplier deepestQueue) {
        Gauge.builder("wecom.worker.tasks.inflight", inFlight::getAsInt).description("Agent tasks running").register(registry);
        Gauge.builder("wecom.worker.tasks.waiting", waiting::getAsInt)
                .description("Polled messages waiting for their user's earlier message or a free slot").register(registry);
        Gauge.builder("wecom.worker.key.queue.depth.max", deepestQueue::getAsInt)
                .description("Longest per-user queue").register(registry);
    }

    void outcome(String outcome) {
        outcomes.computeIfAbsent(outcome, o -> Counter.builder("wecom.worker.messages")
                .description("Inbound messages by outcome").tag("outcome", o).register(registry)).increment();
    }

    double outcomeCount(String outcome) {
        Counter c = outcomes.get(outcome);
        return c == null ? 0 : c.count();
    }

    void agentDuration(long nanos, TaskRunner.Ending ending) {
        durations.computeIfAbsent(ending, e -> Timer.builder("wecom.worker.agent.duration")
                .description("Agent call duration").tag("ending", e.name().toLowerCase(java.util.Locale.ROOT))
                .publishPercentileHistogram().register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    void committed(int records) {
        commits.increment();
        committedRecords.increment(records);
    }

    void commitFailed() {
        commitFailures.increment();
    }

    /** Reads the consumer's records-lag-max at most once a second (called from the poll thread). */
    void updateLag(Map<MetricName, ? extends Metric> consumerMetrics) {
        long now = System.nanoTime();
        if (now - lagReadAt < 1_000_000_000L) {
            return;
        }
        lagReadAt = now;
        for (Map.Entry<MetricName, ? extends Metric> e : consumerMetrics.entrySet()) {
            if (e.getKey().name().equals("records-lag-max") && e.getKey().group().equals("consumer-fetch-manager-metrics")
                    && !e.getKey().tags().containsKey("topic")) {
                Object v = e.getValue().metricValue();
                if (v instanceof Double d && !d.isNaN()) {
                    lag = d;
                }
            }
        }
    }
}
