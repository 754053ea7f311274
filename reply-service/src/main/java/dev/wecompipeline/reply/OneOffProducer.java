package dev.wecompipeline.reply;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.KafkaConnection;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The tools' way to publish ({@link Redrive}, {@link Replay}): a producer opened for one batch of
 * records, which returns only once Kafka acknowledged every one of them.
 */
final class OneOffProducer {

    private OneOffProducer() {
    }

    /**
     * Sends {@code records} and waits for each acknowledgement.
     *
     * @param tool    names the producer ({@code wecom-<tool>}) and the failure
     * @param timeout the longest wait for each acknowledgement
     * @return how many records were sent
     * @throws IllegalStateException when Kafka refuses a record or does not acknowledge it in time
     */
    static int sendAll(KafkaConnection kafka, String tool, List<ProducerRecord<String, byte[]>> records,
                       Duration timeout) {
        if (records.isEmpty()) {
            return 0;
        }
        String topic = records.get(0).topic();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                KafkaClientSettings.producer(kafka, "wecom-" + tool), new StringSerializer(),
                new ByteArraySerializer())) {
            records.forEach(r -> sent.add(producer.send(r)));
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(tool + " to " + topic + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(tool + " interrupted", e);
        }
        return sent.size();
    }
}
