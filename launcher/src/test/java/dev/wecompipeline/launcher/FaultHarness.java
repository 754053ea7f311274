package dev.wecompipeline.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.wecompipeline.bench.CallbackSimulator;
import dev.wecompipeline.kafka.JsonSerde;
import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.KafkaConnection;
import dev.wecompipeline.kafka.PartitionReader;
import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.sandbox.ReceivedMessage;
import dev.wecompipeline.sandbox.ApiCallOutcome;
import dev.wecompipeline.sandbox.SandboxConfig;
import dev.wecompipeline.sandbox.WeComApiSandbox;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.core.ConditionTimeoutException;

/**
 * What every scenario of the fault-injection suite ({@code Fault*IT}) shares: a WeCom API sandbox
 * in the test JVM (the services reach it through {@code WECOM_API_BASE}), the pipeline's services
 * as child processes of the packaged launcher, signed callbacks sent through the real ingress and
 * retried on 503 as WeCom would, and the verdict: every acknowledged message answered exactly once
 * at the sandbox, in order per user, with one committed reply record on Kafka per message.
 *
 * <p>Each scenario gets its own topics, consumer groups, data directory and ports, so scenarios
 * can share one broker. A scenario that fails prints the tail of every process's log.
 *
 * <pre>{@code
 * try (FaultHarness h = new FaultHarness("kafka-restart", workDir)) {
 *     h.useKafka(bootstrap);
 *     h.startIngress(); h.startWorker(); h.startReply();
 *     FaultHarness.Sent sent = h.send(h.messages(30, 5), Duration.ofMillis(100));
 *     h.verify(sent, FaultHarness.Expect.exactlyOnce());
 * }
 * }</pre>
 */
final class FaultHarness implements AutoCloseable {

    static final String CORP = "wwfaults";
    static final String SECRET = "faults-secret";
    static final int AGENT_ID = 1000002;
    static final String TOKEN = "faultstoken";
    static final String AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
    /** A JVM start, a broker start or a group join on a busy 2-core machine. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /** WeCom retries a callback that was not answered 200; the test retries sooner, to stay quick. */
    static final Duration RETRY_PAUSE = Duration.ofMillis(200);
    /** Bound on one message's retries: a pipeline that never acknowledges fails the scenario. */
    static final Duration ACK_DEADLINE = Duration.ofSeconds(90);
    private static final Pattern PARTITIONS_LINE =
            Pattern.compile("worker: partitions \\[([^\\]]*)\\] (assigned|revoked|lost)");

    /** One callback: its text is unique within the scenario, so deliveries can be counted per message. */
    record Message(String user, String msgId, String text) {
    }

    /**
     * What the sending loop saw.
     *
     * @param sent     messages sent (each until acknowledged)
     * @param acked    messages acknowledged with 200, in the order they were acknowledged
     * @param failures answers other than 200, by HTTP status (-1: no answer, I/O error or timeout)
     */
    record Sent(int sent, List<Message> acked, Map<Integer, Integer> failures) {
        int failures(int status) {
            return failures.getOrDefault(status, 0);
        }

        /** Two rounds of sending as one, in order. */
        Sent and(Sent later) {
            List<Message> both = new ArrayList<>(acked);
            both.addAll(later.acked());
            Map<Integer, Integer> f = new TreeMap<>(failures);
            later.failures().forEach((k, v) -> f.merge(k, v, Integer::sum));
            return new Sent(sent + later.sent(), List.copyOf(both), f);
        }
    }

    /**
     * What the verdict allows beyond exactly once at WeCom.
     *
     * @param duplicateSuppressedAllowed resends absorbed by WeCom's duplicate check are allowed
     *                                   (not required), with the reason printed: only where the
     *                                   README documents them as the cover of a crash window
     * @param why                        that reason
     */
    record Expect(boolean duplicateSuppressedAllowed, String why) {
        static Expect exactlyOnce() {
            return new Expect(false, null);
        }

        static Expect duplicateCheckCovers(String why) {
            return new Expect(true, why);
        }
    }

