package dev.wecompipeline.reply;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import dev.wecompipeline.config.AppConfig;
import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.wecom.ErrorCodes;
import dev.wecompipeline.wecom.PermanentWeComException;
import dev.wecompipeline.wecom.TokenCache;
import dev.wecompipeline.wecom.WeComApi.SendAnswer;
import dev.wecompipeline.wecom.WeComApi.SendRequest;
import dev.wecompipeline.wecom.WeComClient;
import dev.wecompipeline.wecom.WeComException;
import io.github.resilience4j.retry.Retry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the undelivered parts of one reply (text chunks, then images and files), in order, as an asynchronous state machine:
 * wait for the user's and the app's limits, send, then either go on with the next chunk, or retry
 * after the policy's backoff, or give up. Every wait is a timer task, never a sleeping thread, so
 * any number of replies can wait at once; the only threads held are the WeCom client's during a call.
 *
 * <p>The poll loop learns of progress through the {@link Listener}: each accepted chunk (to record
 * it durably) and the end. {@link #cancel()} stops it at the next step (a call in progress runs to
 * its answer first, which is still reported).
 */
final class ReplyDelivery {

    private static final Logger LOG = LoggerFactory.getLogger(ReplyDelivery.class);
    /** Fresh tokens tried per attempt when WeCom keeps refusing them (it may invalidate tokens early). */
    static final int TOKEN_REFRESHES_PER_ATTEMPT = 3;
    /** Retries per attempt after a refusal of a token that another send had already replaced. */
    static final int STALE_TOKEN_RETRIES = 16;
    /** An attachment this close to its expiry is not sent: WeCom's clock and ours differ, and a send takes time. */
    static final long EXPIRY_MARGIN_MS = TimeUnit.MINUTES.toMillis(5);

    /** How a delivery ended. */
    enum Ending { DELIVERED, DEAD_LETTER, CANCELLED }

    /** Called from client and timer threads; implementations hand the news to the poll thread. */
    interface Listener {
        /** {@code atMs}: when the acceptance arrived, the time the user's limits count the send at. */
        void chunkAccepted(ReplyDelivery delivery, int chunkIndex, String msgid, long atMs);

        /** {@code failure}, {@code attempts} and {@code chunkIndex} are set for DEAD_LETTER only. */
        void finished(ReplyDelivery delivery, Ending ending, WeComException failure, int attempts, int chunkIndex);
    }

    /** What every delivery shares: the WeCom client, tokens, limits, policy and timer. */
    record Context(WeComClient client, TokenCache tokens, UserRateLimiter users, AppThrottle apps, SendPolicy policy,
                   ScheduledExecutorService timer, ReplyMetrics metrics, LongSupplier clock, long duplicateCheckSeconds) {
    }

    private final Context ctx;
    private final Listener listener;
    private final AppConfig app;
    private final String touser;
    private final String limitKey;
    private final List<ReplyPreparer.Part> parts;
    private final List<Integer> toSend;
    private final long receivedAtMs;
    final Object owner;

    private int position;
    private int attempts;
    private long firstFailureMs;
    private Retry.AsyncContext<Object> retry;
    private boolean cancelled;
    private boolean inCall;
    private boolean done;
    private ScheduledFuture<?> timer;

    /**
     * @param parts        every part of the reply
     * @param toSend       indices of the parts still to deliver, ascending
     * @param owner        the poll loop's handle of this reply, given back in the listener calls
     */
    ReplyDelivery(Context ctx, Listener listener, AppConfig app, String touser, List<ReplyPreparer.Part> parts,
             List<Integer> toSend, long receivedAtMs, Object owner) {
        this.ctx = ctx;
        this.listener = listener;
        this.app = app;
        this.touser = touser;
        this.limitKey = limitKey(app.name(), touser);
        this.parts = parts;
        this.toSend = toSend;
        this.receivedAtMs = receivedAtMs;
        this.owner = owner;
    }

    /** Whose limits a send counts against: WeCom limits each member per app. */
    static String limitKey(String appName, String touser) {
        return appName + '\u0000' + touser;
    }

    void start() {
        schedule(this::step, 0);
    }

