package dev.wecompipeline.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The loop's poll, which news from a task thread (a finished task, a loaded partition) ends at
 * once, so that the news is handled and committed now rather than when the poll times out.
 *
 * <p>Kafka's {@code wakeup()} makes the consumer's next blocking call throw, whichever it is. So
 * it is only ever called while the loop is inside this poll, and a wakeup that raced the poll's
 * own return is used up by a zero poll before this method returns: no other consumer call of the
 * loop (reading commits, closing) ever sees it. Resuming a poll that was woken mid-rebalance is
 * supported by the consumer (Kafka Connect's sink tasks do it routinely).
 */
final class PollWakeup {

    private final Consumer<String, byte[]> consumer;
    private boolean polling;
    private boolean sent;

    PollWakeup(Consumer<String, byte[]> consumer) {
        this.consumer = consumer;
    }

    /** Ends the loop's poll if it is in one; any thread. */
    synchronized void wake() {
        if (polling && !sent) {
            sent = true;
            consumer.wakeup();
        }
    }

    /**
     * Polls for up to {@code timeout}, or not at all when {@code news} is already true: news that
     * arrived before this call woke nobody. Loop thread only.
     */
    Iterable<ConsumerRecord<String, byte[]>> poll(Duration timeout, BooleanSupplier news) {
        synchronized (this) {
            polling = true;
        }
        boolean thrown = false;
        boolean pending;
        ConsumerRecords<String, byte[]> records;
        try {
            records = consumer.poll(news.getAsBoolean() ? Duration.ZERO : timeout);
        } catch (WakeupException e) {
            records = ConsumerRecords.empty();
            thrown = true;
        } finally {
            synchronized (this) {
                polling = false;
                pending = sent && !thrown;
                sent = false;
            }
        }
        if (!pending) {
            return records;
        }
        // Woken after the poll had already returned: the wakeup is still pending. A poll checks
        // for it before anything else, so this one throws it at once; records it returns are kept.
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>(records.count());
        records.forEach(all::add);
        try {
            consumer.poll(Duration.ZERO).forEach(all::add);
        } catch (WakeupException expected) {
            // Used up: nothing else of the loop's will see it.
        }
        return all;
    }
}
