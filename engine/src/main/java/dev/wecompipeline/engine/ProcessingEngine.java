package dev.wecompipeline.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keyed, transactional, exactly-once processing loop. One thread owns the consumer, the
 * transactional producer and all bookkeeping; a {@link Processor} says what each record needs and
 * reports finished work through a {@link TaskHandle}. The loop never waits on a task, so a task
 * may take an hour without tripping {@code max.poll.interval.ms}.
 *
 * <ul>
 *   <li><b>Order and fairness</b>: one task in flight per key, keys take turns ({@link KeyScheduler}).</li>
 *   <li><b>Backpressure per key</b>: a key with {@code maxQueuedPerKey} records waiting has further
 *       records left in Kafka (deferred) and read again when it has room, so one busy key never
 *       pauses a partition for the others. A partition pauses only when it holds
 *       {@code maxHeldPerPartition} records, while loading, or while its offset metadata is near
 *       the broker's cap (then nothing beyond its done span starts).</li>
 *   <li><b>Commits</b>: the outputs of done records, the loose outputs (markers) and every dirty
 *       partition's progress, in one transaction ({@link TransactionalCommitter}), as soon as
 *       something finished: a task's news wakes the poll ({@link PollWakeup}); under load what
 *       finishes during one commit goes in the next ({@link CommitCycle}). Abortable
 *       failures redo the batch; fatal ones rebuild the producer and redo every owned partition
 *       from its commit.</li>
 *   <li><b>Honest health</b>: {@link #isReady()} turns false when finished work stays uncommitted
 *       for {@code stallTimeout} or the loop stops turning; a loop that dies closes its clients
 *       without committing and calls {@code onDeath}, which ends the process.</li>
 * </ul>
 *
 * <p>The commit path lives in {@link CommitCycle}. What remains here is one state machine that one
 * thread owns (intake, scheduling, task ends, ownership, rebalance callbacks): kept in one class so
 * that no field of it is ever shared, which is why it is longer than our usual 400 lines.
 *
 * @param <T> the processor's task
 */
public final class ProcessingEngine<T> implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessingEngine.class);
    /** The longest poll: news from tasks ends it at once ({@link PollWakeup}), so this only paces idle rounds. */
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    /** How long one attempt at reading a partition's commit may block the loop. */
    private static final Duration COMMITTED_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration LOAD_RETRY = Duration.ofSeconds(5);

    /** Builds the loop's Kafka clients; the producer again after a fatal error. */
    public interface Clients {
        org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer();

        /** A transactional producer with a stable transactional id: a new one fences the old. */
        Producer<String, byte[]> producer();

        /** Real clients from these settings: string keys, byte-array values. */
        static Clients kafka(Map<String, Object> consumerSettings, Map<String, Object> producerSettings) {
            Map<String, Object> c = Map.copyOf(consumerSettings);
            Map<String, Object> p = Map.copyOf(producerSettings);
            return new Clients() {
                @Override
                public org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer() {
                    return new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
                }

                @Override
                public Producer<String, byte[]> producer() {
                    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
                }
            };
        }
    }

    /** A queued record of this engine. */
    private final class Held {
        final PartitionState state;
        final ConsumerRecord<String, byte[]> record;
        final String key;
        final T task;
        boolean ended;
        boolean cancelled;

        Held(PartitionState state, ConsumerRecord<String, byte[]> record, String key, T task) {
            this.state = state;
            this.record = record;
            this.key = key;
            this.task = task;
        }
    }

    private final EngineSettings settings;
    private final Processor<T> processor;
    private final List<String> topics;
    private final Clients clients;
    private final LongSupplier nanos;
    private final Consumer<Throwable> onDeath;
    private final EngineMetrics metrics;
    private final org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer;
    private final CommitCycle commits;
    private final PollWakeup wakeup;
    private final KeyScheduler<Held> scheduler;
    private final Map<TopicPartition, PartitionState> owned = new HashMap<>();
    private final Set<Held> running = new LinkedHashSet<>();
    private final List<PartitionState> failedLoads = new ArrayList<>();
    private final BlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean closing;
    private volatile boolean joined;
    private volatile Throwable failure;
    private volatile long lastRoundNanos;
    private volatile long oldestDirtyNanos = -1;
    private boolean dying;

    public ProcessingEngine(EngineSettings settings, Processor<T> processor, List<String> topics, Clients clients,
                            MeterRegistry registry, LongSupplier nanoClock, Consumer<Throwable> onDeath) {
        this.settings = settings;
        this.processor = processor;
        this.topics = List.copyOf(topics);
        this.clients = clients;
        this.nanos = nanoClock;
        this.onDeath = onDeath;
        this.metrics = new EngineMetrics(registry, settings.name());
        this.consumer = clients.consumer();
        this.wakeup = new PollWakeup(consumer);
        this.scheduler = new KeyScheduler<>(settings.maxInFlight());
        this.lastRoundNanos = nanoClock.getAsLong();
        this.commits = new CommitCycle(settings, processor, clients, metrics, nanoClock);
    }

    @Override
    public void run() {
        try {
            subscribe();
            while (!closing) {
                round();
            }
            LOG.info("{}: stopping; {} task(s) in flight get up to {} s", settings.name(), running.size(),
                    settings.revokeGrace().toSeconds());
            // Closing revokes every partition: the listener lets in-flight work finish, commits, and leaves.
            consumer.close(settings.revokeGrace().plusSeconds(30));
            commits.closeProducer(Duration.ofSeconds(10));
            LOG.info("{}: loop stopped", settings.name());
        } catch (Throwable t) {
            die(t);
        } finally {
            joined = false;
            stopped.countDown();
        }
        Throwable t = failure;
        if (t != null) {
            onDeath.accept(t);
        }
    }

    /** Joins the group; package-visible, with {@link #round()}, so unit tests drive the engine step by step. */
    void subscribe() {
        consumer.subscribe(topics, new Rebalance());
        joined = true;
        LOG.info("{}: loop started on {}", settings.name(), topics);
    }

    /** One turn of the loop. */
    void round() {
        commits.ensureProducer();
        // A due commit does not wait for records; finished tasks end the poll early (post).
        long due = commits.dueInNanos(owned.values());
        Duration timeout = due < 0 ? POLL_TIMEOUT : Duration.ofNanos(Math.min(due, POLL_TIMEOUT.toNanos()));
        for (ConsumerRecord<String, byte[]> record : wakeup.poll(timeout, () -> !events.isEmpty())) {
            accept(record);
        }
        for (int i = 0; i < 2; i++) {
            drainEvents();
            startTasks();
        }
        reassignLoaded();
        retryLoads();
        rewindDeferred();
        commit(false);
        applyBackpressure();
        publishGauges();
        lastRoundNanos = nanos.getAsLong();
        metrics.updateLag(consumer.metrics(), lastRoundNanos);
    }

    /** True while the loop runs and is making progress: finished work gets committed within the bound. */
    public boolean isReady() {
        long now = nanos.getAsLong();
        long bound = settings.stallTimeout().toNanos();
        long dirty = oldestDirtyNanos;
        return joined && now - lastRoundNanos < bound && (dirty < 0 || now - dirty < bound);
    }

    /** True from subscribing until the loop stops. */
    public boolean isRunning() {
        return joined;
    }

    /** How many records ended with {@code outcome} (a test and operator aid; also on /metrics). */
    public double recordCount(String outcome) {
        return metrics.count(outcome);
    }

    /** Why the loop died, if it did. */
    public Throwable failure() {
        return failure;
    }

    /** Asks the loop to stop: in-flight work gets the grace period, finished work is committed, the group left. */
    public void close(Duration timeout) throws InterruptedException {
        closing = true;
        wakeup.wake();
        if (!stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.warn("{}: loop did not stop within {} s", settings.name(), timeout.toSeconds());
        }
    }

    // ---- intake ---------------------------------------------------------------------------------

    private void accept(ConsumerRecord<String, byte[]> record) {
        PartitionState s = owned.get(new TopicPartition(record.topic(), record.partition()));
        if (s == null) {
            return;
        }
        if (s.loading) {
            s.reReadFrom = s.reReadFrom < 0 ? record.offset() : Math.min(s.reReadFrom, record.offset());
            return;
        }
        PartitionProgress progress = s.progress;
        long offset = record.offset();
        boolean reRead = progress.seenBefore(offset);
        progress.fetched(offset);
        if (progress.isDone(offset)) {
            if (!reRead) {
                metrics.record("already_done");   // finished by an earlier owner
            }
            return;
        }
        if (progress.isHeld(offset)) {
            return;
        }
        Processor.Intake<T> intake;
        try {
            intake = processor.intake(record);
        } catch (RuntimeException e) {
            intake = Processor.Intake.done("dead_letter", List.of(processor.deadLetter(record, "unreadable: " + e)));
        }
        if (intake.isDone()) {
            finishRecord(s, record, intake.outcome(), intake.outputs());
            return;
        }
        if (scheduler.queued(intake.key()) >= settings.maxQueuedPerKey()
                || progress.behindDeferred(intake.key(), offset)) {
            progress.defer(offset, intake.key());
            return;
        }
        progress.hold(offset);
        scheduler.add(intake.key(), new Held(s, record, intake.key(), intake.task()));
    }

    private void startTasks() {
        for (Held h : scheduler.startable(this::mayStart)) {
            running.add(h);
            h.state.inFlight++;
            try {
                processor.start(h.task, new Handle(h));
            } catch (RuntimeException e) {
                LOG.error("{}: processor failed to start a task of {}-{}@{}", settings.name(), h.record.topic(),
                        h.record.partition(), h.record.offset(), e);
                String reason = "processing failed: " + e;
                end(h, true, "dead_letter", () -> List.of(processor.deadLetter(h.record, reason)));
            }
        }
    }

    private boolean mayStart(Held h) {
        return !(h.state.crowded && h.state.progress.beyondSpan(h.record.offset()));
    }

    private final class Handle implements TaskHandle {
        private final Held held;

        Handle(Held held) {
            this.held = held;
        }

        @Override
        public void emit(Supplier<List<ProducerRecord<String, byte[]>>> outputs) {
            post(() -> {
                if (!held.ended && owned.get(held.state.tp) == held.state) {
                    List<ProducerRecord<String, byte[]>> out = checked(held.record, outputs);
                    held.state.loose.addAll(out);
                    held.state.markDirty(nanos.getAsLong());
                }
            });
        }

        @Override
        public void finish(String outcome, Supplier<List<ProducerRecord<String, byte[]>>> outputs) {
            post(() -> end(held, true, outcome, outputs));
        }

        @Override
        public void abandon() {
            post(() -> end(held, false, "abandoned", List::of));
        }
    }

    private void end(Held h, boolean finished, String outcome, Supplier<List<ProducerRecord<String, byte[]>>> outputs) {
        if (h.ended) {
            return;
        }
        h.ended = true;
        running.remove(h);
        scheduler.finished(h.key);
        h.state.inFlight--;
        if (owned.get(h.state.tp) != h.state) {
            metrics.record("discarded");   // The partition moved on: its new owner redoes the record.
            return;
        }
        if (finished) {
            finishRecord(h.state, h.record, outcome, checked(h.record, outputs));
        } else {
            // Still ours but not done (cancelled): left in Kafka and read again, like a deferred record.
            h.state.progress.release(h.record.offset());
            h.state.progress.defer(h.record.offset(), h.key);
            metrics.record(outcome);
        }
    }

    /** The outputs, or a dead letter saying why they cannot be produced. */
    private List<ProducerRecord<String, byte[]>> checked(ConsumerRecord<String, byte[]> record,
                                                         Supplier<List<ProducerRecord<String, byte[]>>> outputs) {
        List<ProducerRecord<String, byte[]>> out;
        try {
            out = outputs.get();
        } catch (RuntimeException e) {
            LOG.warn("{}: output of {}-{}@{} cannot be built: {}", settings.name(), record.topic(), record.partition(),
                    record.offset(), e.toString());
            return List.of(processor.deadLetter(record, "output cannot be built: " + e));
        }
        for (ProducerRecord<String, byte[]> r : out) {
            int size = sizeOf(r);
            if (size > settings.maxRecordBytes()) {
                String reason = "output to " + r.topic() + " of " + size + " bytes exceeds the " + settings.maxRecordBytes()
                        + "-byte record limit";
                LOG.warn("{}: {}-{}@{}: {}; dead-lettered", settings.name(), record.topic(), record.partition(),
                        record.offset(), reason);
                return List.of(processor.deadLetter(record, reason));
            }
        }
        return out;
    }

    private static int sizeOf(ProducerRecord<String, byte[]> r) {
        int size = (r.key() == null ? 0 : r.key().length() * 3) + (r.value() == null ? 0 : r.value().length);
        for (var h : r.headers()) {
            size += h.key().length() * 3 + (h.value() == null ? 0 : h.value().length);
        }
        return size;
    }

    private void finishRecord(PartitionState s, ConsumerRecord<String, byte[]> record, String outcome,
                              List<ProducerRecord<String, byte[]>> outputs) {
        if (!outputs.isEmpty()) {
            s.staged.put(record.offset(), outputs);
        }
        s.progress.finish(record.offset());
        s.markDirty(nanos.getAsLong());
        metrics.record(outcome);
    }

    /** Hands news from another thread to the loop and ends its poll, so the news is handled (and committed) now. */
    private void post(Runnable event) {
        events.add(event);
        wakeup.wake();
    }

    private void drainEvents() {
        Runnable event;
        while ((event = events.poll()) != null) {
            event.run();
        }
    }

    /** Reads a partition again from its first deferred record once a deferred key has room. */
    private void rewindDeferred() {
        for (PartitionState s : owned.values()) {
            if (s.loading || s.progress.deferred().isEmpty()) {
                continue;
            }
            long first = s.progress.deferred().firstKey();
            boolean room = s.progress.deferredKeys().stream()
                    .anyMatch(key -> scheduler.queued(key) <= settings.maxQueuedPerKey() / 2);
            if (room && consumer.position(s.tp) > first) {
                consumer.seek(s.tp, first);
            }
        }
    }

    private void applyBackpressure() {
        for (PartitionState s : owned.values()) {
            int held = s.progress == null ? 0 : s.progress.heldCount();
            boolean full = held >= settings.maxHeldPerPartition();
            if (!s.paused && (s.loading || s.crowded || full)) {
                consumer.pause(List.of(s.tp));
                s.paused = true;
                if (!s.loading) {
                    LOG.info("{}: pausing fetch of {} ({})", settings.name(), s.tp,
                            s.crowded ? "offset metadata near the broker's cap" : held + " records held");
                }
            } else if (s.paused && !s.loading && !s.crowded && held <= settings.maxHeldPerPartition() / 2) {
                consumer.resume(List.of(s.tp));
                s.paused = false;
            }
        }
    }

    private void publishGauges() {
        metrics.inFlight = running.size();
        metrics.waiting = scheduler.waiting();
        metrics.deepestQueue = scheduler.deepestQueue();
        int deferred = 0;
        long oldest = -1;
        for (PartitionState s : owned.values()) {
            if (s.progress != null) {
                deferred += s.progress.deferred().size();
            }
            if (s.dirtySinceNanos >= 0 && (oldest < 0 || s.dirtySinceNanos < oldest)) {
                oldest = s.dirtySinceNanos;
            }
        }
        metrics.deferred = deferred;
        oldestDirtyNanos = oldest;
        metrics.uncommittedSeconds = oldest < 0 ? 0 : (nanos.getAsLong() - oldest) / 1e9;
    }

    // ---- commits ----------------------------------------------------------------------------------

    /** Commits what is done, when due (or now when {@code force}); true when nothing is left uncommitted. */
    private boolean commit(boolean force) {
        CommitCycle.Result result = commits.commit(owned.values(), consumer::groupMetadata, force);
        if (result == CommitCycle.Result.FATAL) {
            rebuild(commits.lastFailure());
            return false;
        }
        return result == CommitCycle.Result.CLEAN;
    }

    /**
     * The producer is unusable: close it, build a new one, and redo every owned partition from its
     * last commit (what was finished and not committed is done again, once).
     */
    private void rebuild(Throwable cause) {
        Set<TopicPartition> parts = new HashSet<>(owned.keySet());
        LOG.warn("{}: producer unusable ({}); rebuilding it and redoing {} partition(s) from their commits",
                settings.name(), cause.toString(), parts.size());
        commits.closeProducer(Duration.ZERO);
        drop(parts);
        assign(parts);
        commits.ensureProducer();
    }

    // ---- ownership ----------------------------------------------------------------------------------

    private void assign(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            PartitionState s = new PartitionState(tp);
            owned.put(tp, s);
        }
        consumer.pause(partitions);
        for (TopicPartition tp : partitions) {
            owned.get(tp).paused = true;
        }
    }

    /** Reads the commits of partitions being loaded, seeks to them, and starts the processor's load. */
    private void reassignLoaded() {
        List<PartitionState> waiting = owned.values().stream()
                .filter(s -> s.loading && s.progress == null).toList();
        if (waiting.isEmpty()) {
            return;
        }
        Set<TopicPartition> tps = new HashSet<>();
        waiting.forEach(s -> tps.add(s.tp));
        Map<TopicPartition, OffsetAndMetadata> committed;
        try {
            committed = consumer.committed(tps, COMMITTED_TIMEOUT);
        } catch (TimeoutException e) {
            LOG.warn("{}: commits of {} not readable yet ({}); trying again", settings.name(), tps, e.getMessage());
            return;
        }
        for (PartitionState s : waiting) {
            OffsetAndMetadata c = committed.get(s.tp);
            s.loaded(c);
            s.committedAtLoad = c == null ? -1 : c.offset();
            if (c != null) {
                consumer.seek(s.tp, c.offset());
            } else {
                consumer.seekToBeginning(List.of(s.tp));
            }
            startLoad(s);
        }
    }

    private void startLoad(PartitionState s) {
        processor.load(s.tp, s.committedAtLoad).whenComplete((install, error) -> post(() -> {
            if (owned.get(s.tp) != s) {
                return;
            }
            if (error != null) {
                LOG.warn("{}: loading {} failed, retrying in {} s: {}", settings.name(), s.tp, LOAD_RETRY.toSeconds(),
                        error.toString());
                s.loadRetryAtNanos = nanos.getAsLong() + LOAD_RETRY.toNanos();
                failedLoads.add(s);
                return;
            }
            install.run();
            s.loading = false;
            if (s.reReadFrom >= 0) {
                consumer.seek(s.tp, Math.max(s.reReadFrom, s.progress.committedOffset()));
                s.reReadFrom = -1;
            }
            LOG.info("{}: partition {} ready from offset {}", settings.name(), s.tp, s.progress.committedOffset());
        }));
    }

    /** A failed load keeps its partition paused and is started again after {@link #LOAD_RETRY}. */
    private void retryLoads() {
        for (var it = failedLoads.iterator(); it.hasNext(); ) {
            PartitionState s = it.next();
            if (owned.get(s.tp) != s) {
                it.remove();
            } else if (nanos.getAsLong() >= s.loadRetryAtNanos) {
                it.remove();
                startLoad(s);
            }
        }
    }

    /** Forgets partitions: waiting records dropped, running tasks cancelled (their news will be dropped). */
    private int drop(Collection<TopicPartition> partitions) {
        int dropped = scheduler.dropWaiting(h -> partitions.contains(h.state.tp));
        cancelRunning(partitions);
        for (TopicPartition tp : partitions) {
            owned.remove(tp);
            processor.unload(tp);
        }
        return dropped;
    }

    /** Asks the running tasks of {@code partitions} to stop, once each. */
    private void cancelRunning(Collection<TopicPartition> partitions) {
        for (Held h : List.copyOf(running)) {
            if (!h.cancelled && partitions.contains(h.state.tp)) {
                h.cancelled = true;
                processor.cancel(h.task);
            }
        }
    }

    private int inFlightOn(Set<TopicPartition> partitions) {
        return partitions.stream().map(owned::get).filter(java.util.Objects::nonNull).mapToInt(s -> s.inFlight).sum();
    }

    private void die(Throwable t) {
        failure = t;
        dying = true;
        LOG.error("{}: loop died; nothing more is committed, the process must be restarted", settings.name(), t);
        // Its tasks must not act on their own meanwhile (a delivery waiting for a window would send).
        try {
            cancelRunning(new HashSet<>(owned.keySet()));
        } catch (RuntimeException e) {
            LOG.warn("{}: cancelling tasks: {}", settings.name(), e.toString());
        }
        try {
            consumer.close(Duration.ZERO);
        } catch (RuntimeException e) {
            LOG.warn("{}: consumer close: {}", settings.name(), e.toString());
        }
        commits.closeProducer(Duration.ZERO);
    }

    /** Runs inside {@code poll()} on the loop thread. */
    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            Set<TopicPartition> revoked = new HashSet<>(partitions);
            revoked.retainAll(owned.keySet());
            if (dying || revoked.isEmpty()) {
                return;
            }
            cancelRunning(revoked);
            int handedOver = scheduler.dropWaiting(h -> revoked.contains(h.state.tp));
            // What is done is committed before waiting: the group may not wait as long as the grace.
            drainEvents();
            commit(true);
            long deadline = nanos.getAsLong() + settings.revokeGrace().toNanos();
            while (inFlightOn(revoked) > 0 && nanos.getAsLong() < deadline) {
                try {
                    Runnable event = events.poll(50, TimeUnit.MILLISECONDS);
                    if (event != null) {
                        event.run();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            drainEvents();
            int abandoned = inFlightOn(revoked);
            boolean clean = false;
            for (int attempt = 0; attempt < 3 && !clean && commits.hasProducer(); attempt++) {
                clean = commit(true);
            }
            drop(revoked);
            LOG.info("{}: partitions {} revoked ({} waiting handed over, {} in flight left to the next owner{})",
                    settings.name(), revoked, handedOver, abandoned, clean ? "" : ", last commit failed");
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // Ownership is already gone: nothing may be committed for these partitions.
            Set<TopicPartition> lost = new HashSet<>(partitions);
            lost.retainAll(owned.keySet());
            drop(lost);
            commits.forgetPending();
            LOG.warn("{}: partitions {} lost; the next owner redoes what was not committed", settings.name(), lost);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                assign(partitions);
                LOG.info("{}: partitions {} assigned; loading", settings.name(), partitions);
            }
        }
    }
}
