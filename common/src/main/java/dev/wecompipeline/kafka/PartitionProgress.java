package dev.wecompipeline.kafka;

import java.util.Base64;
import java.util.BitSet;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;

/**
 * Which records of one partition are finished, so that only the contiguous prefix of finished
 * records is committed as the offset, and the finished records beyond it travel in the commit's
 * metadata (as Confluent's parallel-consumer does with its offset map).
 *
 * <p>After a crash or a rebalance the next owner starts at the committed offset and skips the
 * records listed in the metadata: work that finished, and whose reply was committed in the same
 * transaction, is never done twice. Only the poll thread touches an instance.
 */
public final class PartitionProgress {

    /** Metadata format marker; anything else (or nothing) means "no finished records beyond the offset". */
    public static final String METADATA_PREFIX = "wp1:";

    private final NavigableSet<Long> pending = new TreeSet<>();
    private final NavigableSet<Long> finishedAhead = new TreeSet<>();
    private final Set<Long> restoredFinished;
    private long nextOffset;
    private boolean seenAny;

    /**
     * @param committed the group's committed offset for this partition, or null when it has none
     */
    public PartitionProgress(OffsetAndMetadata committed) {
        this.nextOffset = committed == null ? -1 : committed.offset();
        this.restoredFinished = committed == null ? Set.of() : decode(committed.metadata(), committed.offset());
    }

    /** True when a previous owner finished this record (its reply is already committed). */
    public boolean finishedBefore(long offset) {
        return restoredFinished.contains(offset);
    }

    /** A polled record that still has to be finished. */
    public void started(long offset) {
        firstSeen(offset);
        pending.add(offset);
    }

    /** A record done: answered, skipped as duplicate, dead-lettered or finished before. */
    public void finished(long offset) {
        firstSeen(offset);
        pending.remove(offset);
        finishedAhead.add(offset);
        advance();
    }

    /** Number of records polled and not yet finished. */
    public int pendingCount() {
        return pending.size();
    }

    /** The offset to commit: everything below it is finished. */
    public long committableOffset() {
        return nextOffset;
    }

    /** Offset and metadata for a commit; null when nothing was ever seen on this partition. */
    public OffsetAndMetadata toCommit() {
        return nextOffset < 0 ? null : new OffsetAndMetadata(nextOffset, encode(nextOffset, finishedAhead));
    }

    /**
     * The consumer starts at the committed offset, so the first record it returns is the first that
     * still exists at or after it; records below were deleted by retention (or were compacted away).
     */
    private void firstSeen(long offset) {
        if (!seenAny) {
            seenAny = true;
            nextOffset = Math.max(nextOffset, offset);
        }
    }

    private void advance() {
        // Offsets are dense within what was fetched; a gap (a transaction marker) is skipped once
        // the next finished offset is the lowest thing outstanding.
        while (!finishedAhead.isEmpty()) {
            long first = finishedAhead.first();
            boolean blocked = !pending.isEmpty() && pending.first() < first;
            if (blocked) {
                return;
            }
            finishedAhead.pollFirst();
            nextOffset = first + 1;
        }
    }

    /** Finished offsets at or above {@code base}, as a bit set relative to {@code base}, base64url. */
    public static String encode(long base, NavigableSet<Long> finished) {
        if (finished.isEmpty()) {
            return "";
        }
        BitSet bits = new BitSet();
        for (long offset : finished.tailSet(base, true)) {
            long delta = offset - base;
            if (delta <= Integer.MAX_VALUE) {
                bits.set((int) delta);
            }
        }
        return METADATA_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bits.toByteArray());
    }

    public static Set<Long> decode(String metadata, long base) {
        if (metadata == null || !metadata.startsWith(METADATA_PREFIX)) {
            return Set.of();
        }
        BitSet bits;
        try {
            bits = BitSet.valueOf(Base64.getUrlDecoder().decode(metadata.substring(METADATA_PREFIX.length())));
        } catch (IllegalArgumentException notOurs) {
            return Set.of();
        }
        Set<Long> out = new TreeSet<>();
        for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
            out.add(base + i);
        }
        return out;
    }
}
