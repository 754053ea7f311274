package dev.wecompipeline.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * How one {@link ProcessingEngine} loop behaves, built once and never changed.
 *
 * @param name                 the loop's name in logs and metrics ({@code worker}, {@code reply})
 * @param maxInFlight          tasks started and not yet ended, over all keys
 * @param commitInterval       the least time from the end of one commit to the start of the next
 *                             (zero by default): finished work commits as soon as no commit runs,
 *                             and what finishes during a commit goes in the next one; a longer
 *                             interval trades latency for fewer, larger transactions
 * @param revokeGrace          how long in-flight tasks of a revoked partition (or all, at shutdown)
 *                             may finish before they are left to the next owner
 * @param maxQueuedPerKey      records of one key held in memory; the rest are re-read from Kafka
 *                             when the key has room again, so one busy key delays nobody else
 * @param maxHeldPerPartition  records held in memory for one partition before its fetch pauses
 * @param metadataMaxBytes     the broker's {@code offset.metadata.max.bytes} (Kafka's default 4096)
 * @param stallTimeout         finished work not committed for this long makes the loop unready
 * @param maxRecordBytes       an output larger than this is replaced by a dead letter (the
 *                             producer's {@code max.request.size} less room for the batch header)
 */
public record EngineSettings(String name, int maxInFlight, Duration commitInterval, Duration revokeGrace, int maxQueuedPerKey,
                             int maxHeldPerPartition, int metadataMaxBytes, Duration stallTimeout,
                             int maxRecordBytes) {

    /** Commit as soon as no commit runs: commits run on the loop thread, so under load they batch by themselves. */
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ZERO;
    public static final Duration DEFAULT_REVOKE_GRACE = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_QUEUED_PER_KEY = 100;
    public static final int DEFAULT_MAX_HELD_PER_PARTITION = 10_000;
    /** Kafka's default {@code offset.metadata.max.bytes}. */
    public static final int DEFAULT_METADATA_MAX_BYTES = 4096;
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofMinutes(2);
    /** Kafka's default {@code max.request.size} (1 MiB) less 16 KiB for headers and batch framing. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1024 * 1024 - 16 * 1024;

    public EngineSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(commitInterval, "commitInterval");
        Objects.requireNonNull(revokeGrace, "revokeGrace");
        Objects.requireNonNull(stallTimeout, "stallTimeout");
        if (commitInterval.isNegative()) {
            throw new IllegalArgumentException("commitInterval must not be negative, got " + commitInterval);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
        }
        if (maxQueuedPerKey < 1 || maxHeldPerPartition < maxQueuedPerKey) {
            throw new IllegalArgumentException("need 1 <= maxQueuedPerKey <= maxHeldPerPartition, got "
                    + maxQueuedPerKey + " and " + maxHeldPerPartition);
        }
        if (metadataMaxBytes < 64) {
            throw new IllegalArgumentException("metadataMaxBytes must be at least 64, got " + metadataMaxBytes);
        }
    }

    /** Production defaults for a loop called {@code name} running up to {@code maxInFlight} tasks at once. */
    public static EngineSettings defaults(String name, int maxInFlight) {
        return new EngineSettings(name, maxInFlight, DEFAULT_COMMIT_INTERVAL, DEFAULT_REVOKE_GRACE, DEFAULT_MAX_QUEUED_PER_KEY,
                DEFAULT_MAX_HELD_PER_PARTITION, DEFAULT_METADATA_MAX_BYTES, DEFAULT_STALL_TIMEOUT,
                DEFAULT_MAX_RECORD_BYTES);
    }

    public EngineSettings withRevokeGrace(Duration grace) {
        return new EngineSettings(name, maxInFlight, commitInterval, grace, maxQueuedPerKey, maxHeldPerPartition, metadataMaxBytes,
                stallTimeout, maxRecordBytes);
    }

    public EngineSettings withQueueBounds(int perKey, int perPartition) {
        return new EngineSettings(name, maxInFlight, commitInterval, revokeGrace, perKey, perPartition, metadataMaxBytes,
                stallTimeout, maxRecordBytes);
    }

    public EngineSettings withMetadataMaxBytes(int bytes) {
        return new EngineSettings(name, maxInFlight, commitInterval, revokeGrace, maxQueuedPerKey, maxHeldPerPartition, bytes,
                stallTimeout, maxRecordBytes);
    }

    public EngineSettings withStallTimeout(Duration timeout) {
        return new EngineSettings(name, maxInFlight, commitInterval, revokeGrace, maxQueuedPerKey, maxHeldPerPartition,
                metadataMaxBytes, timeout, maxRecordBytes);
    }

    /** Metadata size at which a partition stops starting records beyond its finished span (75 %). */
    public int metadataHighWater() {
        return metadataMaxBytes * 3 / 4;
    }
}
