package dev.wecompipeline.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in of WeCom's server API ({@code gettoken}, {@code message/send}, {@code media/get},
 * {@code media/upload}) that answers
 * like the real one: per-app tokens that expire, WeCom's errcodes, 2048-byte truncation, image, voice,
 * video and file messages whose {@code media_id} must be valid for the corp and of the right type,
 * {@code enable_duplicate_check}, and the silent drop of messages over 30 a minute or 1000 an
 * hour per member. Faults are injected at runtime ({@link #faults()}, {@code POST /sandbox/faults});
 * every call is recorded for assertions ({@link #delivered()}, {@link #calls()},
 * {@code GET /sandbox/messages}). Time is the injected {@link Clock}, so tests never sleep.
 *
 * <pre>{@code
 * MutableClock clock = new MutableClock(Instant.now());
 * try (WeComApiSandbox wecom = new WeComApiSandbox(SandboxConfig.defaults(), clock).start()) {
 *     wecom.registerApp("ww1234", "app-secret", 1000002);
 *     ReplyService replies = new ReplyService(..., URI.create(wecom.baseUrl()));
 *     ...
 *     assertEquals(List.of("hello"), wecom.deliveredTo("ww1234", "alice").stream().map(ReceivedMessage::content).toList());
 *     assertEquals(0, wecom.countByOutcome(ApiCallOutcome.DROPPED_OVER_LIMIT));
 * }
 * }</pre>
 */
public final class WeComApiSandbox implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WeComApiSandbox.class);

    private final SandboxConfig config;
    private final Clock clock;
    private final TokenRegistry tokens;
    private final FaultPlan faults;
    private final Recorder recorder;
    private final WeComApiModel model;
    private final MediaStore media;
    private final SandboxServer server;
    // Brings the listener back after goDown(Duration); real time, because it models a network outage.
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "wecom-sandbox-scheduler");
        thread.setDaemon(true);
        return thread;
    });
    private boolean started;
    private boolean closed;

    /** WeCom's figures on the system clock. */
    public WeComApiSandbox(SandboxConfig config) {
        this(config, Clock.systemUTC());
    }

    /** Faults draw from {@code new Random(config.randomSeed())}. */
    public WeComApiSandbox(SandboxConfig config, Clock clock) {
        this(config, clock, new Random(config.randomSeed()));
    }

    /**
     * @param config the knobs
     * @param clock  time of token expiry, rate windows, duplicate checks and timed faults
     * @param random source of every fractional fault (-1 busy, HTTP errors)
     */
    public WeComApiSandbox(SandboxConfig config, Clock clock, Random random) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        ObjectMapper mapper = new ObjectMapper()
                // Instants as ISO-8601 text, without pulling in the JSR-310 module for one type.
                .registerModule(new SimpleModule().addSerializer(Instant.class, ToStringSerializer.instance));
        this.tokens = new TokenRegistry(config.tokenTtl());
        this.faults = new FaultPlan(clock, Objects.requireNonNull(random, "random"));
        this.recorder = new Recorder(config.maxRecords());
        this.media = new MediaStore(clock);
        this.model = new WeComApiModel(config, clock, mapper, tokens, faults, recorder, media);
        this.server = new SandboxServer(config, mapper, model, faults, new AdminRoutes(this, mapper));
    }

    /** Binds and serves; returns once the port is bound. */
    public synchronized WeComApiSandbox start() {
        if (closed) {
            throw new IllegalStateException("wecom-sandbox is closed");
        }
        server.start();
        started = true;
        LOG.info("wecom-sandbox: started on {}", baseUrl());
        return this;
    }

    /** {@code http://host:port}, the base URL to give a client in place of {@code https://qyapi.weixin.qq.com}. */
    public String baseUrl() {
        String host = config.host();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            host = "127.0.0.1";   // the wildcard binds everywhere but is no address to call
        } else if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + port();
    }

    /** The bound port (stays the same across {@link #goDown()}/{@link #comeBack()}); -1 before {@link #start()}. */
    public int port() {
        return server.port();
    }

    public SandboxConfig config() {
        return config;
    }

    public Clock clock() {
        return clock;
    }

    /**
     * Registers a self-built app. {@code gettoken} with its corp and secret then answers a token;
     * registering the same corp and agent with a new secret replaces the old one, as resetting it does.
     */
    public WeComApiSandbox registerApp(String corpId, String secret, int agentId) {
        tokens.register(Objects.requireNonNull(corpId, "corpId"), Objects.requireNonNull(secret, "secret"), agentId);
        LOG.debug("wecom-sandbox: registered app {} of corp {}", agentId, corpId);
        return this;
    }

    /** Makes {@code user} unknown in {@code corpId}: sends list it in {@code invaliduser}, or answer 81013 if nobody else is left. */
    public WeComApiSandbox invalidUser(String corpId, String user) {
        model.invalidUser(Objects.requireNonNull(corpId, "corpId"), Objects.requireNonNull(user, "user"));
        return this;
    }

    /** The runtime faults; change them at any time. */
    public FaultPlan faults() {
        return faults;
    }

    /**
     * Invalidates every token issued so far, as WeCom does on a secret reset or for its own reasons:
     * with {@code 40014} the tokens become unknown; with 42001, 42007 or 42009 they answer that code.
     * New {@code gettoken} calls issue fresh tokens.
     */
    public void invalidateAllTokens(int errcode) {
        tokens.invalidateAll(errcode);
        LOG.info("wecom-sandbox: all tokens invalidated ({})", errcode);
    }

    /** Closes the listener: WeCom is unreachable (connection refused) until {@link #comeBack()}. */
    public synchronized void goDown() {
        requireStarted();
        if (server.running()) {
            server.stop();
            LOG.info("wecom-sandbox: down (listener on port {} closed)", port());
        }
    }

    /** Closes the listener now and reopens it on the same port after {@code backAfter} (real time). */
    public void goDown(Duration backAfter) {
        goDown();
        scheduler.schedule(this::comeBackIfOpen, backAfter.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Reopens the listener on the same port. */
    public synchronized void comeBack() {
        requireStarted();
        if (!server.running()) {
            server.start();
            LOG.info("wecom-sandbox: back on {}", baseUrl());
        }
    }

    public synchronized boolean isDown() {
        return started && !server.running();
    }

    /** For the admin endpoint: a request can't close the server it is served by, so do it from another thread. */
    void goDownLater(Duration backAfter) {
        scheduler.execute(() -> {
            try {
                goDown(backAfter);
            } catch (RuntimeException e) {
                LOG.warn("wecom-sandbox: could not go down: {}", e.toString());
            }
        });
    }

    /**
     * Back to a fresh state with the same apps and invalid users: faults cleared, tokens forgotten
     * (clients must call gettoken again), records, duplicate history and rate windows emptied.
     */
    public void reset() {
        faults.clear();
        tokens.clearTokens();
        recorder.clear();
        media.clearRecords();
        model.clearHistory();
        LOG.info("wecom-sandbox: reset");
    }

    /** Empties the records and counts only. */
    public void clearRecords() {
        recorder.clear();
        media.clearRecords();
    }

    /**
     * Stores media of a corp as a user's message would reference it, and returns its {@code MediaId}:
     * {@code media/get} with a token of that corp serves the bytes with this content type (and
     * filename, if not null) for three days of the sandbox clock, then answers 40007.
     *
     * <pre>{@code
     * String mediaId = wecom.seedMedia(CORP, "image", jpegBytes, "image/jpeg", "photo.jpg");
     * }</pre>
     */
    public String seedMedia(String corpId, String type, byte[] bytes, String contentType, String filename) {
        return media.seed(Objects.requireNonNull(corpId, "corpId"), type, Objects.requireNonNull(bytes, "bytes"),
                contentType, filename);
    }

    /**
     * The file behind a media id, seeded or uploaded, whatever its corp and even after it expired:
     * what a delivered image or file message ({@link ReceivedMessage#content()} is its {@code media_id}) showed.
     * Empty for an id the sandbox never made.
     *
     * <pre>{@code
     * StoredMedia shown = wecom.uploadedMedia(wecom.deliveredTo(CORP, "alice").get(0).content()).orElseThrow();
     * assertArrayEquals(pngBytes, shown.bytes());
     * }</pre>
     */
    public Optional<StoredMedia> uploadedMedia(String mediaId) {
        return media.find(mediaId);
    }

    /** Every {@code media/upload} that reached the store (valid token), accepted or refused, oldest first. */
    public List<MediaUpload> mediaUploads() {
        return media.uploads();
    }

    /** Every {@code media/get} that reached the store (valid token), served or refused, oldest first. */
    public List<MediaFetch> mediaFetches() {
        return media.fetches();
    }

    /** Every message delivered, one per recipient, oldest first. */
    public List<ReceivedMessage> delivered() {
        return recorder.deliveries();
    }

    /** Messages delivered to one member of one corp, oldest first. */
    public List<ReceivedMessage> deliveredTo(String corpId, String user) {
        return delivered().stream().filter(d -> d.corpId().equals(corpId) && d.touser().equals(user)).toList();
    }

    /** Every call answered (gettoken and send), oldest first. */
    public List<CallRecord> calls() {
        return recorder.calls();
    }

    public List<CallRecord> gettokenCalls() {
        return calls().stream().filter(c -> c.api() == ApiEndpoint.GETTOKEN).toList();
    }

    public List<CallRecord> sendCalls() {
        return calls().stream().filter(c -> c.api() == ApiEndpoint.MESSAGE_SEND).toList();
    }

    /** Counts survive the eviction of old records, so they are right for a long benchmark. */
    public long gettokenCallCount() {
        return recorder.count(ApiEndpoint.GETTOKEN);
    }

    public long sendCallCount() {
        return recorder.count(ApiEndpoint.MESSAGE_SEND);
    }

    public long deliveredCount() {
        return recorder.deliveryCount();
    }

    /** Calls answered with this errcode (0 included); HTTP failures have none. */
    public long countByErrcode(int errcode) {
        return recorder.countByErrcode(errcode);
    }

    public Map<Integer, Long> countsByErrcode() {
        return recorder.countsByErrcode();
    }

    public long countByOutcome(ApiCallOutcome outcome) {
        return recorder.countByOutcome(outcome);
    }

    public Map<ApiCallOutcome, Long> countsByOutcome() {
        return recorder.countsByOutcome();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        scheduler.shutdownNow();
        server.stop();
        LOG.info("wecom-sandbox: stopped");
    }

    private synchronized void comeBackIfOpen() {
        if (closed) {
            return;
        }
        try {
            comeBack();
        } catch (RuntimeException e) {
            LOG.warn("wecom-sandbox: could not come back on port {}: {}", port(), e.toString());
        }
    }

    private void requireStarted() {
        if (!started || closed) {
            throw new IllegalStateException("wecom-sandbox is " + (closed ? "closed" : "not started"));
        }
    }
}