    /** Stops at the next step; ends as CANCELLED unless the reply completes first. */
    void cancel() {
        boolean finishNow;
        synchronized (this) {
            if (done) {
                return;
            }
            cancelled = true;
            finishNow = !inCall;
            if (timer != null) {
                timer.cancel(false);
            }
        }
        if (finishNow) {
            finish(Ending.CANCELLED, null, 0, -1);
        }
    }

    /** Waits for whatever limit applies, or sends the next chunk. */
    private void step() {
        synchronized (this) {
            if (done) {
                return;
            }
        }
        if (isCancelled()) {
            finish(Ending.CANCELLED, null, 0, -1);
            return;
        }
        if (position == toSend.size()) {
            ctx.metrics().latency(ctx.clock().getAsLong() - receivedAtMs);
            finish(Ending.DELIVERED, null, 0, -1);
            return;
        }
        long blocked = ctx.apps().blockedMillis(app.name());
        if (blocked > 0) {
            ctx.metrics().rateLimitWait("app_frequency");
            // Jittered: the app's waiting chunks come back spread out, not all at the block's end.
            schedule(this::step, ctx.policy().afterFrequencyBlock(blocked));
            return;
        }
        long userWait = ctx.users().waitMillis(limitKey);
        if (userWait > 0) {
            ctx.metrics().rateLimitWait("user");
            schedule(this::step, userWait);
            return;
        }
        long capWait = ctx.apps().reserve(app.name());
        if (capWait > 0) {
            ctx.metrics().rateLimitWait("app_rate");
            schedule(this::call, capWait);
        } else {
            call();
        }
    }

    private void call() {
        boolean stop;
        synchronized (this) {
            if (done) {
                return;
            }
            stop = cancelled;
            inCall = !stop;
        }
        if (stop) {
            finish(Ending.CANCELLED, null, 0, -1);
            return;
        }
        int chunkIndex = toSend.get(position);
        ReplyPreparer.Part part = parts.get(chunkIndex);
        WeComException expired = expired(part);
        if (expired != null) {
            synchronized (this) {
                inCall = false;
            }
            finish(Ending.DEAD_LETTER, expired, attempts, chunkIndex);
            return;
        }
        attempts++;
        SendRequest request = SendRequest.of(touser, part.msgtype(), app.agentIdNumber(), part.content(),
                ctx.duplicateCheckSeconds());
        ctx.users().started(limitKey);
        sendWithFreshTokens(request, TOKEN_REFRESHES_PER_ATTEMPT, STALE_TOKEN_RETRIES, false)
                .whenComplete((answer, error) -> answered(chunkIndex, answer, error));
    }

    /**
     * An attachment whose {@code media_id} WeCom no longer serves, or will not by the time a send
     * arrives: sending it would only earn a 40007. The bytes are not kept anywhere the reply-service
     * can reach (they never go on Kafka), so it cannot upload them again: the reply is dead-lettered
     * with this reason, its earlier parts delivered.
     */
    private WeComException expired(ReplyPreparer.Part part) {
        if (part.attachment() == null) {
            return null;
        }
        long now = ctx.clock().getAsLong();
        if (now < part.attachment().expiresAtMs() - EXPIRY_MARGIN_MS) {
            return null;
        }
        return new PermanentWeComException(DeadLetters.MEDIA_EXPIRED, "the " + part.attachment().type() + " "
                + part.attachment().filename() + " was uploaded more than " + ReplyMessage.Attachment.LIFETIME.toDays()
                + " days before it could be sent; WeCom no longer serves its media_id");
    }

