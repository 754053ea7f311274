package dev.wecompipeline.reply;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.wecompipeline.config.KafkaConfig;
import dev.wecompipeline.kafka.KeyScheduler;
import dev.wecompipeline.kafka.PartitionProgress;
import dev.wecompipeline.reply.wecom.WeComException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reply-service's poll loop, shaped like the worker's: one thread owns the consumer, the
 * transactional producer and all bookkeeping; {@link Delivery} state machines run on timers and
 * the WeCom client's threads and report back through a queue.
 *
 * <p>Per user key one reply is delivered at a time ({@link KeyScheduler}), so a later reply never
 * overtakes an earlier one, not even while the earlier one waits for a limit or a retry; replies
 * of other users go on meanwhile. Every {@link #COMMIT_INTERVAL}, ONE Kafka transaction commits the
 * markers of accepted chunks, the dead letters and each partition's progress (contiguous finished
 * prefix as offset, finished records beyond it in the metadata: {@link PartitionProgress}).
 */
final class ReplyLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplyLoop.class);
    static final Duration COMMIT_INTERVAL = Duration.ofMillis(100);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    /** Replies waiting per partition at which it stops fetching, so one flood cannot fill the heap. */
    static final int MAX_PENDING_PER_PARTITION = 2000;
    /** Waits hold no thread, so any number of users may be in delivery at once: the limit is only a guard. */
    static final int MAX_IN_DELIVERY = 100_000;

    /** Fault injection for crash tests: where the loop stops dead, as a killed process would. Never set in production. */
    enum CrashPoint { NONE, AFTER_ACCEPT_BEFORE_MARKER }

    private final Consumer<String, byte[]> consumer;
    private final Producer<String, byte[]> producer;
    private final ReplyCommitter committer;
    private final KafkaConfig topics;
    private final ReplyPreparer preparer;
    private final Delivery.Context ctx;
    private final DeliveredLog deliveredLog;
    private final ReplyMetrics metrics;
    private final Duration revokeGrace;
    private final KeyScheduler<ReplyWork> scheduler = new KeyScheduler<>(MAX_IN_DELIVERY);
    private final Map<TopicPartition, ReplyWork.PartitionState> owned = new HashMap<>();
    private final Map<ReplyWork, Delivery> delivering = new IdentityHashMap<>();
    private final BlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
    private final Delivery.Listener listener = new Delivery.Listener() {
        @Override
        public void chunkAccepted(Delivery d, int chunkIndex, String msgid) {
            long at = System.currentTimeMillis();
            events.add(() -> accepted((ReplyWork) d.owner, chunkIndex, msgid, at));
        }

        @Override
        public void finished(Delivery d, Delivery.Ending ending, WeComException failure, int attempts, int chunk) {
            events.add(() -> ended((ReplyWork) d.owner, ending, failure, attempts, chunk));
        }
    };
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean halted;
    private boolean revoking;
    private volatile boolean running;
    private volatile CrashPoint crashPoint = CrashPoint.NONE;
    private long lastCommitNanos = System.nanoTime();

    ReplyLoop(Consumer<String, byte[]> consumer, Producer<String, byte[]> producer, KafkaConfig topics,
              ReplyPreparer preparer, Delivery.Context ctx, DeliveredLog deliveredLog, Duration revokeGrace) {
        this.consumer = consumer;
        this.producer = producer;
        this.topics = topics;
        this.preparer = preparer;
        this.ctx = ctx;
        this.deliveredLog = deliveredLog;
        this.metrics = ctx.metrics();
        this.committer = new ReplyCommitter(producer, consumer, metrics);
        this.revokeGrace = revokeGrace;
        metrics.bindScheduler(scheduler::inFlight, scheduler::waiting);
    }

    @Override
    public void run() {
        try {
            producer.initTransactions();
            committer.requireMarkerPartitions(topics.repliesTopic(), topics.deliveredTopic());
            consumer.subscribe(List.of(topics.repliesTopic()), new Rebalance());
            running = true;
            while (!closing.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL_TIMEOUT)) {
                    accept(record);
                }
                drainEvents();
                startDeliveries();
                commitIfDue(false);
                applyBackpressure();
            }
        } catch (WakeupException e) {
            if (!closing.get()) {
                LOG.error("reply: unexpected wakeup, stopping", e);
            }
        } catch (ProducerFencedException | InvalidProducerEpochException | AuthorizationException e) {
            LOG.error("reply: fatal Kafka error, stopping: {}", e.toString());
        } catch (Halt h) {
            halted = true;
        } catch (RuntimeException e) {
            LOG.error("reply: poll loop failed, stopping", e);
        } finally {
            shutdown();
        }
    }

    /** True once the loop has joined the group and until it stops. */
    boolean isRunning() {
        return running;
    }

    void crashAt(CrashPoint point) {
        crashPoint = point;
    }

    /** Asks the loop to stop: deliveries are cancelled at their next step, finished work committed, the group left. */
    void close(Duration timeout) throws InterruptedException {
        closing.set(true);
        if (!stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.warn("reply: did not stop within {} s", timeout.toSeconds());
        }
    }

    /** Stops dead, now, committing nothing: what a killed process leaves behind. */
    void halt() throws InterruptedException {
        halted = true;
        closing.set(true);
        stopped.await(30, TimeUnit.SECONDS);
    }

    private static final class Halt extends RuntimeException {
        Halt() {
            super("halted", null, false, false);
        }
    }

    private void shutdown() {
        if (halted) {
            delivering.values().forEach(Delivery::cancel);
            closeQuietly(() -> consumer.close(Duration.ZERO));
            closeQuietly(() -> producer.close(Duration.ZERO));
            LOG.warn("reply: halted");
        } else {
            // Closing the consumer revokes every partition: the listener cancels deliveries, lets calls
            // in progress answer within the grace period, commits, then the consumer leaves the group.
            closeQuietly(() -> consumer.close(revokeGrace.plusSeconds(30)));
            closeQuietly(() -> producer.close(Duration.ofSeconds(10)));
            LOG.info("reply: stopped");
        }
        running = false;
        stopped.countDown();
    }

    private static void closeQuietly(Runnable close) {
        try {
            close.run();
        } catch (RuntimeException e) {
            LOG.warn("reply: close: {}", e.toString());
        }
    }

    private void accept(ConsumerRecord<String, byte[]> record) {
        ReplyWork.PartitionState state = owned.get(new TopicPartition(record.topic(), record.partition()));
        if (state == null) {
            return;
        }
        if (state.progress.finishedBefore(record.offset())) {
            // A previous owner finished it and committed that with this metadata.
            finishRecord(state, record.offset(), "already_delivered");
            return;
        }
        ReplyPreparer.Prepared prepared = preparer.prepare(record);
        if (prepared.refusal() != null) {
            WeComException refusal = prepared.refusal();
            LOG.warn("reply: record {}-{}@{} sent to {}: {} {}", record.topic(), record.partition(), record.offset(),
                    topics.repliesDlqTopic(), refusal.code(), refusal.errmsg());
            state.staged.add(DeadLetters.record(topics.repliesDlqTopic(), record, refusal.code(), refusal.errmsg(), 0, -1));
            metrics.deadLetter(refusal.code());
            finishRecord(state, record.offset(), "dead_letter");
            return;
        }
        if (prepared.chunks().isEmpty()) {
            LOG.info("reply: empty reply {} to {} not sent", prepared.message().replyId(), prepared.message().userKey());
            finishRecord(state, record.offset(), "empty");
            return;
        }
        state.progress.started(record.offset());
        ReplyWork work = new ReplyWork(state, record, prepared);
        scheduler.add(work.key(), work);
    }

    private void finishRecord(ReplyWork.PartitionState state, long offset, String outcome) {
        state.progress.finished(offset);
        state.dirty = true;
        metrics.reply(outcome);
    }

    private void startDeliveries() {
        List<ReplyWork> batch;
        while (!(batch = scheduler.startable()).isEmpty()) {
            for (ReplyWork work : batch) {
                // Checked at start, not at poll: an earlier copy of the same reply may have delivered since.
                List<Integer> toSend = work.undelivered();
                if (toSend.isEmpty()) {
                    scheduler.finished(work.key());
                    finishRecord(work.state, work.record.offset(), "already_delivered");
                    continue;
                }
                Delivery d = new Delivery(ctx, listener, work.prepared.app(), work.prepared.message().userId(),
                        work.prepared.msgtype(), work.prepared.chunks(), toSend, work.prepared.message().receivedAtMs(),
                        work);
                delivering.put(work, d);
                d.start();
            }
        }
    }

    private void drainEvents() {
        Runnable event;
        while ((event = events.poll()) != null) {
            event.run();
        }
    }

    private void accepted(ReplyWork work, int chunkIndex, String msgid, long atMs) {
        if (crashPoint == CrashPoint.AFTER_ACCEPT_BEFORE_MARKER && !revoking) {
            // WeCom has the chunk, the marker is not even staged: the worst moment to die.
            throw new Halt();
        }
        if (owned.get(work.state.tp) != work.state) {
            return;   // The partition moved on: its next owner resends, WeCom's duplicate check absorbs it.
        }
        String key = DeliveredLog.key(work.prepared.message().replyId(), chunkIndex);
        if (work.state.delivered.add(key)) {
            work.state.staged.add(deliveredLog.record(work.record.partition(), new DeliveredLog.Marker(
                    work.prepared.message().replyId(), chunkIndex, work.prepared.chunks().size(), atMs, msgid)));
            work.state.dirty = true;
        }
    }

    private void ended(ReplyWork work, Delivery.Ending ending, WeComException failure, int attempts, int chunk) {
        delivering.remove(work);
        if (work.released) {
            return;   // Abandoned at a revocation, which already freed its key.
        }
        scheduler.finished(work.key());
        if (owned.get(work.state.tp) != work.state || ending == Delivery.Ending.CANCELLED) {
            return;   // Not finished: the record stays uncommitted and its next owner delivers the rest.
        }
        if (ending == Delivery.Ending.DEAD_LETTER) {
            LOG.warn("reply: reply {} to {} (app {}, trace {}) sent to {} after {} attempt(s) of chunk {}: {} {}",
                    work.prepared.message().replyId(), work.key(), work.prepared.app().name(),
                    work.prepared.message().traceId(), topics.repliesDlqTopic(), attempts, chunk, failure.code(),
                    failure.errmsg());
            work.state.staged.add(DeadLetters.record(topics.repliesDlqTopic(), work.record, failure.code(),
                    failure.errmsg(), attempts, chunk));
            metrics.deadLetter(failure.code());
            finishRecord(work.state, work.record.offset(), "dead_letter");
        } else {
            finishRecord(work.state, work.record.offset(), "delivered");
        }
    }

    private void commitIfDue(boolean force) {
        if (force || System.nanoTime() - lastCommitNanos >= COMMIT_INTERVAL.toNanos()) {
            committer.commit(owned.values());
            lastCommitNanos = System.nanoTime();
        }
    }

    /** Pauses a partition with too much waiting; other partitions keep flowing. */
    private void applyBackpressure() {
        for (ReplyWork.PartitionState s : owned.values()) {
            int pending = s.progress.pendingCount();
            if (!s.paused && pending >= MAX_PENDING_PER_PARTITION) {
                consumer.pause(List.of(s.tp));
                s.paused = true;
                LOG.info("reply: {} replies pending on {}, pausing its fetch", pending, s.tp);
            } else if (s.paused && pending <= MAX_PENDING_PER_PARTITION / 2) {
                consumer.resume(List.of(s.tp));
                s.paused = false;
            }
        }
    }

    /** Runs inside {@code poll()} on the loop thread. */
    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (halted) {
                return;
            }
            Set<TopicPartition> revoked = new HashSet<>(partitions);
            revoked.retainAll(owned.keySet());
            if (revoked.isEmpty()) {
                return;
            }
            revoking = true;
            try {
                handOver(revoked);
            } finally {
                revoking = false;
            }
        }

        private void handOver(Set<TopicPartition> revoked) {
            int dropped = scheduler.dropWaiting(w -> revoked.contains(w.state.tp));
            List<ReplyWork> mine = new ArrayList<>(delivering.keySet().stream().filter(w -> revoked.contains(w.state.tp)).toList());
            mine.forEach(w -> delivering.get(w).cancel());
            // Calls in progress get their answer (bounded by the request timeout), so accepted chunks are recorded.
            long deadline = System.nanoTime() + revokeGrace.toNanos();
            while (mine.stream().anyMatch(delivering::containsKey) && System.nanoTime() < deadline) {
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
            int abandoned = release(mine);
            commitIfDue(true);
            revoked.forEach(owned::remove);
            LOG.info("reply: partitions {} revoked ({} waiting handed over, {} abandoned mid-call)", revoked, dropped,
                    abandoned);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // Ownership is gone already: nothing may be committed for these partitions.
            scheduler.dropWaiting(w -> partitions.contains(w.state.tp));
            List<ReplyWork> mine = delivering.keySet().stream().filter(w -> partitions.contains(w.state.tp)).toList();
            mine.forEach(w -> delivering.get(w).cancel());
            release(mine);
            partitions.forEach(owned::remove);
            LOG.warn("reply: partitions {} lost; the next owner delivers what was not committed", partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
            for (TopicPartition tp : partitions) {
                Set<String> delivered = deliveredLog.load(tp.partition());
                owned.put(tp, new ReplyWork.PartitionState(tp, new PartitionProgress(committed.get(tp)), delivered));
            }
            LOG.info("reply: partitions {} assigned", partitions);
        }

        /** Frees the keys of deliveries that did not end in time; their late news is ignored. */
        private int release(List<ReplyWork> works) {
            int n = 0;
            for (ReplyWork w : works) {
                if (delivering.remove(w) != null) {
                    w.released = true;
                    scheduler.finished(w.key());
                    n++;
                }
            }
            return n;
        }
    }
}
