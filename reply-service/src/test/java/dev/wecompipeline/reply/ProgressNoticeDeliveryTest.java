package dev.wecompipeline.reply;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.sandbox.ApiCallOutcome;
import dev.wecompipeline.sandbox.SandboxConfig;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The worker's progress notice on the WeCom sandbox: a worker that crashed after committing it is
 * replaced by one that emits it again under the same reply id (the id comes from the inbound
 * record's position, see {@code ProgressNoticeTest} in the agent-worker), then the answer. The
 * user gets the notice once and then the answer, whether the first copy was delivered by an
 * earlier instance or is still in the topic beside the second. And a notice is a send like any
 * other under the user's WeCom limits.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ProgressNoticeDeliveryTest {

    private static final String NOTICE = "收到，正在处理，请稍候…";

    @Test
    void a_notice_emitted_again_after_a_worker_crash_reaches_the_user_once_and_before_the_answer(KafkaBroker kafka) {
        try (ReplyFixture fx = new ReplyFixture(kafka.bootstrapServers(), 2)) {
            // dora: the first copy is delivered, this instance stops, the second copy and the answer follow.
            InboundMessage dora = inbound("dora", "m-dora");
            ReplyService first = fx.startService();
            fx.publish(notice(dora, 42));
            fx.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> fx.deliveredTo("dora").size() == 1);
            first.close();
            fx.services.remove(first);

            fx.publish(notice(dora, 42));
            fx.publish(answer(dora, 42, "the answer for dora"));
            // ed: both copies and the answer are in the topic before anything is delivered.
            InboundMessage ed = inbound("ed", "m-ed");
            fx.publish(notice(ed, 43));
            fx.publish(notice(ed, 43));
            fx.publish(answer(ed, 43, "the answer for ed"));
            fx.flush();
            long sendsBefore = fx.wecom.sendCallCount();
            ReplyService second = fx.startService();

            await().atMost(Duration.ofSeconds(30)).until(() -> fx.deliveredTo("dora").size() == 2
                    && fx.deliveredTo("ed").size() == 2);
            // Both second copies were recognised (a record the first instance delivered may be read again too).
            await().atMost(Duration.ofSeconds(30)).until(() -> second.engine().recordCount("already_delivered") >= 2);
            assertEquals(List.of(NOTICE, "the answer for dora"), fx.deliveredTo("dora"));
            assertEquals(List.of(NOTICE, "the answer for ed"), fx.deliveredTo("ed"));
            assertEquals(sendsBefore + 3, fx.wecom.sendCallCount(),
                    "no second copy of a notice was even sent (not left to WeCom's duplicate check)");
        }
    }

    @Test
    void a_notice_counts_toward_the_users_limit_like_any_reply(KafkaBroker kafka) {
        // Two sends per 3 s per user, at WeCom (which drops the excess silently) and in the service.
        SandboxConfig strict = SandboxConfig.builder().perUserPerMinute(2).minuteWindow(Duration.ofSeconds(3)).build();
        try (ReplyFixture fx = new ReplyFixture(kafka.bootstrapServers(), 1,
                Map.of("REPLY_PER_USER_PER_MINUTE", "2", "REPLY_MINUTE_WINDOW", "3s"), strict)) {
            ReplyService service = fx.startService();
            InboundMessage first = inbound("gus", "m-g1");
            fx.publish(notice(first, 7));
            fx.publish(answer(first, 7, "first answer"));
            fx.publish(answer(inbound("gus", "m-g2"), 8, "second answer"));
            fx.flush();

            await().atMost(Duration.ofSeconds(30)).until(() -> fx.deliveredTo("gus").size() == 3);
            assertEquals(List.of(NOTICE, "first answer", "second answer"), fx.deliveredTo("gus"));
            assertEquals(0, fx.wecom.countByOutcome(ApiCallOutcome.DROPPED_OVER_LIMIT), "the third send waited for the window");
            assertTrue(service.metrics().count("wecom.reply.rate.limit.waits", "reason", "user") > 0,
                    "the notice used one of the user's two sends");
        }
    }

    private static InboundMessage inbound(String user, String id) {
        return new InboundMessage(InboundMessage.SCHEMA_VERSION, id, ReplyFixture.APP.name(), ReplyFixture.CORP,
                ReplyFixture.APP.agentId(), user, "text", System.currentTimeMillis() / 1000, "a long question",
                Map.of(), System.currentTimeMillis(), "t-" + id);
    }

    /** What the worker emits for the inbound record at {@code offset}: the same id from every worker. */
    private static ReplyMessage notice(InboundMessage m, long offset) {
        return ReplyMessage.answering(m, "text", NOTICE).asProgressNoticeAt("wecom.inbound", 0, offset);
    }

    private static ReplyMessage answer(InboundMessage m, long offset, String text) {
        return ReplyMessage.answering(m, "text", text).asAnswerAt("wecom.inbound", 0, offset, System.currentTimeMillis());
    }
}
