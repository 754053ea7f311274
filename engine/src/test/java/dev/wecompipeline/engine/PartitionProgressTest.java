package dev.wecompipeline.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.Test;

class PartitionProgressTest {

    private static final int CAP = 4096;

    @Test
    void one_held_record_and_thirty_thousand_done_beyond_it_commit_compactly() {
        PartitionProgress p = new PartitionProgress(new OffsetAndMetadata(100));
        for (long o = 100; o < 30_101; o++) {
            p.fetched(o);
            p.hold(o);
        }
        for (long o = 101; o < 30_101; o++) {
            p.finish(o);
        }
        PartitionProgress.CommitPoint point = p.commitPoint(CAP);
        assertEquals(100, point.offset().offset(), "the held record keeps the offset");
        assertTrue(point.offset().metadata().length() < 32, point.offset().metadata());
        assertEquals(30_000, point.included().size(), "everything done is committed");
        p.committed(point);
        p.finish(100);
        PartitionProgress.CommitPoint after = p.commitPoint(CAP);
        assertEquals(30_101, after.offset().offset(), "once the held record is done the offset passes everything");
        assertEquals("", after.offset().metadata());
    }

    @Test
    void when_everything_done_would_not_fit_only_a_prefix_is_committed_and_the_rest_waits() {
        PartitionProgress p = new PartitionProgress(new OffsetAndMetadata(0));
        for (long o = 0; o < 200_000; o++) {
            p.fetched(o);
            p.hold(o);
        }
        Random random = new Random(42);
        int done = 0;
        for (long o = 1; o < 200_000; o++) {
            if (random.nextInt(40) == 0) {
                p.finish(o);
                done++;
            }
        }
        PartitionProgress.CommitPoint point = p.commitPoint(CAP);
        assertEquals(0, point.offset().offset());
        assertTrue(point.offset().metadata().length() <= CAP, "never over the cap: " + point.offset().metadata().length());
        assertTrue(point.included().size() < done, "a cut was needed: " + point.included().size() + " of " + done);
        assertTrue(point.included().size() > 500, "but most of what fits is committed: " + point.included().size());
        long cut = point.included().last();
        p.committed(point);
        PartitionProgress.CommitPoint next = p.commitPoint(CAP);
        assertTrue(next.included().stream().allMatch(o -> o > cut), "what waited is offered again, nothing twice");
    }

    @Test
    void progress_survives_three_handovers_until_the_offset_passes_it() {
        // Owner A finishes 5, 7 and 9 while 3 is still running, and commits.
        PartitionProgress a = new PartitionProgress(new OffsetAndMetadata(3));
        for (long o = 3; o < 10; o++) {
            a.fetched(o);
            a.hold(o);
        }
        a.finish(5);
        a.finish(7);
        a.finish(9);
        OffsetAndMetadata fromA = commit(a);
        // B owns it briefly, reads 3 and 4, finishes nothing, and commits on revocation.
        PartitionProgress b = new PartitionProgress(fromA);
        for (long o = 3; o < 5; o++) {
            b.fetched(o);
            b.hold(o);
        }
        b.finish(4);
        OffsetAndMetadata fromB = commit(b);
        assertEquals(3, fromB.offset());
        // C must still see what A finished.
        PartitionProgress c = new PartitionProgress(fromB);
        for (long o : new long[] {4, 5, 7, 9}) {
            assertTrue(c.isDone(o), o + " finished by an earlier owner");
        }
        assertFalse(c.isDone(3));
        assertFalse(c.isDone(6));
        c.fetched(3);
        c.hold(3);
        c.finish(3);
        for (long o = 4; o < 10; o++) {
            c.fetched(o);
            if (!c.isDone(o)) {
                c.hold(o);
                c.finish(o);
            }
        }
        assertEquals(10, commit(c).offset());
    }

    @Test
    void offsets_the_consumer_never_returned_are_passed() {
        PartitionProgress p = new PartitionProgress(new OffsetAndMetadata(10));
        // 10 and 12 are records; 11 is a transaction marker the consumer never returns.
        p.fetched(10);
        p.hold(10);
        p.fetched(12);
        p.hold(12);
        p.finish(12);
        assertEquals(10, p.commitPoint(CAP).offset().offset());
        p.finish(10);
        assertEquals(13, p.commitPoint(CAP).offset().offset());
    }

    @Test
    void a_deferred_record_keeps_the_offset_until_it_is_read_again_and_done() {
        PartitionProgress p = new PartitionProgress(new OffsetAndMetadata(0));
        p.fetched(0);
        p.defer(0, "busy");
        p.fetched(1);
        p.hold(1);
        p.finish(1);
        assertEquals(0, p.commitPoint(CAP).offset().offset());
        p.hold(0);
        p.finish(0);
        assertEquals(2, p.commitPoint(CAP).offset().offset());
    }

    @Test
    void a_key_with_a_deferred_record_takes_no_later_record_before_it() {
        PartitionProgress p = new PartitionProgress(new OffsetAndMetadata(0));
        p.fetched(10);
        p.defer(10, "k");
        assertTrue(p.behindDeferred("k", 20), "a later record of k waits behind the deferred one");
        assertFalse(p.behindDeferred("k", 10), "the deferred record itself may be taken");
        assertFalse(p.behindDeferred("other", 20));
        p.hold(10);
        assertFalse(p.behindDeferred("k", 20));
    }

    private static OffsetAndMetadata commit(PartitionProgress p) {
        PartitionProgress.CommitPoint point = p.commitPoint(CAP);
        p.committed(point);
        return point.offset();
    }
}
