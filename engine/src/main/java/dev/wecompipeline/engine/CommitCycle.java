package dev.wecompipeline.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's side of the transactional producer: when a commit is due, what it carries (the
 * staged outputs of the records each partition's commit point includes, the loose outputs, and
 * every dirty partition's offset and metadata), and what each result means for the staged state.
 * A timed-out commit is kept and retried as is; an aborted one leaves everything staged for the
 * next (with outputs Kafka refused for good replaced by dead letters); a fatal one is reported to
 * the engine, which rebuilds. Loop thread only.
 *
 * <p>A commit runs on the loop thread, so none is in flight whenever the loop asks: work finished
 * since the last commit is committed at once (after {@code commitInterval}, zero by default), and
 * under load the work that finished during one commit goes in the next, which is all the batching
 * there is. Work that could not go in the last commit (aborted, or beyond what the offset metadata
 * can carry) is tried again only every {@link #RETRY_INTERVAL}, so a broker refusing commits or a
 * partition at the metadata cap never turns the loop into a busy one.
 */
final class CommitCycle {

    private static final Logger LOG = LoggerFactory.getLogger(CommitCycle.class);
    /** How soon work left over by the last commit is tried again when nothing new has finished. */
    static final Duration RETRY_INTERVAL = Duration.ofMillis(100);

    /** What a commit call left behind. */
    enum Result {
        /** Nothing done remains uncommitted. */
        CLEAN,
        /** Something remains: not due yet, aborted, timed out, or no producer yet. */
        DIRTY,
        /** The producer is unusable: close it and redo the owned partitions from their commits. */
        FATAL
    }

    /** What one commit attempt carries, kept while a timed-out commit is retried. */
    private record Snapshot(Map<PartitionState, PartitionProgress.CommitPoint> points,
                            Map<PartitionState, Integer> looseCounts, List<ProducerRecord<String, byte[]>> records,
                            List<Map.Entry<PartitionState, Long>> owners) {
    }

    private final EngineSettings settings;
    private final Processor<?> processor;
    private final ProcessingEngine.Clients clients;
    private final EngineMetrics metrics;
    private final LongSupplier nanos;
    private Producer<String, byte[]> producer;
    private Snapshot pending;
    /** When the last commit attempt ended. */
    private long lastCommitNanos;
    private boolean lastFailed;
    private RuntimeException lastFailure;

    CommitCycle(EngineSettings settings, Processor<?> processor, ProcessingEngine.Clients clients,
                EngineMetrics metrics, LongSupplier nanos) {
        this.settings = settings;
        this.processor = processor;
        this.clients = clients;
        this.metrics = metrics;
        this.nanos = nanos;
        this.lastCommitNanos = nanos.getAsLong();
    }

    /**
     * Commits what is done in {@code owned}, when due (or now when {@code force}).
     *
     * @param group the consumer's group metadata, so a member that lost its partitions cannot commit
     */
    Result commit(Collection<PartitionState> owned, Supplier<ConsumerGroupMetadata> group, boolean force) {
        if (!ensureProducer()) {
            return Result.DIRTY;
        }
        if (pending != null) {
            return apply(owned, pending, TransactionalCommitter.finish(producer, List.of()));
        }
        List<PartitionState> dirty = committable(owned);
        if (dirty.isEmpty()) {
            return Result.CLEAN;
        }
        if (!force && dueInNanos(dirty) > 0) {
            return Result.DIRTY;
        }
        Snapshot snap = snapshot(dirty);
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        snap.points().forEach((s, p) -> offsets.put(s.tp, p.offset()));
        return apply(owned, snap, TransactionalCommitter.commit(producer, snap.records(), offsets, group.get()));
    }

    /**
     * How long until a commit is due: 0 when one is due now, -1 when there is nothing to commit.
     * The loop polls no longer than this, so a due commit never waits for the poll timeout.
     */
    long dueInNanos(Collection<PartitionState> owned) {
        if (producer != null && pending != null) {
            return 0;
        }
        return dueInNanos(committable(owned));
    }

    /** The partitions with work to commit; one still loading is left out until its history is read. */
    private static List<PartitionState> committable(Collection<PartitionState> owned) {
        return owned.stream().filter(s -> !s.loading && s.dirty()).toList();
    }

    private long dueInNanos(List<PartitionState> dirty) {
        if (dirty.isEmpty()) {
            return -1;
        }
        boolean fresh = dirty.stream().anyMatch(s -> s.fresh);
        Duration gap = fresh && !lastFailed ? settings.commitInterval() : RETRY_INTERVAL;
        return Math.max(0, lastCommitNanos + gap.toNanos() - nanos.getAsLong());
    }

    /** Why the last commit was fatal. */
    RuntimeException lastFailure() {
        return lastFailure;
    }

    boolean hasProducer() {
        return producer != null;
    }

    /** A commit in flight for partitions now lost can never complete: forget it. */
    void forgetPending() {
        pending = null;
    }

    private Snapshot snapshot(List<PartitionState> dirty) {
        Map<PartitionState, PartitionProgress.CommitPoint> points = new HashMap<>();
        Map<PartitionState, Integer> looseCounts = new HashMap<>();
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        List<Map.Entry<PartitionState, Long>> owners = new ArrayList<>();
        int widest = 0;
        for (PartitionState s : dirty) {
            s.fresh = false;
            for (ProducerRecord<String, byte[]> r : s.loose) {
                records.add(r);
                owners.add(Map.entry(s, -1L));
            }
            looseCounts.put(s, s.loose.size());
            PartitionProgress.CommitPoint point = s.progress.commitPoint(settings.metadataMaxBytes());
            if (point == null) {
                continue;
            }
            points.put(s, point);
            int chars = point.offset().metadata().length();
            widest = Math.max(widest, chars);
            updateCrowded(s, chars);
            for (long offset : point.included()) {
                for (ProducerRecord<String, byte[]> r : s.staged.getOrDefault(offset, List.of())) {
                    records.add(r);
                    owners.add(Map.entry(s, offset));
                }
            }
        }
        metrics.metadataChars = widest;
        return new Snapshot(points, looseCounts, records, owners);
    }

    /** At the high-water mark a partition stops starting records beyond its done span; well below it, again. */
    private void updateCrowded(PartitionState s, int chars) {
        boolean wasCrowded = s.crowded;
        s.crowded = chars >= settings.metadataHighWater()
                || (s.crowded && chars >= settings.metadataHighWater() * 2 / 3);
        if (s.crowded != wasCrowded) {
            LOG.info("{}: offset metadata of {} is {} chars of {}: {}", settings.name(), s.tp, chars,
                    settings.metadataMaxBytes(), s.crowded ? "records beyond the done span wait"
                            : "records beyond the done span start again");
        }
    }

    private Result apply(Collection<PartitionState> owned, Snapshot snap, TransactionalCommitter.Attempt attempt) {
        lastCommitNanos = nanos.getAsLong();
        lastFailed = attempt.result() != TransactionalCommitter.Result.COMMITTED;
        switch (attempt.result()) {
            case COMMITTED -> {
                pending = null;
                for (Map.Entry<PartitionState, PartitionProgress.CommitPoint> e : snap.points().entrySet()) {
                    PartitionState s = e.getKey();
                    s.progress.committed(e.getValue());
                    e.getValue().included().forEach(s.staged::remove);
                }
                snap.looseCounts().forEach((s, n) -> s.loose.subList(0, n).clear());
                for (PartitionState s : snap.looseCounts().keySet()) {
                    s.dirtySinceNanos = s.dirty() ? lastCommitNanos : -1;
                }
                metrics.committed();
                return owned.stream().anyMatch(PartitionState::dirty) ? Result.DIRTY : Result.CLEAN;
            }
            case PENDING -> {
                pending = snap;
                metrics.commitFailed("timeout");
                LOG.warn("{}: commit timed out, retrying it: {}", settings.name(), attempt.cause().getMessage());
            }
            case ABORTED -> {
                pending = null;
                metrics.commitFailed("aborted");
                LOG.warn("{}: commit of {} records aborted, redoing it: {}", settings.name(), snap.records().size(),
                        attempt.cause().toString());
                attempt.poisoned().forEach(i -> poison(snap, i));
            }
            case FATAL -> {
                pending = null;
                metrics.commitFailed("fatal");
                lastFailure = attempt.cause();
                return Result.FATAL;
            }
        }
        return Result.DIRTY;
    }

    /** Replaces the outputs of the record whose send could never succeed by its dead letter. */
    private void poison(Snapshot snap, int index) {
        Map.Entry<PartitionState, Long> owner = snap.owners().get(index);
        PartitionState s = owner.getKey();
        ProducerRecord<String, byte[]> bad = snap.records().get(index);
        LOG.warn("{}: output to {} refused by Kafka; dead-lettering its record", settings.name(), bad.topic());
        if (owner.getValue() < 0) {
            s.loose.remove(bad);
            return;
        }
        List<ProducerRecord<String, byte[]>> outs = s.staged.get(owner.getValue());
        ProducerRecord<String, byte[]> first = outs == null || outs.isEmpty() ? bad : outs.get(0);
        ConsumerRecord<String, byte[]> stand = new ConsumerRecord<>(s.tp.topic(), s.tp.partition(), owner.getValue(),
                first.key(), first.value());
        s.staged.put(owner.getValue(), List.of(processor.deadLetter(stand, "refused by Kafka: record too large or invalid")));
    }

    /** Builds and initialises the transactional producer if there is none; false while the cluster does not answer. */
    boolean ensureProducer() {
        if (producer != null) {
            return true;
        }
        try {
            Producer<String, byte[]> p = clients.producer();
            try {
                p.initTransactions();
            } catch (TimeoutException e) {
                LOG.warn("{}: producer not ready yet ({}); trying again", settings.name(), e.getMessage());
                p.close(Duration.ZERO);
                return false;
            }
            producer = p;
            return true;
        } catch (KafkaException e) {
            if (TransactionalCommitter.isFatal(e)) {
                throw e;
            }
            LOG.warn("{}: producer not ready yet ({}); trying again", settings.name(), e.toString());
            return false;
        }
    }

    void closeProducer(Duration timeout) {
        pending = null;
        if (producer != null) {
            try {
                producer.close(timeout);
            } catch (RuntimeException e) {
                LOG.warn("{}: producer close: {}", settings.name(), e.toString());
            }
            producer = null;
        }
    }
}
