package dev.wecompipeline.reply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.wecompipeline.wecom.PermanentWeComException;
import dev.wecompipeline.wecom.RetriableWeComException;
import dev.wecompipeline.wecom.TokenCache;
import dev.wecompipeline.wecom.WeComClient;
import dev.wecompipeline.sandbox.ApiEndpoint;
import dev.wecompipeline.sandbox.SandboxConfig;
import dev.wecompipeline.sandbox.WeComApiSandbox;
import dev.wecompipeline.sandbox.WeComErrors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TokenCacheTest {

    private final WeComApiSandbox wecom = new WeComApiSandbox(SandboxConfig.defaults()).start();
    private final WeComClient client = new WeComClient(URI.create(wecom.baseUrl()), 8, Duration.ofSeconds(5));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<String> refreshes = new ArrayList<>();
    private final TokenCache tokens = new TokenCache(client, Duration.ofSeconds(300), Duration.ofSeconds(2),
            Duration.ofSeconds(30), Duration.ofSeconds(60), timer, System::currentTimeMillis,
            (app, ok, code) -> refreshes.add(app + ":" + code));

    TokenCacheTest() {
        wecom.registerApp(ReplyFixture.CORP, ReplyFixture.APP.corpSecret(), ReplyFixture.APP.agentIdNumber());
    }

    @AfterEach
    void close() {
        client.close();
        timer.shutdownNow();
        wecom.close();
    }

    @Test
    void many_concurrent_callers_share_one_gettoken() throws Exception {
        List<CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            futures.add(tokens.token(ReplyFixture.APP));
        }
        String first = futures.get(0).get(5, TimeUnit.SECONDS);
        for (CompletableFuture<String> f : futures) {
            assertEquals(first, f.get(5, TimeUnit.SECONDS));
        }
        assertEquals(first, tokens.token(ReplyFixture.APP).get(5, TimeUnit.SECONDS), "cached");
        assertEquals(1, wecom.gettokenCallCount());
    }

    @Test
    void an_invalidated_token_is_replaced_once_however_many_sends_report_it() throws Exception {
        String old = tokens.token(ReplyFixture.APP).get(5, TimeUnit.SECONDS);
        wecom.invalidateAllTokens(WeComErrors.INVALID_ACCESS_TOKEN);
        tokens.invalidate(ReplyFixture.APP, old);
        String fresh = tokens.token(ReplyFixture.APP).get(5, TimeUnit.SECONDS);
        tokens.invalidate(ReplyFixture.APP, old);   // a late report of the old token changes nothing

        assertNotEquals(old, fresh);
        assertEquals(fresh, tokens.token(ReplyFixture.APP).get(5, TimeUnit.SECONDS));
        assertEquals(2, wecom.gettokenCallCount());
    }

    @Test
    void a_failed_gettoken_is_not_repeated_before_its_backoff() throws Exception {
        wecom.faults().failNext(ApiEndpoint.GETTOKEN, WeComErrors.SYSTEM_BUSY, 1);
        ExecutionException first = assertThrows(ExecutionException.class,
                () -> tokens.token(ReplyFixture.APP).get(5, TimeUnit.SECONDS));
        assertTrue(first.getCause() instanceof RetriableWeComException);

        CompletableFuture<String> second = tokens.token(ReplyFixture.APP);
        assertTrue(!second.isDone() && wecom.gettokenCallCount() == 1, "the next gettoken waits out the backoff");
        assertTrue(second.get(10, TimeUnit.SECONDS).length() > 0, "and then succeeds");
        assertEquals(List.of("default:-1", "default:0"), refreshes);
    }

    @Test
    void a_wrong_secret_is_a_permanent_failure() {
        var wrong = new dev.wecompipeline.config.AppConfig("default", ReplyFixture.CORP, "not-the-secret", "1000002",
                "t", ReplyFixture.APP.encodingAesKey());
        ExecutionException e = assertThrows(ExecutionException.class, () -> tokens.token(wrong).get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof PermanentWeComException pe && pe.errcode() == 40001, e.getCause().toString());
    }
}
