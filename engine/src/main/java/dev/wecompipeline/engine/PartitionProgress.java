package dev.wecompipeline.engine;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;

/**
 * Which records of one owned partition are done, held in memory, or deferred, and what may be
 * committed for it: the offset below which everything is done, and in the offset metadata the
 * records done beyond it ({@link OffsetMapCodec}), as parallel-consumer keeps its offset map.
 *
 * <p>Three rules make exactly-once hold at scale:
 * <ul>
 *   <li>What a previous owner committed as done beyond the offset is kept in every later commit
 *       until the offset passes it, so progress survives any number of handovers.</li>
 *   <li>The metadata never exceeds the broker's cap: when all that is done would not fit, only the
 *       records up to a cut are committed and the rest stay staged (with their outputs) until
 *       the offset moves. A commit never fails for size.</li>
 *   <li>Offsets below the fetch frontier that are neither held, deferred nor done were never
 *       returned by the consumer (transaction markers, aborted or deleted records) and are passed.</li>
 * </ul>
 * Only the loop thread touches an instance.
 */
final class PartitionProgress {

    /** Where a commit would put the partition, and which newly done records it includes. */
    record CommitPoint(OffsetAndMetadata offset, NavigableSet<Long> included) {
    }

    private long base;
    private boolean baseKnown;
    /** Done and already committed (by us or a previous owner), relative to {@link #base}. */
    private BitSet committedDone;
    /** Done since the last commit: their outputs are still staged. */
    private final TreeSet<Long> newlyDone = new TreeSet<>();
    private final TreeSet<Long> held = new TreeSet<>();
    private final TreeMap<Long, String> deferred = new TreeMap<>();
    private final Map<String, NavigableSet<Long>> deferredByKey = new HashMap<>();
    private long fetchedUpTo;
    private long highestDone = -1;

    /** @param committed the group's commit for the partition, or null when it has none */
    PartitionProgress(OffsetAndMetadata committed) {
        this.baseKnown = committed != null;
        this.base = committed == null ? 0 : committed.offset();
        this.fetchedUpTo = base;
        this.committedDone = committed == null ? new BitSet() : OffsetMapCodec.decode(committed.metadata());
        if (!committedDone.isEmpty()) {
            highestDone = base + committedDone.length() - 1;
        }
    }

    /** The consumer returned {@code offset}; the first one fixes the base of a partition without commits. */
    void fetched(long offset) {
        if (!baseKnown) {
            baseKnown = true;
            base = offset;
        }
        // The first record at or after a committed offset may lie beyond it: retention deleted the rest.
        fetchedUpTo = Math.max(fetchedUpTo, offset + 1);
    }

    boolean isDone(long offset) {
        return offset < base || (offset - base < Integer.MAX_VALUE && committedDone.get((int) (offset - base)))
                || newlyDone.contains(offset);
    }

    boolean isHeld(long offset) {
        return held.contains(offset);
    }

    /** True when {@code offset} was returned before (this is a re-read after a rewind). */
    boolean seenBefore(long offset) {
        return offset < fetchedUpTo;
    }

    /** A record taken into memory to be worked on. */
    void hold(long offset) {
        undefer(offset);
        held.add(offset);
    }

    /** A record seen but not kept (its key's queue is full): it is read again later. */
    void defer(long offset, String key) {
        if (deferred.put(offset, key) == null) {
            deferredByKey.computeIfAbsent(key, k -> new TreeSet<>()).add(offset);
        }
    }

    /**
     * True when a record of {@code key} at {@code offset} must wait in Kafka behind an earlier
     * deferred record of the same key: taking it now would answer the user out of order.
     */
    boolean behindDeferred(String key, long offset) {
        NavigableSet<Long> mine = deferredByKey.get(key);
        return mine != null && mine.first() < offset;
    }

    private void undefer(long offset) {
        String key = deferred.remove(offset);
        if (key != null) {
            NavigableSet<Long> mine = deferredByKey.get(key);
            mine.remove(offset);
            if (mine.isEmpty()) {
                deferredByKey.remove(key);
            }
        }
    }

    /** A record done (answered, skipped, dead-lettered): its outputs wait for the next commit. */
    void finish(long offset) {
        held.remove(offset);
        undefer(offset);
        newlyDone.add(offset);
        highestDone = Math.max(highestDone, offset);
    }

    /** Forgets a held record that will not be finished here (its partition's work is being redone). */
    void release(long offset) {
        held.remove(offset);
    }

    int heldCount() {
        return held.size();
    }

    NavigableMap<Long, String> deferred() {
        return deferred;
    }

    /** The keys with records deferred on this partition. */
    Set<String> deferredKeys() {
        return deferredByKey.keySet();
    }

    /** True when {@code offset} lies beyond everything done so far: starting it would widen the span. */
    boolean beyondSpan(long offset) {
        return offset > highestDone;
    }

    boolean hasNewlyDone() {
        return !newlyDone.isEmpty();
    }

    /**
     * The commit for now, its metadata at most {@code maxChars} long: everything done if that fits,
     * else the newly done records up to the largest cut that fits. Null before any record was seen.
     */
    CommitPoint commitPoint(int maxChars) {
        if (!baseKnown) {
            return null;
        }
        long frontier = fetchedUpTo;
        if (!held.isEmpty()) {
            frontier = Math.min(frontier, held.first());
        }
        if (!deferred.isEmpty()) {
            frontier = Math.min(frontier, deferred.firstKey());
        }
        NavigableSet<Long> all = newlyDone;
        String metadata = encode(frontier, all);
        if (metadata.length() <= maxChars) {
            return new CommitPoint(new OffsetAndMetadata(frontier, metadata), new TreeSet<>(all));
        }
        // Newly done records below the frontier are covered by the offset itself; cut among the rest.
        List<Long> above = List.copyOf(newlyDone.tailSet(frontier, true));
        int lo = 0;
        int hi = above.size();
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (encode(frontier, cut(above.get(mid - 1))).length() <= maxChars) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        NavigableSet<Long> included = lo == 0 ? new TreeSet<>(newlyDone.headSet(frontier, false))
                : cut(above.get(lo - 1));
        return new CommitPoint(new OffsetAndMetadata(frontier, encode(frontier, included)), included);
    }

    private NavigableSet<Long> cut(long lastIncluded) {
        return new TreeSet<>(newlyDone.headSet(lastIncluded, true));
    }

    /** The commit of {@code point} succeeded. */
    void committed(CommitPoint point) {
        for (long offset : point.included()) {
            if (offset >= base && offset - base < Integer.MAX_VALUE) {
                committedDone.set((int) (offset - base));
            }
        }
        newlyDone.removeAll(point.included());
        long next = point.offset().offset();
        if (next > base) {
            long shift = next - base;
            committedDone = shift >= committedDone.length() ? new BitSet()
                    : committedDone.get((int) shift, committedDone.length());
            base = next;
        }
    }

    long committedOffset() {
        return base;
    }

    private String encode(long frontier, NavigableSet<Long> newOnes) {
        BitSet bits = new BitSet();
        long shift = frontier - base;
        for (int i = committedDone.nextSetBit((int) Math.min(Integer.MAX_VALUE, shift)); i >= 0;
             i = committedDone.nextSetBit(i + 1)) {
            bits.set((int) (i - shift));
        }
        for (long offset : newOnes.tailSet(frontier, true)) {
            if (offset - frontier < Integer.MAX_VALUE) {
                bits.set((int) (offset - frontier));
            }
        }
        return OffsetMapCodec.encode(bits);
    }
}
