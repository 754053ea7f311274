package dev.wecompipeline.reply;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import dev.wecompipeline.config.KafkaConfig;
import dev.wecompipeline.engine.Processor;
import dev.wecompipeline.engine.TaskHandle;
import dev.wecompipeline.wecom.WeComException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reply-service as a processor of the engine: a reply record becomes a {@link ReplyDelivery} of its
 * undelivered chunks, keyed by user so a later reply never overtakes an earlier one. Each chunk
 * WeCom accepts is emitted as a delivery marker at once (committed even while the reply waits for
 * the user's limits); the reply is finished when its last chunk is accepted or it is dead-lettered.
 */
final class ReplyProcessor implements Processor<ReplyWork> {

    private static final Logger LOG = LoggerFactory.getLogger(ReplyProcessor.class);

    private final KafkaConfig topics;
    private final ReplyPreparer preparer;
    private final ReplyDelivery.Context ctx;
    private final DeliveryMarkers markers;
    private final Executor loader;
    private final ReplyMetrics metrics;
    private final Map<Integer, DeliveryMarkers.Slice> delivered = new HashMap<>();
    private final Map<ReplyWork, ReplyDelivery> delivering = new IdentityHashMap<>();

    ReplyProcessor(KafkaConfig topics, ReplyPreparer preparer, ReplyDelivery.Context ctx, DeliveryMarkers markers,
                   Executor loader) {
        this.topics = topics;
        this.preparer = preparer;
        this.ctx = ctx;
        this.markers = markers;
        this.loader = loader;
        this.metrics = ctx.metrics();
    }

    @Override
    public Intake<ReplyWork> intake(ConsumerRecord<String, byte[]> record) {
        ReplyPreparer.Prepared prepared = preparer.prepare(record);
        if (prepared.refusal() != null) {
            WeComException refusal = prepared.refusal();
            LOG.warn("reply: record {}-{}@{} sent to {}: {} {}", record.topic(), record.partition(), record.offset(),
                    topics.repliesDlqTopic(), refusal.code(), refusal.errmsg());
            metrics.deadLetter(refusal.code());
            return Intake.done("dead_letter", List.of(DeadLetters.record(topics.repliesDlqTopic(), record,
                    refusal.code(), refusal.errmsg(), 0, -1)));
        }
        if (prepared.parts().isEmpty()) {
            LOG.info("reply: empty reply {} to {} not sent", prepared.message().replyId(), prepared.message().userKey());
            return Intake.done("empty", List.of());
        }
        ReplyWork work = new ReplyWork(record, prepared);
        return Intake.queue(work.key(), work);
    }

    @Override
    public void start(ReplyWork work, TaskHandle handle) {
        DeliveryMarkers.Slice slice = delivered.get(work.record().partition());
        // Checked at start, not at intake: an earlier copy of the same reply may have delivered since.
        List<Integer> toSend = work.undelivered(slice);
        if (toSend.isEmpty()) {
            handle.finish("already_delivered", List::of);
            return;
        }
        ReplyPreparer.Prepared p = work.prepared();
        ReplyDelivery d = new ReplyDelivery(ctx, new ReplyDelivery.Listener() {
            @Override
            public void chunkAccepted(ReplyDelivery delivery, int chunkIndex, String msgid, long atMs) {
                handle.emit(() -> marker(slice, work, chunkIndex, msgid, atMs));
            }

            @Override
            public void finished(ReplyDelivery delivery, ReplyDelivery.Ending ending, WeComException failure, int attempts,
                                 int chunk) {
                ended(work, handle, ending, failure, attempts, chunk);
            }
        }, p.app(), p.message().userId(), p.parts(), toSend, p.message().receivedAtMs(), work);
        synchronized (delivering) {
            delivering.put(work, d);
        }
        d.start();
    }

    private List<ProducerRecord<String, byte[]>> marker(DeliveryMarkers.Slice slice, ReplyWork work, int chunkIndex,
                                                        String msgid, long atMs) {
        ReplyPreparer.Prepared p = work.prepared();
        String key = DeliveryMarkers.key(p.message().replyId(), chunkIndex);
        if (!slice.add(key, atMs)) {
            return List.of();
        }
        return List.of(markers.record(work.record().partition(), new DeliveryMarkers.Marker(p.message().replyId(),
                chunkIndex, p.parts().size(), atMs, msgid, ReplyDelivery.limitKey(p.app().name(), p.message().userId()))));
    }

    private void ended(ReplyWork work, TaskHandle handle, ReplyDelivery.Ending ending, WeComException failure, int attempts,
                       int chunk) {
        synchronized (delivering) {
            delivering.remove(work);
        }
        switch (ending) {
            case DELIVERED -> handle.finish("delivered", List::of);
            case CANCELLED -> handle.abandon();
            case DEAD_LETTER -> {
                LOG.warn("reply: reply {} to {} (app {}, trace {}) sent to {} after {} attempt(s) of chunk {}: {} {}",
                        work.prepared().message().replyId(), work.key(), work.prepared().app().name(),
                        work.prepared().message().traceId(), topics.repliesDlqTopic(), attempts, chunk, failure.code(),
                        failure.errmsg());
                metrics.deadLetter(failure.code());
                handle.finish("dead_letter", () -> List.of(DeadLetters.record(topics.repliesDlqTopic(), work.record(),
                        failure.code(), failure.errmsg(), attempts, chunk)));
            }
        }
    }

    @Override
    public void cancel(ReplyWork work) {
        ReplyDelivery d;
        synchronized (delivering) {
            d = delivering.get(work);
        }
        if (d != null) {
            d.cancel();
        }
    }

    @Override
    public ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        metrics.deadLetter(DeadLetters.UNREADABLE);
        return DeadLetters.record(topics.repliesDlqTopic(), record, DeadLetters.UNREADABLE, reason, 0, -1);
    }

    /**
     * Reads the partition's delivery markers off the loop thread; installing them also hands each
     * user's recent sends to the limiter, so a new owner keeps WeCom's per-user windows.
     */
    @Override
    public CompletableFuture<Runnable> load(TopicPartition tp, long committedOffset) {
        return CompletableFuture.supplyAsync(() -> {
            DeliveryMarkers.Slice slice = markers.load(tp.partition(), ctx.clock().getAsLong());
            return () -> {
                delivered.put(tp.partition(), slice);
                slice.recentSends.forEach(ctx.users()::restore);
                LOG.info("reply: {} loaded: {} delivered chunks, recent sends of {} user(s)", tp, slice.size(),
                        slice.recentSends.size());
            };
        }, loader);
    }

    @Override
    public void unload(TopicPartition tp) {
        delivered.remove(tp.partition());
    }
}
