package dev.wecompipeline.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The table's ratios: against each server's own /health, and against the reference at its best. */
class SideBySideTableTest {

    private static LoadResult run(double perSecond) {
        return new LoadResult("wrk", Math.round(perSecond * 10), 0, 0, 10, 0, 1, 20, false, 0);
    }

    @Test
    void the_reference_ratio_is_taken_against_the_references_best_run_not_its_slower_measured_one() {
        // The reference slowed from 1,800/s in its first run to 500/s by its measured one.
        SideBySideBench.Row reference = new SideBySideBench.Row("reference", run(8_000), run(500), 1_800, null);
        SideBySideBench.Row ours = new SideBySideBench.Row("our ingress", run(24_000), run(5_400), 5_400, null);
        String table = SideBySideTable.format(List.of(reference, ours), null, reference, "wrk");

        assertTrue(table.contains("| reference | 8,000 | 500 (best run 1,800) | 0.06 | 0.3 |"), table);
        assertTrue(table.contains("| our ingress | 24,000 | 5,400 | 0.23 | 3.0 |"), table);
    }

    @Test
    void a_skipped_reference_leaves_the_ratio_column_empty() {
        SideBySideBench.Row skipped = SideBySideBench.Row.skipped("reference", "skipped: install python3-aiohttp");
        SideBySideBench.Row ours = new SideBySideBench.Row("our ingress", run(24_000), run(5_400), 5_400, null);
        String table = SideBySideTable.format(List.of(skipped, ours), null, null, "wrk");

        assertTrue(table.contains("| reference | skipped: install python3-aiohttp |"), table);
        assertTrue(table.contains("| our ingress | 24,000 | 5,400 | 0.23 | – |"), table);
    }
}