    private final String scenario;
    private final Path workDir;
    private final WeComApiSandbox wecom;
    private final String prefix;
    private final Map<String, String> env = new HashMap<>();
    private final Map<LauncherProcess, String> processes = new LinkedHashMap<>();
    private final Map<LauncherProcess, Integer> opsPorts = new ConcurrentHashMap<>();
    private final int ingressPort;
    private final CallbackSimulator simulator;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicInteger ackedCount = new AtomicInteger();
    private final Map<Integer, Integer> failures = new ConcurrentHashMap<>();
    private final long startNanos = System.nanoTime();
    private String bootstrap;
    private boolean passed;

    FaultHarness(String scenario, Path workDir) throws IOException {
        this.scenario = scenario;
        this.workDir = workDir;
        this.wecom = new WeComApiSandbox(SandboxConfig.builder().host("127.0.0.1").port(0).build()).start();
        wecom.registerApp(CORP, SECRET, AGENT_ID);
        this.prefix = "fault-" + scenario + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.ingressPort = freePort();
        this.simulator = new CallbackSimulator("http://127.0.0.1:" + ingressPort + "/wecom/callback", TOKEN, AES_KEY,
                CORP, String.valueOf(AGENT_ID));
        env.putAll(Map.of(
                "WECOM_CALLBACK_CORP_ID", CORP, "WECOM_CALLBACK_CORP_SECRET", SECRET,
                "WECOM_CALLBACK_AGENT_ID", String.valueOf(AGENT_ID), "WECOM_CALLBACK_TOKEN", TOKEN,
                "WECOM_CALLBACK_ENCODING_AES_KEY", AES_KEY, "WECOM_CALLBACK_ALLOW_ALL_USERS", "true",
                "WECOM_CALLBACK_HOST", "127.0.0.1", "WECOM_CALLBACK_PORT", String.valueOf(ingressPort),
                "WECOM_API_BASE", wecom.baseUrl(),
                "WECOM_PIPELINE_DATA_DIR", workDir.resolve("data").toString()));
        env.putAll(Map.of(
                "KAFKA_TOPIC_INBOUND", prefix + ".inbound", "KAFKA_TOPIC_REPLIES", prefix + ".replies",
                "KAFKA_TOPIC_REPLIES_DLQ", prefix + ".replies.dlq", "KAFKA_TOPIC_INBOUND_DLQ", prefix + ".inbound.dlq",
                "KAFKA_TOPIC_SESSIONS", prefix + ".sessions", "KAFKA_TOPIC_DELIVERED", prefix + ".delivered",
                "WORKER_GROUP_ID", prefix + "-workers", "REPLY_GROUP_ID", prefix + "-reply",
                "KAFKA_TOPIC_PARTITIONS", "4"));
        // A killed process sends no LeaveGroup: the group notices it after the session timeout.
        // 6 s is the broker's minimum (group.min.session.timeout.ms); Kafka's default 45 s would
        // make every kill scenario wait that long.
        env.put("WORKER_SESSION_TIMEOUT_MS", "6000");
        env.put("REPLY_SESSION_TIMEOUT_MS", "6000");
    }

    WeComApiSandbox wecom() {
        return wecom;
    }

    String bootstrap() {
        return bootstrap;
    }

    String repliesTopic() {
        return env.get("KAFKA_TOPIC_REPLIES");
    }

    /** A variable given to the processes, e.g. a topic name. */
    String envValue(String name) {
        return env.get(name);
    }

