package dev.wecompipeline.reply;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.wecompipeline.kafka.PartitionProgress;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/** One polled reply record on its way through the scheduler; touched by the poll thread only. */
final class ReplyWork {

    /** What the loop holds for one replies partition it owns; replaced on every (re)assignment. */
    static final class PartitionState {
        final TopicPartition tp;
        final PartitionProgress progress;
        /** Marker keys ({@code replyId:chunk}) of chunks WeCom accepted, loaded on assignment and added to since. */
        final Set<String> delivered;
        final List<ProducerRecord<String, byte[]>> staged = new ArrayList<>();
        boolean dirty;
        boolean paused;

        PartitionState(TopicPartition tp, PartitionProgress progress, Set<String> delivered) {
            this.tp = tp;
            this.progress = progress;
            this.delivered = delivered;
        }
    }

    final PartitionState state;
    final ConsumerRecord<String, byte[]> record;
    final ReplyPreparer.Prepared prepared;
    /** Set when a revocation gave up waiting for its delivery and freed its key. */
    boolean released;

    ReplyWork(PartitionState state, ConsumerRecord<String, byte[]> record, ReplyPreparer.Prepared prepared) {
        this.state = state;
        this.record = record;
        this.prepared = prepared;
    }

    /** The scheduling key: the record key ({@code corp_id:user_id}), one delivery at a time per key. */
    String key() {
        return record.key() != null ? record.key() : prepared.message().userKey().toString();
    }

    /** Indices of chunks without a delivery marker, ascending. */
    List<Integer> undelivered() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < prepared.chunks().size(); i++) {
            if (!state.delivered.contains(DeliveredLog.key(prepared.message().replyId(), i))) {
                out.add(i);
            }
        }
        return out;
    }
}
