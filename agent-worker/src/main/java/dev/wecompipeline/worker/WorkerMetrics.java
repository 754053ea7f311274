package dev.wecompipeline.worker;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The worker's own meters: agent durations, cut answers and progress notices. Records, queues,
 * commits and lag are the engine's ({@code wecom_engine_*{loop="worker"}}).
 */
final class WorkerMetrics {

    private final MeterRegistry registry;
    private final Map<TaskRunner.Ending, Timer> durations = new ConcurrentHashMap<>();
    private final Counter truncated;
    private final Counter progressNotices;

    WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.truncated = Counter.builder("wecom.worker.answers.truncated")
                .description("Agent answers cut at the answer cap").register(registry);
        this.progressNotices = Counter.builder("wecom.worker.progress.notices")
                .description("Progress notices emitted for agents slower than AGENT_PROGRESS_NOTICE_AFTER")
                .register(registry);
    }

    void agentDuration(long nanos, TaskRunner.Ending ending) {
        durations.computeIfAbsent(ending, e -> Timer.builder("wecom.worker.agent.duration")
                .description("Agent call duration").tag("ending", e.name().toLowerCase(java.util.Locale.ROOT))
                .publishPercentileHistogram().register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    void truncated() {
        truncated.increment();
    }

    void progressNotice() {
        progressNotices.increment();
    }
}