    /** Sets a variable for every process started from now on. */
    FaultHarness env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Points the services (and the verdict's Kafka reads) at this cluster. */
    FaultHarness useKafka(String bootstrapServers) {
        this.bootstrap = bootstrapServers;
        return env("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
    }

    // ---- processes ------------------------------------------------------------------------------

    /** {@code kafka}: the embedded broker as its own process, on a fixed port and its own data directory. */
    LauncherProcess startKafka(int port) {
        LauncherProcess kafka = start("kafka", Map.of("WECOM_PIPELINE_DATA_DIR", workDir.resolve("broker").toString(),
                "WECOM_PIPELINE_KAFKA_PORT", String.valueOf(port)));
        awaitOutput(kafka, "kafka: ready", START_TIMEOUT);
        return kafka;
    }

    /**
     * {@code kafka --node-id}: node {@code nodeId} of a local multi-node cluster, under the
     * scenario's broker directory ({@code kafka-<id>}). Returns at once: a node's start waits for a
     * controller majority, so the caller starts every node before {@link #awaitOutput awaiting}
     * {@code kafka: ready}. Starting it again after a kill reuses its storage.
     */
    LauncherProcess startKafkaNode(int nodeId, int port, String quorum, String clusterId) {
        return start("kafka", Map.of("WECOM_PIPELINE_DATA_DIR", workDir.resolve("broker").toString()),
                "--node-id", String.valueOf(nodeId), "--port", String.valueOf(port),
                "--controller-quorum", quorum, "--cluster-id", clusterId);
    }

    LauncherProcess startIngress() {
        LauncherProcess ingress = start("ingress", Map.of());
        awaitOutput(ingress, "ingress: ready", START_TIMEOUT);
        return ingress;
    }

    /** A worker process; returns once it runs (it may not own partitions yet: see {@link #awaitAssigned}). */
    LauncherProcess startWorker() {
        int port = freePort();
        LauncherProcess worker = start("worker", Map.of("WORKER_PORT", String.valueOf(port)));
        opsPorts.put(worker, port);
        awaitOutput(worker, "worker: started", START_TIMEOUT);
        return worker;
    }

    LauncherProcess startReply() {
        int port = freePort();
        LauncherProcess reply = start("reply", Map.of("REPLY_PORT", String.valueOf(port)));
        opsPorts.put(reply, port);
        awaitOutput(reply, "reply: started", START_TIMEOUT);
        return reply;
    }

    /** ingress, worker and reply-service in one JVM, on {@link #useKafka the cluster}. */
    LauncherProcess startAllInOne() {
        LauncherProcess all = start("all-in-one", Map.of());
        opsPorts.put(all, ingressPort);   // the all-in-one serves every component's metrics there
        awaitOutput(all, "all-in-one: register", START_TIMEOUT);
        return all;
    }

    private LauncherProcess start(String command, Map<String, String> extra, String... options) {
        Map<String, String> processEnv = new HashMap<>(env);
        processEnv.putAll(extra);
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(List.of(options));
        LauncherProcess process = LauncherProcess.start(workDir, processEnv, args.toArray(String[]::new));
        synchronized (processes) {
            processes.put(process, command + "#" + (processes.size() + 1));
        }
        return process;
    }

    /** Waits until a worker or reply-service process owns partitions ({@code partitions [...] assigned}). */
    static void awaitAssigned(LauncherProcess process) {
        awaitOutput(process, "] assigned", START_TIMEOUT);
    }

    static void awaitOutput(LauncherProcess process, String text, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(100))
                .failFast("process exited before printing '" + text + "'", () -> !process.isAlive())
                .until(() -> process.output().contains(text));
    }

    /** The partitions of the inbound topic a worker owns now, replayed from its assigned/revoked/lost lines. */
    static Set<Integer> ownedPartitions(LauncherProcess worker) {
        Set<Integer> owned = new TreeSet<>();
        Matcher m = PARTITIONS_LINE.matcher(worker.output());
        while (m.find()) {
            for (String tp : m.group(1).split(",\\s*")) {
                if (tp.isBlank()) {
                    continue;
                }
                int partition = Integer.parseInt(tp.substring(tp.lastIndexOf('-') + 1).strip());
                if (m.group(2).equals("assigned")) {
                    owned.add(partition);
                } else {
                    owned.remove(partition);
                }
            }
        }
        return owned;
    }

    /** The status of a worker's or reply-service's {@code /ready}; -1 when it does not answer. */
    int ready(LauncherProcess process) {
        Integer port = opsPorts.get(process);
        if (port == null) {
            throw new IllegalArgumentException("no ops port known for this process");
        }
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** A gauge from a worker's or reply-service's {@code /metrics}; 0 if absent or unreachable. */
    double metric(LauncherProcess process, String name) {
        Integer port = opsPorts.get(process);
        if (port == null) {
            throw new IllegalArgumentException("no ops port known for this process");
        }
        try {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
            return body.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    // ---- sending --------------------------------------------------------------------------------

    /** {@code count} messages from {@code users} users, round robin, each text unique in the scenario. */
    List<Message> messages(int count, int users) {
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String user = "user" + (i % users);
            out.add(new Message(user, prefix + "-" + i, scenario + " message " + i + " from " + user));
        }
        return out;
    }

    /**
     * Sends the messages one after another, one every {@code pace} (later if an earlier one needed
     * retries), each retried as WeCom would until the ingress answers 200. A user's next message is
     * sent only after the previous one was acknowledged, so acknowledgement order is the order the
     * user expects the answers in.
     */
    Sent send(List<Message> messages, Duration pace) {
        List<Message> acked = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < messages.size(); i++) {
            long due = start + i * pace.toNanos();
            pauseUntil(due);
            Message m = messages.get(i);
            long deadline = System.nanoTime() + ACK_DEADLINE.toNanos();
            while (!post(m)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(scenario + ": message " + m.msgId() + " not acknowledged within "
                            + ACK_DEADLINE.toSeconds() + " s; answers so far " + failures);
                }
                pauseUntil(System.nanoTime() + RETRY_PAUSE.toNanos());
            }
            acked.add(m);
            ackedCount.incrementAndGet();
        }
        return new Sent(messages.size(), List.copyOf(acked), new TreeMap<>(failures));
    }

    /** {@link #send} on its own thread, so the test can inject a fault while messages flow. */
    CompletableFuture<Sent> sendInBackground(List<Message> messages, Duration pace) {
        CompletableFuture<Sent> result = new CompletableFuture<>();
        Thread sender = new Thread(() -> {
            try {
                result.complete(send(messages, pace));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, "fault-sender-" + scenario);
        sender.setDaemon(true);
        sender.start();
        return result;
    }

    /** Messages acknowledged so far. */
    int acked() {
        return ackedCount.get();
    }

    /** Answers with this status so far (-1: no answer). */
    int failures(int status) {
        return failures.getOrDefault(status, 0);
    }

    private boolean post(Message m) {
        try {
            HttpResponse<String> r = http.send(simulator.textCallback(m.user(), m.msgId(), m.text()),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return true;
            }
            failures.merge(r.statusCode(), 1, Integer::sum);
        } catch (IOException e) {
            failures.merge(-1, 1, Integer::sum);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while sending", e);
        }
        return false;
    }

    /** Paces the send loop (offered load, not synchronisation). */
    private static void pauseUntil(long dueNanos) {
        long wait = dueNanos - System.nanoTime();
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while pacing", e);
            }
        }
    }

    // ---- verdict --------------------------------------------------------------------------------

    /** Waits until every acknowledged message was delivered at least once (for counts taken before {@link #verify}). */
    void awaitDelivered(Sent sent, Duration deadline) {
        Set<String> texts = sent.acked().stream().map(Message::text).collect(Collectors.toSet());
        await().atMost(deadline).pollInterval(Duration.ofMillis(250)).until(() -> wecom.delivered().stream()
                .map(ReceivedMessage::content).collect(Collectors.toSet()).containsAll(texts));
    }

    /**
     * Waits until every acknowledged message was delivered and both consumer groups have committed
     * everything (so no late resend can follow), prints the scenario's line, then asserts: none
     * lost, none delivered twice, per-user order, one committed reply record per message, no dead
     * letters, nothing dropped over WeCom's limits, and resends absorbed by WeCom's duplicate check
     * only where {@code expect} allows them.
     *
     * @param details extra facts for the printed line (what the fault did), may be empty
     */
    void verify(Sent sent, Expect expect, String details, Duration deadline) {
        Set<String> ackedTexts = sent.acked().stream().map(Message::text).collect(Collectors.toSet());
        try {
            await().atMost(deadline).pollInterval(Duration.ofMillis(250)).until(() -> wecom.delivered().stream()
                    .map(ReceivedMessage::content).collect(Collectors.toSet()).containsAll(ackedTexts));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> drained(env.get("WORKER_GROUP_ID"), env.get("KAFKA_TOPIC_INBOUND"))
                            && drained(env.get("REPLY_GROUP_ID"), repliesTopic()));
        } catch (ConditionTimeoutException e) {
            System.out.printf("fault[%s]: not settled within the deadline: %s%n", scenario, e.getMessage());
        }

        List<ReceivedMessage> delivered = wecom.delivered();
        Map<String, Long> perText = delivered.stream()
                .collect(Collectors.groupingBy(ReceivedMessage::content, Collectors.counting()));
        long lost = ackedTexts.stream().filter(t -> !perText.containsKey(t)).count();
        long duplicated = perText.entrySet().stream()
                .mapToLong(e -> ackedTexts.contains(e.getKey()) ? e.getValue() - 1 : e.getValue()).sum();
        List<String> orderProblems = new ArrayList<>();
        for (String user : sent.acked().stream().map(Message::user).distinct().toList()) {
            List<String> expected = sent.acked().stream().filter(m -> m.user().equals(user))
                    .map(Message::text).toList();
            List<String> got = wecom.deliveredTo(CORP, user).stream().map(ReceivedMessage::content).toList();
            if (!expected.equals(got)) {
                orderProblems.add(user + ": expected " + expected + ", got " + got);
            }
        }
        long suppressed = wecom.countByOutcome(ApiCallOutcome.DUPLICATE_SUPPRESSED);
        long droppedOverLimit = wecom.countByOutcome(ApiCallOutcome.DROPPED_OVER_LIMIT);
        List<ReplyMessage> committed = readReplies(repliesTopic(), "read_committed");
        int uncommittedSeen = readReplies(repliesTopic(), "read_uncommitted").size();
        Map<String, Long> repliesPerMessage = committed.stream()
                .collect(Collectors.groupingBy(ReplyMessage::inboundMessageId, Collectors.counting()));
        long maxRepliesPerMessage = repliesPerMessage.values().stream().mapToLong(Long::longValue).max().orElse(0);
        int deadLetters = readAll(env.get("KAFKA_TOPIC_REPLIES_DLQ"), "read_committed", r -> r).size();

        String retries = sent.failures().entrySet().stream()
                .map(e -> e.getValue() + " retries of " + (e.getKey() == -1 ? "no answer" : e.getKey()))
                .collect(Collectors.joining(", "));
        System.out.printf("fault[%s]: sent %d, acked %d%s, delivered %d, lost %d, duplicated %d, order %s; "
                        + "wecom duplicate-suppressed %d%s; "
                        + "replies on Kafka %d committed (%s per message), %d aborted; "
                        + "dlq %d%s; %.0f s%n",
                scenario, sent.sent(), sent.acked().size(), retries.isEmpty() ? "" : " (after " + retries + ")",
                delivered.size(), lost, duplicated, orderProblems.isEmpty() ? "ok" : "BROKEN",
                suppressed, suppressed > 0 && expect.duplicateSuppressedAllowed() ? " (" + expect.why() + ")" : "",
                committed.size(), maxRepliesPerMessage == 1 && repliesPerMessage.size() == sent.acked().size()
                        ? "1" : "max " + maxRepliesPerMessage,
                uncommittedSeen - committed.size(), deadLetters, details.isEmpty() ? "" : "; " + details,
                (System.nanoTime() - startNanos) / 1e9);

        assertEquals(sent.sent(), sent.acked().size(), "every message acknowledged in the end");
        assertEquals(0, lost, "lost: acknowledged but never delivered");
        assertEquals(0, duplicated, "duplicated: delivered more than once, or never sent");
        assertTrue(orderProblems.isEmpty(), "per-user order: " + orderProblems);
        assertEquals(sent.acked().size(), repliesPerMessage.size(), "a committed reply record for every message");
        assertEquals(1, maxRepliesPerMessage, "one committed reply record per message (the worker's exactly once)");
        assertEquals(0, deadLetters, "no dead letters");
        assertEquals(0, droppedOverLimit, "nothing dropped over WeCom's per-user limits");
        if (!expect.duplicateSuppressedAllowed()) {
            assertEquals(0, suppressed, "no resend needed WeCom's duplicate check in this scenario");
        }
        passed = true;
    }

