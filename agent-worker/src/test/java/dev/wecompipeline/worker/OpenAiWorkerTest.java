package dev.wecompipeline.worker;

import static dev.wecompipeline.worker.WorkerFixture.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import dev.wecompipeline.config.OpenAiConfig;
import dev.wecompipeline.kafka.ReplyMessage;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import dev.wecompipeline.worker.agent.Agents;
import dev.wecompipeline.worker.agent.ChatCompletionsStandIn;
import dev.wecompipeline.worker.agent.OpenAiAgent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The openai agent inside a real worker, against a local chat-completions stand-in. */
@ExtendWith(KafkaBrokerExtension.class)
class OpenAiWorkerTest {

    @Test
    void history_is_sent_reset_clears_it_and_a_timeout_becomes_the_apology(KafkaBroker kafka) {
        try (ChatCompletionsStandIn model = ChatCompletionsStandIn.start();
             WorkerFixture fx = new WorkerFixture(kafka.bootstrapServers(), 2)) {
            model.answerWith("model says hi");
            OpenAiAgent agent = new OpenAiAgent(OpenAiConfig.defaults().withBaseUrl(model.baseUrl()), Agents.httpClient());
            WorkerRuntimeOptions settings = new WorkerRuntimeOptions(4, Duration.ofSeconds(2), "Sorry, try again.", "text", 10,
                    Duration.ofSeconds(5), WorkerRuntimeOptions.DEFAULT_DEDUPE_WINDOW,
                    WorkerRuntimeOptions.DEFAULT_ANSWER_MAX_CHARS, WorkerRuntimeOptions.DEFAULT_HISTORY_MAX_BYTES,
                    dev.wecompipeline.config.EngineConfig.defaults(), "openai-test",
                    WorkerRuntimeOptions.ProgressNotice.OFF);
            fx.startWorker(agent, settings);

            fx.publish(text("frank", "o-1", "first question"));
            fx.flush();
            fx.replies(1, Duration.ofSeconds(30));
            fx.publish(text("frank", "o-2", "second question"));
            fx.flush();
            fx.replies(2, Duration.ofSeconds(30));
            List<List<String>> second = model.requests().get(1).messages();
            assertTrue(second.contains(List.of("user", "first question")), "history sent: " + second);
            assertTrue(second.contains(List.of("assistant", "model says hi")), "history sent: " + second);
            assertEquals(List.of("user", "second question"), second.get(second.size() - 1));

            fx.publish(text("frank", "o-3", "/reset"));
            fx.publish(text("frank", "o-4", "after reset"));
            fx.flush();
            List<ReplyMessage> replies = fx.replies(4, Duration.ofSeconds(30));
            assertEquals(WorkerProcessor.RESET_REPLY, replies.get(2).content());
            List<List<String>> afterReset = model.requests().get(model.requests().size() - 1).messages();
            assertTrue(afterReset.stream().noneMatch(m -> m.get(1).contains("question")), "history cleared: " + afterReset);

            model.hold();
            fx.publish(text("frank", "o-5", "slow one"));
            fx.flush();
            List<ReplyMessage> all = fx.replies(5, Duration.ofSeconds(30));
            assertEquals("Sorry, try again.", all.get(4).content(), "a timed-out model call becomes the apology");
            model.release();
        }
    }
}
