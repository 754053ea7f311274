package dev.wecompipeline.worker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.wecompipeline.config.KafkaConfig;
import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.kafka.KeyScheduler;
import dev.wecompipeline.kafka.PartitionProgress;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.kafka.RecordHeaders;
import dev.wecompipeline.kafka.TransactionalCommit;
import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.worker.agent.Agent;
import dev.wecompipeline.worker.agent.AgentRequest;
import dev.wecompipeline.worker.agent.Turn;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's poll loop: one thread owns the consumer, the transactional producer and all
 * scheduling state; agent calls run on {@link TaskRunner} threads and hand their results back
 * through a queue. The loop never waits on an agent, so a 30-minute task never trips
 * {@code max.poll.interval.ms}; when too much is waiting it pauses fetching and keeps polling.
 *
 * <p>Exactly one reply per message: every {@link WorkerSettings#commitInterval()} the replies of
 * finished tasks, their session updates and the partitions' progress (the contiguous finished
 * prefix as the offset, finished records beyond it in the offset metadata) are committed in ONE
 * Kafka transaction. A crash before the commit loses the replies with the offsets (the record is
 * answered again, once); after it, the next owner skips what the metadata lists as finished.
 */
final class WorkerLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerLoop.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    /** Header naming why a record went to the inbound dead-letter topic. */
    static final String DLQ_REASON_HEADER = "wecom-dlq-reason";
    static final String RESET_COMMAND = "/reset";
    static final String RESET_REPLY = "Conversation reset.";

    /** One polled record on its way through the scheduler. */
    record Work(PartitionState state, ConsumerRecord<String, byte[]> record, InboundMessage message,
                String dedupeId, boolean replay) {
        String key() {
            return record.key() != null ? record.key() : message.userKey().toString();
        }
    }

    private record Completion(Work work, TaskRunner.Result result) {
    }

    /** What this worker holds for one partition it owns; replaced on every (re)assignment. */
    static final class PartitionState {
        final TopicPartition tp;
        final PartitionProgress progress;
        final DedupeIndex dedupe;
        final List<ProducerRecord<String, byte[]>> staged = new ArrayList<>();
        /** Agent calls started for this partition and not yet completed. */
        int running;
        boolean dirty;

        PartitionState(TopicPartition tp, PartitionProgress progress, DedupeIndex dedupe) {
            this.tp = tp;
            this.progress = progress;
            this.dedupe = dedupe;
        }
    }

    private final Consumer<String, byte[]> consumer;
    private final Producer<String, byte[]> producer;
    private final KafkaConfig topics;
    private final Agent agent;
    private final WorkerSettings settings;
    private final TaskRunner runner;
    private final LogScanner scanner;
    private final SessionStore sessions;
    private final WorkerMetrics metrics;
    private final KeyScheduler<Work> scheduler;
    private final Map<TopicPartition, PartitionState> owned = new HashMap<>();
    private final BlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
    private final JsonSerde<InboundMessage> inboundSerde = JsonSerde.inbound();
    private final JsonSerde<ReplyMessage> replySerde = JsonSerde.replies();
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Set by {@link #halt()}: stop dead, as a killed process would, committing nothing. */
    private volatile boolean halted;
    private volatile CrashPoint crashPoint = CrashPoint.NONE;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running;
    private long lastCommitNanos = System.nanoTime();
    private boolean paused;

    WorkerLoop(Consumer<String, byte[]> consumer, Producer<String, byte[]> producer, KafkaConfig topics, Agent agent,
               WorkerSettings settings, LogScanner scanner, WorkerMetrics metrics) {
        this.consumer = consumer;
        this.producer = producer;
        this.topics = topics;
        this.agent = agent;
        this.settings = settings;
        this.runner = new TaskRunner(settings.concurrency(), settings.agentTimeout());
        this.scanner = scanner;
        this.sessions = new SessionStore(topics.sessionsTopic(), settings.historyTurns());
        this.metrics = metrics;
        this.scheduler = new KeyScheduler<>(settings.concurrency());
        metrics.bindScheduler(scheduler::inFlight, scheduler::waiting, scheduler::deepestQueue);
    }

    @Override
    public void run() {
        try {
            producer.initTransactions();
            consumer.subscribe(List.of(topics.inboundTopic()), new Rebalance());
            running = true;
            while (!closing.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL_TIMEOUT)) {
                    accept(record);
                }
                drainCompletions();
                startTasks();
                commitIfDue(false);
                applyBackpressure();
                metrics.updateLag(consumer.metrics());
            }
            LOG.info("worker: stopping; letting {} in-flight tasks finish (up to {} s)", scheduler.inFlight(),
                    settings.revokeGrace().toSeconds());
        } catch (WakeupException e) {
            if (!closing.get()) {
                throw e;
            }
        } catch (ProducerFencedException | InvalidProducerEpochException | AuthorizationException e) {
            LOG.error("worker: fatal Kafka error, stopping: {}", e.toString());
        } catch (Halt h) {
            halted = true;
        } finally {
            if (halted) {
                haltNow();
                return;
            }
            try {
                // Closing the consumer revokes every partition: the listener lets in-flight work
                // finish within the grace period and commits it, then the consumer leaves the group.
                consumer.close(Duration.ofSeconds(settings.revokeGrace().toSeconds() + 30));
            } catch (RuntimeException e) {
                LOG.warn("worker: consumer close: {}", e.toString());
            }
            producer.close(Duration.ofSeconds(10));
            runner.close();
            running = false;
            stopped.countDown();
            LOG.info("worker: stopped");
        }
    }

    /**
     * Fault injection for tests of crash safety: where the loop should stop dead, as if the process
     * had been killed there. Never set in production.
     */
    enum CrashPoint {
        NONE,
        /** Replies and offsets sent in a transaction that is never committed. */
        BEFORE_COMMIT
    }

    void crashAt(CrashPoint point) {
        crashPoint = point;
    }

    /** Stops dead, now: no grace, no commit; the next owner redoes whatever was not committed. */
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

    private void haltNow() {
        // Like a killed process: no LeaveGroup-time commit, the open transaction is left to time out.
        runner.close();
        try {
            consumer.close(Duration.ZERO);
        } catch (RuntimeException ignored) {
            // A dead process reports nothing either.
        }
        try {
            producer.close(Duration.ZERO);
        } catch (RuntimeException ignored) {
            // Same.
        }
        running = false;
        stopped.countDown();
        LOG.warn("worker: halted");
    }

    /** True once the loop has joined the group and until it stops. */
    boolean isRunning() {
        return running;
    }

    /** Asks the loop to stop; it finishes in-flight work within the grace period, commits and leaves the group. */
    void close(Duration timeout) throws InterruptedException {
        closing.set(true);
        if (!stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.warn("worker: did not stop within {} s", timeout.toSeconds());
        }
    }

    private void accept(ConsumerRecord<String, byte[]> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        PartitionState state = owned.get(tp);
        if (state == null) {
            return;
        }
        InboundMessage message;
        try {
            message = inboundSerde.deserialize(record.topic(), record.value());
            if (message == null) {
                throw new SerializationException("empty record value");
            }
        } catch (SerializationException | NullPointerException e) {
            deadLetter(state, record, e.getMessage());
            return;
        }
        String dedupeId = DedupeIndex.idOf(message.appName(), record.key() == null ? message.userKey().toString()
                : record.key(), message.messageId());
        if (state.progress.finishedBefore(record.offset())) {
            // A previous owner answered it and committed the answer with this metadata: never again.
            state.dedupe.record(dedupeId, record.timestamp());
            state.progress.finished(record.offset());
            state.dirty = true;
            metrics.outcome("already_finished");
            return;
        }
        boolean replay = RecordHeaders.get(record.headers(), RecordHeaders.REPLAY).map("true"::equals).orElse(false);
        state.progress.started(record.offset());
        Work work = new Work(state, record, message, dedupeId, replay);
        scheduler.add(work.key(), work);
    }

    private void startTasks() {
        List<Work> batch;
        while (!(batch = scheduler.startable()).isEmpty()) {
            for (Work work : batch) {
                start(work);
            }
        }
    }

    private void start(Work work) {
        InboundMessage message = work.message();
        long ts = work.record().timestamp();
        if (!work.replay() && work.state().dedupe.isDuplicate(work.dedupeId(), ts)) {
            LOG.info("Duplicate message {} from {} skipped (trace {})", message.messageId(), work.key(), message.traceId());
            metrics.outcome("duplicate");
            finish(work, List.of());
            return;
        }
        work.state().dedupe.record(work.dedupeId(), ts);
        if (agent.usesHistory() && message.content() != null
                && RESET_COMMAND.equalsIgnoreCase(message.content().strip())) {
            metrics.outcome("reset");
            finish(work, List.of(sessions.reset(work.record().partition(), work.key()),
                    replyRecord(work, RESET_REPLY)));
            return;
        }
        List<Turn> history = agent.usesHistory() ? sessions.history(work.key()) : List.of();
        LOG.debug("Agent {} started on message {} from {} (trace {})", agent.name(), message.messageId(),
                work.key(), message.traceId());
        work.state().running++;
        runner.run(() -> agent.reply(new AgentRequest(message, history)),
                result -> completions.add(new Completion(work, result)));
    }

    private void drainCompletions() {
        Completion c;
        while ((c = completions.poll()) != null) {
            complete(c);
        }
    }

    private void complete(Completion c) {
        Work work = c.work();
        TaskRunner.Result result = c.result();
        metrics.agentDuration(result.nanos(), result.ending());
        work.state().running--;
        if (owned.get(work.state().tp) != work.state()) {
            // The partition moved on while the agent ran: its new owner answers; this result is dropped.
            scheduler.finished(work.key());
            metrics.outcome("discarded");
            return;
        }
        InboundMessage message = work.message();
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>(2);
        switch (result.ending()) {
            case ANSWERED -> {
                String reply = result.reply();
                if (reply == null || reply.isBlank()) {
                    metrics.outcome("empty");
                } else {
                    out.add(replyRecord(work, reply));
                    if (agent.usesHistory()) {
                        out.add(sessions.append(work.record().partition(), work.key(),
                                new Turn(message.content() == null ? "" : message.content(), reply)));
                    }
                    metrics.outcome("replied");
                }
            }
            case FAILED -> {
                LOG.warn("Agent {} failed on message {} from {} (trace {}): {}", agent.name(), message.messageId(),
                        work.key(), message.traceId(), result.error().toString());
                out.add(replyRecord(work, settings.apology()));
                metrics.outcome("failed");
            }
            case TIMED_OUT -> {
                LOG.warn("Agent {} timed out after {} on message {} from {} (trace {})", agent.name(),
                        settings.agentTimeout(), message.messageId(), work.key(), message.traceId());
                out.add(replyRecord(work, settings.apology()));
                metrics.outcome("timed_out");
            }
        }
        finish(work, out);
    }

    private void finish(Work work, List<ProducerRecord<String, byte[]>> out) {
        scheduler.finished(work.key());
        work.state().staged.addAll(out);
        work.state().progress.finished(work.record().offset());
        work.state().dirty = true;
    }

    private ProducerRecord<String, byte[]> replyRecord(Work work, String text) {
        ReplyMessage reply = ReplyMessage.answering(work.message(), settings.replyFormat(), text);
        if (work.replay()) {
            ConsumerRecord<String, byte[]> r = work.record();
            reply = reply.asReplayAnswer(r.topic(), r.partition(), r.offset());
        }
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topics.repliesTopic(), work.key(),
                replySerde.serialize(topics.repliesTopic(), reply));
        RecordHeaders.put(r.headers(), RecordHeaders.APP, reply.appName());
        RecordHeaders.put(r.headers(), RecordHeaders.REPLY_ID, reply.replyId());
        RecordHeaders.put(r.headers(), RecordHeaders.MESSAGE_ID, reply.inboundMessageId());
        RecordHeaders.put(r.headers(), RecordHeaders.TRACE_ID, reply.traceId());
        RecordHeaders.put(r.headers(), RecordHeaders.RECEIVED_AT, Long.toString(reply.receivedAtMs()));
        return r;
    }

    private void deadLetter(PartitionState state, ConsumerRecord<String, byte[]> record, String reason) {
        LOG.warn("Unreadable record {}-{}@{} sent to {}: {}", record.topic(), record.partition(), record.offset(),
                topics.inboundDlqTopic(), reason);
        ProducerRecord<String, byte[]> dlq = new ProducerRecord<>(topics.inboundDlqTopic(), record.key(), record.value());
        record.headers().forEach(h -> dlq.headers().add(h));
        RecordHeaders.put(dlq.headers(), DLQ_REASON_HEADER, reason == null ? "unreadable" : reason);
        state.progress.finished(record.offset());
        state.staged.add(dlq);
        state.dirty = true;
        metrics.outcome("dead_letter");
    }

    /**
     * Commits, in one transaction, the staged replies, session updates and dead letters of every
     * dirty partition together with its offset and metadata.
     */
    private void commitIfDue(boolean force) {
        if (!force && System.nanoTime() - lastCommitNanos < settings.commitInterval().toNanos()) {
            return;
        }
        List<PartitionState> dirty = owned.values().stream().filter(s -> s.dirty).toList();
        if (dirty.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (PartitionState s : dirty) {
            records.addAll(s.staged);
            OffsetAndMetadata commit = s.progress.toCommit();
            if (commit != null) {
                offsets.put(s.tp, commit);
            }
        }
        if (crashPoint == CrashPoint.BEFORE_COMMIT) {
            // Replies and offsets sent in a transaction that is never committed.
            producer.beginTransaction();
            records.forEach(producer::send);
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.flush();
            throw new Halt();
        }
        if (!TransactionalCommit.commit(producer, records, offsets, consumer.groupMetadata(), "worker")) {
            metrics.commitFailed();
            return;
        }
        for (PartitionState s : dirty) {
            s.staged.clear();
            s.dirty = false;
        }
        lastCommitNanos = System.nanoTime();
        metrics.committed(records.size());
    }

    private void applyBackpressure() {
        int waiting = scheduler.waiting();
        if (waiting >= settings.maxWaiting()) {
            // Re-applied every round: partitions assigned while paused start paused too.
            consumer.pause(consumer.assignment());
            if (!paused) {
                LOG.info("worker: {} messages waiting, pausing fetch", waiting);
                paused = true;
            }
        } else if (paused && waiting <= settings.maxWaiting() / 2) {
            consumer.resume(consumer.paused());
            paused = false;
            LOG.info("worker: resumed fetch ({} waiting)", waiting);
        }
    }

    /** Runs inside {@code poll()} on the loop thread, so it may use every piece of loop state. */
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
            int dropped = scheduler.dropWaiting(w -> revoked.contains(w.state().tp));
            long deadline = System.nanoTime() + settings.revokeGrace().toNanos();
            while (inFlightOn(revoked) > 0 && System.nanoTime() < deadline) {
                try {
                    Completion c = completions.poll(50, TimeUnit.MILLISECONDS);
                    if (c != null) {
                        complete(c);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            drainCompletions();
            int abandoned = inFlightOn(revoked);
            commitIfDue(true);
            for (TopicPartition tp : revoked) {
                owned.remove(tp);
                sessions.unload(tp.partition());
            }
            LOG.info("worker: partitions {} revoked ({} waiting handed over, {} in flight abandoned to the next owner)",
                    names(revoked), dropped, abandoned);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // Ownership is already gone: nothing may be committed for these partitions.
            scheduler.dropWaiting(w -> partitions.contains(w.state().tp));
            for (TopicPartition tp : partitions) {
                owned.remove(tp);
                sessions.unload(tp.partition());
            }
            LOG.warn("worker: partitions {} lost; their uncommitted work will be redone by the next owner", names(partitions));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata c = committed.get(tp);
                PartitionState state = new PartitionState(tp, new PartitionProgress(c),
                        new DedupeIndex(settings.dedupeWindow().toMillis()));
                if (c != null) {
                    rebuildDedupe(state, c.offset());
                }
                if (agent.usesHistory()) {
                    sessions.load(tp.partition(), scanner);
                }
                owned.put(tp, state);
            }
            LOG.info("worker: partitions {} assigned", names(partitions));
        }

        private void rebuildDedupe(PartitionState state, long committedOffset) {
            long from = System.currentTimeMillis() - settings.dedupeWindow().toMillis() * 2;
            boolean complete = scanner.scan(state.tp, from, committedOffset, r -> {
                String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
                String app = RecordHeaders.get(r.headers(), RecordHeaders.APP).orElse("");
                RecordHeaders.get(r.headers(), RecordHeaders.MESSAGE_ID)
                        .ifPresent(id -> state.dedupe.record(DedupeIndex.idOf(app, key, id), r.timestamp()));
            });
            if (!complete) {
                LOG.warn("worker: dedupe index of {} only partly rebuilt (scan timed out)", state.tp);
            }
        }
    }

    private int inFlightOn(Set<TopicPartition> partitions) {
        return partitions.stream().map(owned::get).filter(java.util.Objects::nonNull).mapToInt(s -> s.running).sum();
    }

    private static String names(Collection<TopicPartition> partitions) {
        return partitions.stream().map(tp -> tp.topic() + "-" + tp.partition()).sorted().toList().toString()
                .toLowerCase(Locale.ROOT);
    }
}
