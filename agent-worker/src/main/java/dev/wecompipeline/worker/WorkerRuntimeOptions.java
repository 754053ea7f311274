package dev.wecompipeline.worker;

import java.time.Duration;
import java.util.Objects;

import dev.wecompipeline.config.EngineConfig;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.config.WorkerConfig;
import dev.wecompipeline.engine.EngineSettings;

/**
 * What one worker process runs with, resolved once at start-up: the operator's settings
 * ({@link WorkerConfig}, read from the environment and config.yaml) joined with this process's
 * instance id and the values no operator sets (revoke grace, dedupe window). Defaults suit
 * production; tests build one with the canonical constructor to shorten the grace period.
 *
 * @param concurrency     agent tasks in flight per process ({@code WORKER_CONCURRENCY})
 * @param agentTimeout    an agent call taking longer is interrupted and answered with the apology
 * @param apology         the reply sent when an agent fails or times out
 * @param replyFormat     {@code text} or {@code markdown}, written into every reply record
 * @param historyTurns    conversation turns kept per user for agents that use history
 * @param revokeGrace     how long in-flight tasks of a revoked partition (or of all, on shutdown) may finish
 * @param dedupeWindow    a message id seen again within this much record time is a duplicate (at least 300 s)
 * @param answerMaxChars  an answer longer than this is cut and says so (WeCom splits replies into
 *                        2048-byte messages, 30 a minute per user: a longer answer floods the user)
 * @param historyMaxBytes a user's stored session stays under this; the oldest turns go first
 * @param engineBounds    the engine's stall timeout, offset-metadata cap and queue bounds
 * @param instanceId      id of this worker process; the base of its transactional id
 * @param progressNotice  what a message whose agent is slow gets first, if anything
 */
public record WorkerRuntimeOptions(int concurrency, Duration agentTimeout, String apology, String replyFormat,
                             int historyTurns, Duration revokeGrace, Duration dedupeWindow, int answerMaxChars,
                             int historyMaxBytes, EngineConfig engineBounds, String instanceId,
                             ProgressNotice progressNotice) {

    /**
     * A short word sent while the agent still thinks: when it has not answered {@code after} the
     * message, the user gets {@code text}, once, before the answer.
     *
     * @param after how long an agent may take before the notice goes out; zero sends none
     * @param text  the notice ({@code AGENT_PROGRESS_NOTICE})
     */
    public record ProgressNotice(Duration after, String text) {

        public static final ProgressNotice OFF = new ProgressNotice(Duration.ZERO, WorkerConfig.PROGRESS_NOTICE.defaultValue());

        public ProgressNotice {
            Objects.requireNonNull(after, "after");
            Objects.requireNonNull(text, "text");
            if (after.isNegative()) {
                throw new IllegalArgumentException("after must not be negative");
            }
            if (!after.isZero() && text.isBlank()) {
                throw new IllegalArgumentException("text must not be blank");
            }
        }
    }

    public static final Duration DEFAULT_REVOKE_GRACE = EngineSettings.DEFAULT_REVOKE_GRACE;
    /** Twice WeCom's retry horizon and the ingress cache's TTL: duplicates are caught well after both. */
    public static final Duration DEFAULT_DEDUPE_WINDOW = Duration.ofSeconds(600);
    public static final int DEFAULT_ANSWER_MAX_CHARS = WorkerConfig.ANSWER_MAX_CHARS.defaultValue();
    public static final int DEFAULT_HISTORY_MAX_BYTES = WorkerConfig.HISTORY_MAX_BYTES.defaultValue();
    /** Appended to a cut answer; {@code %d} is the answer's full length in characters. */
    static final String TRUNCATION_NOTE = "\n\n[Answer truncated: it had %d characters.]";

    public WorkerRuntimeOptions {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1");
        }
        Objects.requireNonNull(agentTimeout, "agentTimeout");
        Objects.requireNonNull(apology, "apology");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(revokeGrace, "revokeGrace");
        Objects.requireNonNull(engineBounds, "engineBounds");
        Objects.requireNonNull(progressNotice, "progressNotice");
        if (dedupeWindow.compareTo(Duration.ofSeconds(300)) < 0) {
            throw new IllegalArgumentException("dedupeWindow must be at least 300 s");
        }
        if (historyMaxBytes < 1024) {
            throw new IllegalArgumentException("historyMaxBytes must be at least 1024");
        }
    }

    /** Settings with production defaults for everything but the given values. */
    public static WorkerRuntimeOptions of(int concurrency, Duration agentTimeout, String replyFormat, String instanceId) {
        return new WorkerRuntimeOptions(concurrency, agentTimeout, WorkerConfig.APOLOGY.defaultValue(), replyFormat,
                WorkerConfig.HISTORY_TURNS.defaultValue(), DEFAULT_REVOKE_GRACE, DEFAULT_DEDUPE_WINDOW,
                DEFAULT_ANSWER_MAX_CHARS, DEFAULT_HISTORY_MAX_BYTES, EngineConfig.defaults(), instanceId,
                ProgressNotice.OFF);
    }

    /** Settings from the operator's configuration (WORKER_*, AGENT_*, REPLY_FORMAT). */
    public static WorkerRuntimeOptions from(PipelineConfig config, String instanceId) {
        WorkerConfig w = config.worker();
        return new WorkerRuntimeOptions(w.concurrency(), w.agentTimeout(), w.apology(),
                config.reply().format().name().toLowerCase(java.util.Locale.ROOT), w.historyTurns(),
                DEFAULT_REVOKE_GRACE, DEFAULT_DEDUPE_WINDOW, w.answerMaxChars(), w.historyMaxBytes(), config.engine(),
                instanceId, new ProgressNotice(w.progressNoticeAfter(), w.progressNotice()));
    }

    /** The engine's settings for the worker's loop. */
    EngineSettings engine() {
        return engineBounds.settings("worker", concurrency, revokeGrace);
    }
}
