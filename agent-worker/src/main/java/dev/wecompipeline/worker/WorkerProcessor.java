package dev.wecompipeline.worker;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

import dev.wecompipeline.config.KafkaConfig;
import dev.wecompipeline.engine.Processor;
import dev.wecompipeline.engine.TaskHandle;
import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.kafka.RecordHeaders;
import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.kafka.Republish;
import dev.wecompipeline.worker.agent.Agent;
import dev.wecompipeline.worker.agent.AgentRequest;
import dev.wecompipeline.worker.agent.Turn;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker as a processor of the engine: an inbound message becomes an agent call keyed by its
 * user, and the answer becomes a reply record (plus the user's session turn) committed with the
 * message's offset. Duplicates and {@code /reset} finish without an agent call; unreadable records
 * and answers that cannot be produced go to the inbound dead-letter topic.
 */
final class WorkerProcessor implements Processor<WorkerProcessor.Task> {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerProcessor.class);
    /** Header naming why a record went to the inbound dead-letter topic. */
    static final String DLQ_REASON_HEADER = "wecom-dlq-reason";
    static final String RESET_COMMAND = "/reset";
    static final String RESET_REPLY = "Conversation reset.";

    /** One inbound message on its way to the agent. */
    record Task(ConsumerRecord<String, byte[]> record, InboundMessage message, String key, String dedupeId,
                boolean replay) {
    }

    private final KafkaConfig topics;
    private final Agent agent;
    private final WorkerRuntimeOptions settings;
    private final TaskRunner runner;
    private final PartitionHistory partitionHistory;
    private final SessionStore sessions;
    private final WorkerMetrics metrics;
    private final ExecutorService loader;
    private final MediaFetcher media;
    private final MediaUploader uploader;
    private final Map<Integer, DedupeIndex> dedupe = new HashMap<>();
    private final JsonSerde<InboundMessage> inboundSerde = JsonSerde.inbound();
    private final JsonSerde<ReplyMessage> replySerde = JsonSerde.replies();

    WorkerProcessor(KafkaConfig topics, Agent agent, WorkerRuntimeOptions settings, TaskRunner runner,
                    PartitionHistory partitionHistory, WorkerMetrics metrics, ExecutorService loader) {
        this(topics, agent, settings, runner, partitionHistory, metrics, loader, MediaFetcher.NONE, MediaUploader.NONE);
    }

    WorkerProcessor(KafkaConfig topics, Agent agent, WorkerRuntimeOptions settings, TaskRunner runner,
                    PartitionHistory partitionHistory, WorkerMetrics metrics, ExecutorService loader, MediaFetcher media,
                    MediaUploader uploader) {
        this.media = media;
        this.uploader = uploader;
        this.topics = topics;
        this.agent = agent;
        this.settings = settings;
        this.runner = runner;
        this.partitionHistory = partitionHistory;
        this.sessions = new SessionStore(topics.sessionsTopic(), settings.historyTurns(), settings.historyMaxBytes());
        this.metrics = metrics;
        this.loader = loader;
    }

    @Override
    public Intake<Task> intake(ConsumerRecord<String, byte[]> record) {
        InboundMessage message = inboundSerde.deserialize(record.topic(), record.value());
        if (message == null) {
            throw new SerializationException("empty record value");
        }
        String key = record.key() != null ? record.key() : message.userKey().toString();
        boolean replay = RecordHeaders.get(record.headers(), RecordHeaders.REPLAY).map("true"::equals).orElse(false);
        return Intake.queue(key, new Task(record, message, key,
                DedupeIndex.idOf(message.appName(), key, message.messageId()), replay));
    }

    @Override
    public void start(Task task, TaskHandle handle) {
        InboundMessage message = task.message();
        long ts = task.record().timestamp();
        DedupeIndex index = dedupe.get(task.record().partition());
        if (!task.replay() && index.isDuplicate(task.dedupeId(), ts)) {
            LOG.info("Duplicate message {} from {} skipped (trace {})", message.messageId(), task.key(), message.traceId());
            handle.finish("duplicate", List::of);
            return;
        }
        index.record(task.dedupeId(), ts);
        if ((agent.usesHistory() || agent.keepsSessions()) && message.content() != null
                && RESET_COMMAND.equalsIgnoreCase(message.content().strip())) {
            int partition = task.record().partition();
            handle.finish("reset", () -> List.of(agent.keepsSessions()
                    ? sessions.nextGeneration(partition, task.key()) : sessions.reset(partition, task.key()),
                    replyRecord(task, RESET_REPLY)));
            return;
        }
        List<Turn> history = agent.usesHistory() ? sessions.history(task.key()) : List.of();
        AgentRequest request = new AgentRequest(message, history, requestId(task), sessions.generation(task.key()));
        LOG.debug("Agent {} started on message {} from {} (trace {})", agent.name(), message.messageId(), task.key(),
                message.traceId());
        WorkerRuntimeOptions.ProgressNotice notice = settings.progressNotice();
        runner.run(() -> media.around(message,
                fetched -> uploader.upload(message, agent.answer(request.withMedia(fetched)))), result -> {
            metrics.agentDuration(result.nanos(), result.ending());
            handle.finish(outcomeOf(result), () -> outputs(task, result));
        }, notice.after(), () -> handle.emit(() -> progressNotice(task, notice.text())));
    }

    /**
     * The notice of a slow agent, emitted (not finished): committed with the next transaction while
     * the agent still runs. The engine builds it on the loop thread only while the record is not
     * finished, so it never follows the answer: it is committed in an earlier transaction than the
     * answer, or in the same one ahead of it (a partition's emitted outputs go first), on the same
     * key and so the same reply partition, which the reply-service delivers in order. Its reply id
     * depends on the inbound position only: the copy a replacement worker emits after a crash is
     * dropped by the reply-service as delivered.
     */
    private List<ProducerRecord<String, byte[]>> progressNotice(Task task, String text) {
        ConsumerRecord<String, byte[]> in = task.record();
        ReplyMessage reply = ReplyMessage.answering(task.message(), settings.replyFormat(), text)
                .asProgressNoticeAt(in.topic(), in.partition(), in.offset());
        LOG.debug("Agent {} still working on message {} from {} after {}: progress notice {} (trace {})", agent.name(),
                task.message().messageId(), task.key(), settings.progressNotice().after(), reply.replyId(),
                task.message().traceId());
        metrics.progressNotice();
        return List.of(replyRecord(task.key(), reply));
    }

    /**
     * The message's stable id for the agent ({@link AgentRequest#requestId()}): its reply id (app,
     * user, WeCom MsgId), which every worker computes alike, so a replacement worker redoing the
     * record asks for the same run. A deliberate replay (a new record with the replay header) is
     * to be answered anew, so its position in the log is added.
     */
    static String requestId(Task task) {
        String replyId = ReplyMessage.replyIdFor(task.message());
        if (!task.replay()) {
            return replyId;
        }
        ConsumerRecord<String, byte[]> r = task.record();
        String name = replyId + "\nreplay\n" + r.topic() + "-" + r.partition() + "@" + r.offset();
        return java.util.UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static String outcomeOf(TaskRunner.Result<MediaUploader.Answer> result) {
        return switch (result.ending()) {
            case ANSWERED -> result.value().isEmpty() ? "empty" : "replied";
            case FAILED -> "failed";
            case TIMED_OUT -> "timed_out";
        };
    }

    /** What an agent's result produces; runs on the loop thread (it updates the session store). */
    private List<ProducerRecord<String, byte[]>> outputs(Task task, TaskRunner.Result<MediaUploader.Answer> result) {
        InboundMessage message = task.message();
        switch (result.ending()) {
            case ANSWERED -> {
                MediaUploader.Answer answer = result.value();
                if (answer.isEmpty()) {
                    return List.of();
                }
                String reply = capped(answer.text());
                List<ProducerRecord<String, byte[]>> out = new ArrayList<>(2);
                out.add(replyRecord(task, reply, answer.attachments()));
                if (agent.usesHistory()) {
                    out.add(sessions.append(task.record().partition(), task.key(),
                            new Turn(message.content() == null ? "" : message.content(), reply)));
                }
                return out;
            }
            case FAILED -> LOG.warn("Agent {} failed on message {} from {} (trace {}): {}", agent.name(),
                    message.messageId(), task.key(), message.traceId(), result.error().toString());
            case TIMED_OUT -> LOG.warn("Agent {} timed out after {} on message {} from {} (trace {})", agent.name(),
                    settings.agentTimeout(), message.messageId(), task.key(), message.traceId());
        }
        return List.of(replyRecord(task, settings.apology()));
    }

    /** An answer past the cap is cut, and says so: the user learns that more was written. */
    private String capped(String reply) {
        int max = settings.answerMaxChars();
        if (max <= 0 || reply.length() <= max) {
            return reply;
        }
        metrics.truncated();
        int cut = Character.isHighSurrogate(reply.charAt(max - 1)) ? max - 1 : max;
        return reply.substring(0, cut) + String.format(WorkerRuntimeOptions.TRUNCATION_NOTE, reply.length());
    }

    private ProducerRecord<String, byte[]> replyRecord(Task task, String text) {
        return replyRecord(task, text, List.of());
    }

    private ProducerRecord<String, byte[]> replyRecord(Task task, String text, List<ReplyMessage.Attachment> media) {
        ConsumerRecord<String, byte[]> in = task.record();
        ReplyMessage reply = ReplyMessage.answering(task.message(), settings.replyFormat(), text)
                .withAttachments(media)
                .asAnswerAt(in.topic(), in.partition(), in.offset(), System.currentTimeMillis());
        return replyRecord(task.key(), reply);
    }

    private ProducerRecord<String, byte[]> replyRecord(String key, ReplyMessage reply) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topics.repliesTopic(), key,
                replySerde.serialize(topics.repliesTopic(), reply));
        RecordHeaders.put(r.headers(), RecordHeaders.APP, reply.appName());
        RecordHeaders.put(r.headers(), RecordHeaders.REPLY_ID, reply.replyId());
        RecordHeaders.put(r.headers(), RecordHeaders.MESSAGE_ID, reply.inboundMessageId());
        RecordHeaders.put(r.headers(), RecordHeaders.TRACE_ID, reply.traceId());
        RecordHeaders.put(r.headers(), RecordHeaders.RECEIVED_AT, Long.toString(reply.receivedAtMs()));
        return r;
    }

    @Override
    public ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        LOG.warn("Record {}-{}@{} sent to {}: {}", record.topic(), record.partition(), record.offset(),
                topics.inboundDlqTopic(), reason);
        return Republish.of(record).with(DLQ_REASON_HEADER, reason == null ? "unreadable" : reason)
                .to(topics.inboundDlqTopic());
    }

    /**
     * Rebuilds the partition's dedupe index (message ids within the window of record time before
     * the committed offset) and its users' sessions, off the loop thread. A scan that does not
     * complete fails the load, which the engine retries: a partial history is never installed,
     * so it can never overwrite what is stored.
     */
    @Override
    public CompletableFuture<Runnable> load(TopicPartition tp, long committedOffset) {
        return CompletableFuture.supplyAsync(() -> {
            DedupeIndex index = new DedupeIndex(settings.dedupeWindow().toMillis());
            if (committedOffset > 0) {
                long span = settings.dedupeWindow().toMillis() * 2;
                boolean complete = partitionHistory.readBefore(tp, committedOffset, span, r -> {
                    String key = r.key() == null ? "" : r.key();
                    String app = RecordHeaders.get(r.headers(), RecordHeaders.APP).orElse("");
                    RecordHeaders.get(r.headers(), RecordHeaders.MESSAGE_ID)
                            .ifPresent(id -> index.record(DedupeIndex.idOf(app, key, id), r.timestamp()));
                });
                if (!complete) {
                    throw new IllegalStateException("dedupe scan of " + tp + " did not complete in time");
                }
            }
            SessionStore.Slice slice = agent.usesHistory() || agent.keepsSessions()
                    ? sessions.read(tp.partition(), partitionHistory) : new SessionStore.Slice(Map.of(), Map.of());
            return () -> {
                dedupe.put(tp.partition(), index);
                sessions.install(tp.partition(), slice);
            };
        }, loader);
    }

    @Override
    public void unload(TopicPartition tp) {
        dedupe.remove(tp.partition());
        sessions.unload(tp.partition());
    }
}
