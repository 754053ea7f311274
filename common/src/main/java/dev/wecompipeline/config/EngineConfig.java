package dev.wecompipeline.config;

import static java.time.temporal.ChronoUnit.SECONDS;

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
    private static final String S = YAML_SECTION;

    public static final Setting<Duration> STALL_TIMEOUT = Setting.duration("ENGINE_STALL_TIMEOUT", S, "stall_timeout",
                    EngineSettings.DEFAULT_STALL_TIMEOUT, SECONDS)
            .validatedBy(Validators.positive())
            .doc("finished work left uncommitted this long (or a loop that stops turning) turns `/ready` to 503");
    public static final Setting<Integer> OFFSET_METADATA_MAX_BYTES = Setting.integer("ENGINE_OFFSET_METADATA_MAX_BYTES",
                    S, "offset_metadata_max_bytes", EngineSettings.DEFAULT_METADATA_MAX_BYTES)
            .validatedBy(Validators.atLeast(64))
            .doc("the brokers' `offset.metadata.max.bytes`: the offset map never exceeds it; raise both together");
    public static final Setting<Integer> MAX_QUEUED_PER_KEY = Setting.integer("ENGINE_MAX_QUEUED_PER_KEY", S,
                    "max_queued_per_key", EngineSettings.DEFAULT_MAX_QUEUED_PER_KEY)
            .validatedBy(Validators.atLeast(1))
            .doc("records of one user held in memory; further ones stay in Kafka and are read again when there is room");
    public static final Setting<Integer> MAX_HELD_PER_PARTITION = Setting.integer("ENGINE_MAX_HELD_PER_PARTITION", S,
                    "max_held_per_partition", EngineSettings.DEFAULT_MAX_HELD_PER_PARTITION)
            .doc("records of one partition held in memory before its fetch pauses (at least `ENGINE_MAX_QUEUED_PER_KEY`)");

    /** Every setting of this section, in the README's order. */
    public static final List<Setting<?>> SETTINGS = List.of(STALL_TIMEOUT, OFFSET_METADATA_MAX_BYTES,
            MAX_QUEUED_PER_KEY, MAX_HELD_PER_PARTITION);

    public EngineConfig {
        List<Problem> out = new ArrayList<>();
        STALL_TIMEOUT.check(out, stallTimeout);
        OFFSET_METADATA_MAX_BYTES.check(out, offsetMetadataMaxBytes);
        MAX_QUEUED_PER_KEY.check(out, maxQueuedPerKey);
        Validators.atLeast(out, MAX_HELD_PER_PARTITION.yamlKey(), maxHeldPerPartition, Math.max(1, maxQueuedPerKey));
        if (!out.isEmpty()) {
            throw new ConfigException(out);
        }
    }

    /** The record of {@code v}'s values. */
    public static EngineConfig from(SettingValues v) {
        return new EngineConfig(v.get(STALL_TIMEOUT), v.get(OFFSET_METADATA_MAX_BYTES), v.get(MAX_QUEUED_PER_KEY),
                v.get(MAX_HELD_PER_PARTITION));
    }

    public static EngineConfig defaults() {
        return from(SettingValues.DEFAULTS);
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
}
