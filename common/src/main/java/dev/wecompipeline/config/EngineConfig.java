package dev.wecompipeline.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.wecompipeline.config.ConfigException.Problem;
import dev.wecompipeline.engine.EngineSettings;

/**
 * The bounds of the exactly-once engine that the worker and the reply-service share.
 *
 * <p>YAML keys live under {@value #YAML_SECTION}.
 *
 * @param stallTimeout           finished work left uncommitted this long turns {@code /ready} to 503
 * @param offsetMetadataMaxBytes the brokers' {@code offset.metadata.max.bytes}: the offset map never exceeds it
 * @param maxQueuedPerKey        records of one user held in memory; the rest are read again later
 * @param maxHeldPerPartition    records of one partition held in memory before its fetch pauses
 */
public record EngineConfig(Duration stallTimeout, int offsetMetadataMaxBytes, int maxQueuedPerKey,
                           int maxHeldPerPartition) {

    public static final String YAML_SECTION = "engine";

    public static final String STALL_TIMEOUT_ENV = "ENGINE_STALL_TIMEOUT";
    public static final String STALL_TIMEOUT_YAML = "stall_timeout";
    public static final Duration DEFAULT_STALL_TIMEOUT = EngineSettings.DEFAULT_STALL_TIMEOUT;

    public static final String OFFSET_METADATA_MAX_BYTES_ENV = "ENGINE_OFFSET_METADATA_MAX_BYTES";
    public static final String OFFSET_METADATA_MAX_BYTES_YAML = "offset_metadata_max_bytes";
    public static final int DEFAULT_OFFSET_METADATA_MAX_BYTES = EngineSettings.DEFAULT_METADATA_MAX_BYTES;

    public static final String MAX_QUEUED_PER_KEY_ENV = "ENGINE_MAX_QUEUED_PER_KEY";
    public static final String MAX_QUEUED_PER_KEY_YAML = "max_queued_per_key";
    public static final int DEFAULT_MAX_QUEUED_PER_KEY = EngineSettings.DEFAULT_MAX_QUEUED_PER_KEY;

    public static final String MAX_HELD_PER_PARTITION_ENV = "ENGINE_MAX_HELD_PER_PARTITION";
    public static final String MAX_HELD_PER_PARTITION_YAML = "max_held_per_partition";
    public static final int DEFAULT_MAX_HELD_PER_PARTITION = EngineSettings.DEFAULT_MAX_HELD_PER_PARTITION;

    public EngineConfig {
        List<Problem> out = new ArrayList<>();
        Checks.positive(out, key(STALL_TIMEOUT_YAML), stallTimeout);
        Checks.atLeast(out, key(OFFSET_METADATA_MAX_BYTES_YAML), offsetMetadataMaxBytes, 64);
        Checks.atLeast(out, key(MAX_QUEUED_PER_KEY_YAML), maxQueuedPerKey, 1);
        Checks.atLeast(out, key(MAX_HELD_PER_PARTITION_YAML), maxHeldPerPartition, Math.max(1, maxQueuedPerKey));
        if (!out.isEmpty()) {
            throw new ConfigException(out);
        }
    }

    public static EngineConfig defaults() {
        return new EngineConfig(DEFAULT_STALL_TIMEOUT, DEFAULT_OFFSET_METADATA_MAX_BYTES, DEFAULT_MAX_QUEUED_PER_KEY,
                DEFAULT_MAX_HELD_PER_PARTITION);
    }

    /** The settings of one loop ({@code worker} or {@code reply}) with these bounds. */
    public EngineSettings settings(String loop, int maxInFlight, Duration revokeGrace) {
        return EngineSettings.defaults(loop, maxInFlight).withRevokeGrace(revokeGrace)
                .withQueueBounds(maxQueuedPerKey, maxHeldPerPartition)
                .withMetadataMaxBytes(offsetMetadataMaxBytes).withStallTimeout(stallTimeout);
    }

    /** One line for the startup log. */
    public String describe() {
        return "engine: stall timeout " + Durations.format(stallTimeout) + ", offset metadata " + offsetMetadataMaxBytes
                + " B, " + maxQueuedPerKey + " queued per user, " + maxHeldPerPartition + " held per partition";
    }

    private static String key(String yamlKey) {
        return YAML_SECTION + "." + yamlKey;
    }
}
