package dev.wecompipeline.engine;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The loop's poll ends early on news, and a wakeup never reaches any other consumer call. */
class PollWakeupTest {

    private static final TopicPartition TP = new TopicPartition("in", 0);

    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");

    PollWakeupTest() {
        consumer.assign(List.of(TP));
        consumer.updateBeginningOffsets(Map.of(TP, 0L));
    }

    private static List<ConsumerRecord<String, byte[]>> list(Iterable<ConsumerRecord<String, byte[]>> records) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        records.forEach(out::add);
        return out;
    }

    @Test
    void news_already_waiting_means_no_wait_at_all() {
        PollWakeup wakeup = new PollWakeup(consumer);
        wakeup.poll(Duration.ofMillis(100), () -> true);
        assertEquals(Duration.ZERO, consumer.lastPollTimeout());
        wakeup.poll(Duration.ofMillis(100), () -> false);
        assertEquals(Duration.ofMillis(100), consumer.lastPollTimeout());
    }

    @Test
    void news_during_the_poll_ends_it_and_the_next_poll_is_ordinary() {
        PollWakeup wakeup = new PollWakeup(consumer);
        consumer.schedulePollTask(wakeup::wake);
        assertEquals(List.of(), list(wakeup.poll(Duration.ofMillis(100), () -> false)));
        consumer.addRecord(new ConsumerRecord<>("in", 0, 0, "k", "v".getBytes(StandardCharsets.UTF_8)));
        assertEquals(1, list(wakeup.poll(Duration.ofMillis(100), () -> false)).size());
    }

    /** A consumer whose poll is followed, once, by news arriving just as it returns. */
    static final class Racing extends MockConsumer<String, byte[]> {
        PollWakeup target;

        Racing() {
            super("earliest");
        }

        @Override
        public synchronized ConsumerRecords<String, byte[]> poll(Duration timeout) {
            ConsumerRecords<String, byte[]> records = super.poll(timeout);
            PollWakeup t = target;
            target = null;
            if (t != null) {
                t.wake();   // the loop is still inside PollWakeup.poll: this wakeup is pending
            }
            return records;
        }
    }

    @Test
    void news_that_races_the_poll_s_return_is_used_up_and_its_records_kept() {
        Racing racing = new Racing();
        racing.assign(List.of(TP));
        racing.updateBeginningOffsets(Map.of(TP, 0L));
        racing.addRecord(new ConsumerRecord<>("in", 0, 0, "k", "v".getBytes(StandardCharsets.UTF_8)));
        PollWakeup wakeup = new PollWakeup(racing);
        racing.target = wakeup;
        assertEquals(1, list(wakeup.poll(Duration.ofMillis(100), () -> false)).size(), "the record is kept");
        assertDoesNotThrow(() -> racing.poll(Duration.ZERO), "no wakeup left for the loop's other calls");
    }
}
