package dev.wecompipeline.bench;

import java.util.List;
import java.util.Locale;

/** The side-by-side table as Markdown, as the README shows it. */
public final class SideBySideTable {

    private SideBySideTable() {
    }

    /**
     * @param rows      the servers measured (or skipped), the reference first when present
     * @param capacity  the all-in-one's end-to-end capacity, or null when not measured
     * @param reference the reference's row for the "× reference" column (its best run), or null
     */
    public static String format(List<SideBySideBench.Row> rows, CapacityBench.Result capacity, SideBySideBench.Row reference,
                                String loadNote) {
        StringBuilder t = new StringBuilder();
        t.append("| server | GET /health/s | callbacks/s | ÷ own /health | × reference | p99 at saturation |\n");
        t.append("|---|---:|---:|---:|---:|---:|\n");
        // Against the reference at its best (usually its first warm-up run, before its dedupe filled):
        // the ratio never profits from the reference slowing down under sustained load.
        double refRate = reference != null && reference.callbacks() != null ? reference.bestCallbacks() : 0;
        for (SideBySideBench.Row r : rows) {
            if (r.skipped() != null) {
                t.append("| ").append(r.server()).append(" | ").append(r.skipped()).append(" | | | | |\n");
                continue;
            }
            double cb = r.callbacks().okPerSecond();
            double health = r.health().okPerSecond();
            String best = r.bestCallbacks() > cb * 1.05
                    ? String.format(Locale.ROOT, " (best run %,.0f)", r.bestCallbacks()) : "";
            t.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f%s%s | %.2f | %s | %.1f ms |%n", r.server(), health, cb,
                    best, flags(r.callbacks()), cb / health, refRate > 0 ? String.format(Locale.ROOT, "%.1f", cb / refRate) : "–",
                    r.callbacks().p99Ms()));
        }
        if (capacity != null) {
            CapacityBench.Step e = capacity.atEightyPercent();
            t.append(String.format(Locale.ROOT, "| our all-in-one end to end: capacity without a backlog (echo agent, "
                            + "sandbox as WeCom) | | %,.0f | | %s | %s |%n", capacity.capacity(),
                    refRate > 0 ? String.format(Locale.ROOT, "%.1f", capacity.capacity() / refRate) : "–",
                    e == null ? "–" : String.format(Locale.ROOT, "ack p99 %.1f ms at 80 %% (%,.0f/s)", e.ackP99Ms(), e.rate())));
        }
        t.append("\nLoad: ").append(loadNote).append(".\n");
        return t.toString();
    }

    /** Marks a figure that is not clean: rejected callbacks, errors, or repeats answered by the dedupe cache. */
    private static String flags(LoadResult r) {
        StringBuilder f = new StringBuilder();
        if (r.non2xx() > 0) {
            f.append(" (").append(r.non2xx()).append(" not 2xx)");
        }
        if (r.errors() > 0) {
            f.append(" (").append(r.errors()).append(" socket errors)");
        }
        if (r.repeated()) {
            f.append(" (ran past the signed callbacks: some repeats)");
        }
        return f.toString();
    }
}
