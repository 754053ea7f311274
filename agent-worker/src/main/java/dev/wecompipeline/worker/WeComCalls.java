package dev.wecompipeline.worker;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import dev.wecompipeline.config.AppConfig;
import dev.wecompipeline.wecom.ErrorCodes;
import dev.wecompipeline.wecom.PermanentWeComException;
import dev.wecompipeline.wecom.RetriableWeComException;
import dev.wecompipeline.wecom.TokenCache;
import dev.wecompipeline.wecom.WeComApi;
import dev.wecompipeline.wecom.WeComClient;
import dev.wecompipeline.wecom.WeComException;

/**
 * The worker's calls of WeCom's server API ({@code media/get}, {@code media/upload}) with the
 * reply-service's retry rules, on the calling (agent) thread: {@code -1}, {@code 45009} and
 * {@code 45033} are tried again after a backoff; a token WeCom refused ({@code 40014},
 * {@code 42001}, ...) is dropped from the shared {@link TokenCache} and fetched again; anything
 * else WeCom refuses is final. The caller decides what a failure means for its message.
 */
final class WeComCalls {

    static final int MAX_ATTEMPTS = 4;
    static final Duration BACKOFF = Duration.ofMillis(200);

    /**
     * How a call ended: WeCom's answer with errcode 0, or the failure (a {@link PermanentWeComException}
     * carrying WeCom's refusal or the client's, or a {@link RetriableWeComException} when every attempt
     * failed transiently).
     */
    record Outcome<T>(T answer, WeComException failure) {
        boolean ok() {
            return failure == null;
        }
    }

    private final WeComClient client;
    private final TokenCache tokens;

    WeComCalls(WeComClient client, TokenCache tokens) {
        this.client = client;
        this.tokens = tokens;
    }

    /** Calls {@code call} with the app's token until WeCom answers 0, refuses for good, or attempts run out. */
    <T extends WeComApi.Answer> Outcome<T> call(AppConfig app, Function<String, CompletableFuture<T>> call)
            throws InterruptedException {
        WeComException last = new RetriableWeComException("no_answer", "WeCom did not answer", null);
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            if (attempt > 1) {
                TimeUnit.MILLISECONDS.sleep(BACKOFF.toMillis() << (attempt - 2));   // backoff, not synchronisation
            }
            String token;
            T answer;
            try {
                token = await(tokens.token(app));
                answer = await(call.apply(token));
            } catch (PermanentWeComException e) {
                return new Outcome<>(null, e);
            } catch (WeComException e) {
                last = e;
                continue;
            }
            Integer errcode = answer.errcode();
            if (errcode != null && errcode == ErrorCodes.OK) {
                return new Outcome<>(answer, null);
            }
            if (errcode == null) {
                last = new RetriableWeComException("bad_answer", "answer without errcode", null);
                continue;
            }
            WeComException refusal = ErrorCodes.forAnswer(errcode, answer.errmsg());
            if (ErrorCodes.isTokenError(errcode)) {
                tokens.invalidate(app, token);
            }
            if (refusal instanceof PermanentWeComException) {
                return new Outcome<>(null, refusal);
            }
            last = refusal;
        }
        return new Outcome<>(null, last);
    }

    Duration requestTimeout() {
        return client.requestTimeout();
    }

    private <T> T await(CompletableFuture<T> future) throws InterruptedException {
        try {
            // The client bounds each call; the token fetch is bounded at twice that.
            return future.get(client.requestTimeout().multipliedBy(3).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw ErrorCodes.forFailure(e.getCause());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw ErrorCodes.forFailure(new java.net.http.HttpTimeoutException("timeout"));
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        }
    }
}
