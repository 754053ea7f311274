package dev.wecompipeline.worker;

import java.time.Duration;
import java.util.Objects;

import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.config.WorkerConfig;

/**
 * Tuning of the worker's poll loop, built once. Defaults suit production; tests shorten the grace
 * period and the commit interval.
 *
 * @param concurrency    agent tasks in flight per process ({@code WORKER_CONCURRENCY})
 * @param agentTimeout   an agent call taking longer is interrupted and answered with the apology
 * @param apology        the reply sent when an agent fails or times out
 * @param replyFormat    {@code text} or {@code markdown}, written into every reply record
 * @param historyTurns   conversation turns kept per user for agents that use history
 * @param commitInterval how often finished work is committed (replies, offsets, sessions in one transaction)
 * @param revokeGrace    how long in-flight tasks of a revoked partition (or of all, on shutdown) may finish
 * @param dedupeWindow   a message id seen again within this much record time is a duplicate (at least 300 s)
 * @param maxWaiting     polled-but-not-started records at which the loop pauses fetching
 * @param instanceId     stable id of this worker process; the base of its transactional id, so a
 *                       restarted worker fences its predecessor's unfinished transaction at once
 */
public record WorkerSettings(int concurrency, Duration agentTimeout, String apology, String replyFormat,
                             int historyTurns, Duration commitInterval, Duration revokeGrace,
                             Duration dedupeWindow, int maxWaiting, String instanceId) {

    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(100);
    public static final Duration DEFAULT_REVOKE_GRACE = Duration.ofSeconds(30);
    /** Twice WeCom's retry horizon and the ingress cache's TTL: duplicates are caught well after both. */
    public static final Duration DEFAULT_DEDUPE_WINDOW = Duration.ofSeconds(600);

    public WorkerSettings {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1");
        }
        Objects.requireNonNull(agentTimeout, "agentTimeout");
        Objects.requireNonNull(apology, "apology");
        Objects.requireNonNull(instanceId, "instanceId");
        if (dedupeWindow.compareTo(Duration.ofSeconds(300)) < 0) {
            throw new IllegalArgumentException("dedupeWindow must be at least 300 s");
        }
        if (maxWaiting < 1) {
            maxWaiting = Math.max(1000, concurrency * 4);
        }
    }

    /** Settings with production defaults for everything but the given values. */
    public static WorkerSettings of(int concurrency, Duration agentTimeout, String replyFormat, String instanceId) {
        return new WorkerSettings(concurrency, agentTimeout, WorkerConfig.DEFAULT_APOLOGY, replyFormat,
                WorkerConfig.DEFAULT_HISTORY_TURNS, DEFAULT_COMMIT_INTERVAL, DEFAULT_REVOKE_GRACE,
                DEFAULT_DEDUPE_WINDOW, 0, instanceId);
    }

    /** Settings from the operator's configuration (WORKER_*, AGENT_*, REPLY_FORMAT). */
    public static WorkerSettings from(PipelineConfig config, String instanceId) {
        WorkerConfig w = config.worker();
        return new WorkerSettings(w.concurrency(), w.agentTimeout(), w.apology(),
                config.reply().format().name().toLowerCase(java.util.Locale.ROOT), w.historyTurns(),
                DEFAULT_COMMIT_INTERVAL, DEFAULT_REVOKE_GRACE, DEFAULT_DEDUPE_WINDOW, 0, instanceId);
    }

    public WorkerSettings withRevokeGrace(Duration grace) {
        return new WorkerSettings(concurrency, agentTimeout, apology, replyFormat, historyTurns, commitInterval,
                grace, dedupeWindow, maxWaiting, instanceId);
    }

    public WorkerSettings withApology(String text) {
        return new WorkerSettings(concurrency, agentTimeout, text, replyFormat, historyTurns, commitInterval,
                revokeGrace, dedupeWindow, maxWaiting, instanceId);
    }

    public WorkerSettings withHistoryTurns(int turns) {
        return new WorkerSettings(concurrency, agentTimeout, apology, replyFormat, turns, commitInterval,
                revokeGrace, dedupeWindow, maxWaiting, instanceId);
    }
}
