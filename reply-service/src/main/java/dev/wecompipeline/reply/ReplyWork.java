package dev.wecompipeline.reply;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One polled reply record on its way through the engine.
 *
 * @param record   the reply record
 * @param prepared its app and parts
 */
record ReplyWork(ConsumerRecord<String, byte[]> record, ReplyPreparer.Prepared prepared) {

    /** The scheduling key: the record key ({@code corp_id:user_id}), one delivery at a time per key. */
    String key() {
        return record.key() != null ? record.key() : prepared.message().userKey().toString();
    }

    /** Indices of parts without a delivery marker in {@code delivered}, ascending. */
    List<Integer> undelivered(DeliveryMarkers.Slice delivered) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < prepared.parts().size(); i++) {
            if (!delivered.contains(DeliveryMarkers.key(prepared.message().replyId(), i))) {
                out.add(i);
            }
        }
        return out;
    }
}