    /**
     * Sends; when WeCom refuses the token, drops it and sends again with a new one (40001 once only).
     * A refusal of a token another send has already replaced is not this message's failure: many
     * sends in flight when a token dies all fail with it, and counting that against each of them
     * lets the ones that keep losing the race for the next token run out of attempts. Such stale
     * refusals are retried at once, up to {@link #STALE_TOKEN_RETRIES} times per attempt.
     */
    private CompletableFuture<SendAnswer> sendWithFreshTokens(SendRequest request, int refreshes, int staleRetries,
                                                              boolean retried40001) {
        return ctx.tokens().token(app).thenCompose(token -> ctx.client().send(token, request).thenCompose(answer -> {
            int code = answer.errcode();
            boolean tokenError = ErrorCodes.isTokenError(code);
            boolean badCredential = code == ErrorCodes.INVALID_CREDENTIAL && !retried40001;
            if (!tokenError && !badCredential) {
                return CompletableFuture.completedFuture(answer);
            }
            boolean wasCurrent = ctx.tokens().invalidate(app, token);
            if (tokenError && !wasCurrent && staleRetries > 0) {
                ctx.metrics().send(app.name(), Integer.toString(code));
                return sendWithFreshTokens(request, refreshes, staleRetries - 1, retried40001);
            }
            if (tokenError && refreshes <= 0) {
                return CompletableFuture.completedFuture(answer);
            }
            ctx.metrics().send(app.name(), Integer.toString(code));
            return sendWithFreshTokens(request, tokenError ? refreshes - 1 : refreshes, staleRetries,
                    retried40001 || badCredential);
        }));
    }

    private void answered(int chunkIndex, SendAnswer answer, Throwable error) {
        synchronized (this) {
            inCall = false;
        }
        WeComException failure = error != null ? ErrorCodes.forFailure(error)
                : answer.errcode() != ErrorCodes.OK ? ErrorCodes.forAnswer(answer.errcode(), answer.errmsg()) : null;
        ctx.metrics().send(app.name(), failure == null ? "0" : failure.code());
        long answeredAt = ctx.clock().getAsLong();
        if (failure == null) {
            ctx.users().finished(limitKey, true, answeredAt);
            if (answer.invaliduser() != null && !answer.invaliduser().isBlank()) {
                ctx.metrics().invalidUser(app.name());
                LOG.warn("reply: WeCom accepted a message of app {} but does not know user(s) {}", app.name(),
                        answer.invaliduser());
            }
            LOG.debug("reply: chunk {} to {} of app {} accepted (attempt {})", chunkIndex, touser, app.name(), attempts);
            listener.chunkAccepted(this, chunkIndex, answer.msgid(), answeredAt);
            position++;
            attempts = 0;
            retry = null;
            step();
            return;
        }
        ctx.users().finished(limitKey, failure.outcomeUnknown(), answeredAt);
        long now = answeredAt;
        if (failure.errcode() == ErrorCodes.API_FREQ_OUT_OF_LIMIT) {
            ctx.apps().frequencyLimited(app.name());
            LOG.warn("reply: WeCom answered 45009 (frequency limit) to app {}; its sends pause", app.name());
        } else if (failure.errcode() == ErrorCodes.IP_NOT_ALLOWED) {
            LOG.error("reply: WeCom answered 60020 to app {}: this server's public IP must be added to the app's "
                    + "trusted IP list (WeCom admin console > the app > trusted IPs): {}", app.name(), failure.errmsg());
        }
        if (retry == null) {
            retry = ctx.policy().newContext(app.name());
            firstFailureMs = now;
        }
        long delay = ctx.policy().nextDelay(retry, failure, now - firstFailureMs);
        if (delay < 0) {
            finish(Ending.DEAD_LETTER, failure, attempts, chunkIndex);
            return;
        }
        ctx.metrics().retry(app.name(), failure.code());
        LOG.debug("reply: chunk {} to {} failed ({}), attempt {}; retry in {} ms", chunkIndex, touser, failure.code(),
                attempts, delay);
        schedule(this::step, delay);
    }

    private void schedule(Runnable next, long delayMs) {
        synchronized (this) {
            if (done) {
                return;
            }
            if (!cancelled) {
                try {
                    timer = ctx.timer().schedule(next, delayMs, TimeUnit.MILLISECONDS);
                    return;
                } catch (RejectedExecutionException shutDown) {
                    cancelled = true;
                }
            }
        }
        finish(Ending.CANCELLED, null, 0, -1);
    }

    private synchronized boolean isCancelled() {
        return cancelled;
    }

    private void finish(Ending ending, WeComException failure, int attemptsMade, int chunkIndex) {
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
        }
        listener.finished(this, ending, failure, attemptsMade, chunkIndex);
    }
}