    /**
     * True when the group has committed every record of the topic: a {@code read_committed} read
     * from the committed offsets finds nothing (transaction markers make the log end a poor measure).
     */
    private boolean drained(String group, String topic) {
        try (Admin admin = Admin.create(KafkaClientSettings.admin(bootstrap, prefix + "-admin"));
             KafkaConsumer<String, byte[]> consumer = reader("read_committed")) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            List<TopicPartition> parts = partitions(consumer, topic);
            consumer.assign(parts);
            for (TopicPartition tp : parts) {
                OffsetAndMetadata c = committed.get(tp);
                consumer.seek(tp, c == null ? 0 : c.offset());
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (!consumer.poll(Duration.ofMillis(100)).isEmpty() || System.nanoTime() > deadline) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private List<ReplyMessage> readReplies(String topic, String isolation) {
        return readAll(topic, isolation, r -> JsonSerde.replies().deserialize(topic, r.value()));
    }

    /** Every record of the topic, from the beginning to its current end, with the given isolation level. */
    <T> List<T> readAll(String topic, String isolation, Function<ConsumerRecord<String, byte[]>, T> map) {
        List<T> out = new ArrayList<>();
        Map<String, Object> settings = PartitionReader.settings(KafkaConnection.plain(bootstrap),
                prefix + "-reader-" + isolation);
        // read_uncommitted shows what aborted transactions left behind.
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        try (PartitionReader reader = new PartitionReader(settings, Duration.ofSeconds(30))) {
            if (!reader.readTopic(topic, PartitionReader.Start.BEGINNING, r -> out.add(map.apply(r)))) {
                throw new AssertionError("could not read " + topic + " to its end");
            }
        }
        return out;
    }

    /** A group-less consumer for the verdict's reads. */
    KafkaConsumer<String, byte[]> reader(String isolation) {
        Map<String, Object> c = KafkaClientSettings.consumer(bootstrap, "unused", prefix + "-reader-" + isolation);
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        return new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    }

    static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        return consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    // ---- plumbing -------------------------------------------------------------------------------

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    /** Stops every process still running (SIGTERM, then SIGKILL) and the sandbox; a failed scenario prints the logs. */
    @Override
    public void close() {
        List<Map.Entry<LauncherProcess, String>> all;
        synchronized (processes) {
            all = new ArrayList<>(processes.entrySet());
        }
        // Kept after the temporary directory is gone: target/fault-logs/<scenario>/<command>#<n>.log.
        Path logs = Path.of("target", "fault-logs", scenario);
        try {
            Files.createDirectories(logs);
            for (Map.Entry<LauncherProcess, String> p : all) {
                Files.writeString(logs.resolve(p.getValue() + ".log"), p.getKey().output());
            }
        } catch (IOException | RuntimeException e) {
            System.out.printf("fault[%s]: could not keep the logs: %s%n", scenario, e);
        }
        if (!passed) {
            for (Map.Entry<LauncherProcess, String> p : all) {
                System.out.printf("---- fault[%s] %s (pid %d, %s) ----%n%s%n", scenario, p.getValue(), p.getKey().pid(),
                        p.getKey().isAlive() ? "alive" : "exited", p.getKey().outputTail(120));
            }
        }
        // Services first (together), the broker last, so they can leave their groups.
        CompletableFuture.allOf(all.stream().filter(p -> !p.getValue().startsWith("kafka"))
                .map(p -> CompletableFuture.runAsync(() -> stop(p.getKey()))).toArray(CompletableFuture[]::new)).join();
        // Brokers together: a cluster node stopping after the others waits for a controller majority that is gone.
        CompletableFuture.allOf(all.stream().filter(p -> p.getValue().startsWith("kafka"))
                .map(p -> CompletableFuture.runAsync(() -> stop(p.getKey()))).toArray(CompletableFuture[]::new)).join();
        wecom.close();
    }

    private static void stop(LauncherProcess process) {
        if (!process.isAlive()) {
            return;
        }
        try {
            process.terminate(Duration.ofSeconds(30));
        } catch (AssertionError | InterruptedException e) {
            process.close();
        }
    }
}
