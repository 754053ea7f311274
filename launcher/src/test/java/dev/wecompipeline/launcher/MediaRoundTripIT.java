package dev.wecompipeline.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import dev.wecompipeline.sandbox.ReceivedMessage;
import dev.wecompipeline.sandbox.ApiCallOutcome;
import dev.wecompipeline.sandbox.StoredMedia;
import dev.wecompipeline.testkit.KafkaBroker;
import dev.wecompipeline.testkit.KafkaBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Media out end to end, process by process: the {@code command} agent answers with a JSON of text,
 * two images and a file; the worker uploads them to the WeCom sandbox; the reply-service sends
 * text, image, image, file. The reply-service is SIGKILLed right after WeCom accepted the first
 * image and a new one is started: each part still arrives once, in order.
 */
@ExtendWith(KafkaBrokerExtension.class)
class MediaRoundTripIT {

    private static final byte[] CHART = "\u0089PNG\r\n\u001a\n chart of the quarter".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] MAP = "\u0089PNG\r\n\u001a\n map of the offices".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] REPORT = "%PDF-1.4 the quarterly report".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path workDir;

    @Test
    void a_command_answer_with_two_images_and_a_file_arrives_in_order_once_each_across_a_reply_service_kill(
            KafkaBroker kafka) throws Exception {
        Path out = Files.createDirectories(workDir.resolve("agent-out"));
        Files.write(out.resolve("chart.png"), CHART);
        Files.write(out.resolve("map.png"), MAP);
        Files.write(out.resolve("report.pdf"), REPORT);
        // The agent program: reads the message, answers text and three paths as JSON.
        Path agent = workDir.resolve("agent.sh");
        Files.writeString(agent, "#!/bin/sh\ncat > /dev/null\n"
                + "printf '{\"text\":\"Your quarter in pictures.\",\"images\":[\"%s\",\"%s\"],\"files\":[\"%s\"]}' "
                + "'" + out.resolve("chart.png") + "' '" + out.resolve("map.png") + "' '" + out.resolve("report.pdf") + "'\n");
        Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwx------"));

        try (FaultHarness h = new FaultHarness("media-round-trip", workDir)) {
            h.useKafka(kafka.bootstrapServers());
            h.env("AGENT", "command").env("AGENT_COMMAND", agent.toString())
                    // Two sends a second: the kill lands between the parts.
                    .env("REPLY_APP_SENDS_PER_SECOND", "2");
            h.startIngress();
            FaultHarness.awaitAssigned(h.startWorker());
            LauncherProcess first = h.startReply();
            FaultHarness.awaitAssigned(first);

            FaultHarness.Sent sent = h.send(h.messages(1, 1), Duration.ZERO);
            String user = sent.acked().get(0).user();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                    .until(() -> h.wecom().deliveredTo(FaultHarness.CORP, user).stream()
                            .anyMatch(d -> d.msgtype().equals("image")));
            first.kill();
            int atKill = h.wecom().deliveredTo(FaultHarness.CORP, user).size();
            LauncherProcess second = h.startReply();
            FaultHarness.awaitAssigned(second);

            await().atMost(Duration.ofSeconds(60)).until(() -> h.wecom().deliveredTo(FaultHarness.CORP, user).size() >= 4);
            List<ReceivedMessage> got = h.wecom().deliveredTo(FaultHarness.CORP, user);
            assertEquals(List.of("text", "image", "image", "file"), got.stream().map(ReceivedMessage::msgtype).toList(),
                    "in order, once each (killed after " + atKill + " deliveries)");
            assertEquals("Your quarter in pictures.", got.get(0).content());
            assertArrayEquals(CHART, media(h, got.get(1)).bytes());
            assertArrayEquals(MAP, media(h, got.get(2)).bytes());
            assertArrayEquals(REPORT, media(h, got.get(3)).bytes());
            assertEquals("report.pdf", media(h, got.get(3)).filename());
            assertEquals(3, h.wecom().mediaUploads().size(), "the worker uploaded each attachment once");
            assertEquals(4, h.wecom().countByOutcome(ApiCallOutcome.DELIVERED), "no part delivered twice");
            assertTrue(second.isAlive());
        }
    }

    private static StoredMedia media(FaultHarness h, ReceivedMessage d) {
        return h.wecom().uploadedMedia(d.content()).orElseThrow(() -> new AssertionError("unknown media " + d.content()));
    }
}
