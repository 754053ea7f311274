package dev.wecompipeline.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.wecompipeline.sandbox.ReceivedMessage;
import dev.wecompipeline.sandbox.WeComApiSandbox;

/**
 * The pipeline's capacity: the highest offered rate of callbacks that {@code all-in-one} answers end
 * to end (echo agent, the sandbox as WeCom) without building a backlog. Each step offers a fixed
 * rate for a few seconds from a paced sender in its own process ({@code bench load}); a step keeps
 * up when every callback is acknowledged 200, every echo reaches the sandbox within
 * {@value #GRACE_MS} ms of the step's end, and the lag (callback due to WeCom accepting its echo)
 * of the step's last quarter is no more than {@value #LAG_GROWTH_MS} ms above its first quarter's and
 * at most {@value #MAX_LAG_MS} ms.
 * After warm-up steps at {@value #WARM_RATE}/s (until the lag stops falling), rates double from
 * {@value #FIRST_RATE}/s until a step falls behind twice in a row, then bisect. Last, the ingress
 * ack latency at 80 % of the capacity.
 */
public final class CapacityBench {

    static final int FIRST_RATE = 100;
    static final long GRACE_MS = 2_000;
    static final long LAG_GROWTH_MS = 300;
    /** A lag that holds steady but high is a backlog carried along (the echo path itself takes ~0.1-0.2 s). */
    static final long MAX_LAG_MS = 1_000;
    private static final int MAX_STEPS = 8;
    static final int WARM_RATE = 100;
    static final int WARM_STEP_SECONDS = 10;
    private static final int MAX_WARM_STEPS = 9;
    private static final long DRAIN_MS = 60_000;

    /** One step: offered rate, whether replies kept up, acks, deliveries and the lag percentiles (ms). */
    public record Step(double rate, boolean keptUp, long sent, long acked, long delivered, double ackP99Ms,
                       double lagP50Ms, double lagP99Ms, double lagFirstQuarterMs, double lagLastQuarterMs) {
    }

    /** The capacity (0 if even the first step fell behind), the steps, and the run at 80 % of it. */
    public record Result(double capacity, List<Step> steps, Step atEightyPercent) {
    }

    private final JvmLoad sender;
    private final WeComApiSandbox wecom;
    private final CallbackSimulator sim;
    private final Path dir;
    private final PrintStream progress;
    private int label;

    CapacityBench(JvmLoad sender, WeComApiSandbox wecom, CallbackSimulator sim, Path dir, PrintStream progress) {
        this.sender = sender;
        this.wecom = wecom;
        this.sim = sim;
        this.dir = dir;
        this.progress = progress;
    }

    Result run(String url, int stepSeconds, int finalSeconds) throws Exception {
        progress.printf("  capacity: paced steps of %d s from `bench load`, doubling from %d/s, then bisecting%n",
                stepSeconds, FIRST_RATE);
        warmUp(url);
        List<Step> steps = new ArrayList<>();
        double good = 0;
        double bad = Double.MAX_VALUE;
        double rate = FIRST_RATE;
        for (int i = 0; i < MAX_STEPS; i++) {
            Step s = step(url, rate, stepSeconds, null);
            steps.add(s);
            if (!s.keptUp() && drain()) {
                // One step can fall behind for a reason outside the pipeline (a GC pause, a neighbour on a
                // shared machine): a rate only counts as too high when it falls behind twice.
                s = step(url, rate, stepSeconds, "again");
                steps.add(s);
            }
            if (s.keptUp()) {
                good = rate;
            } else {
                bad = rate;
                if (!drain()) {
                    progress.println("  capacity: the backlog did not drain within a minute; stopping the steps");
                    break;
                }
            }
            if (bad != Double.MAX_VALUE && bad - good <= Math.max(25, good * 0.15)) {
                break;
            }
            rate = bad == Double.MAX_VALUE ? rate * 2 : Math.round((good + bad) / 2);
        }
        Step eighty = null;
        if (good > 0) {
            progress.printf("  capacity: %.0f/s; ack latency at 80 %% (%.0f/s) for %d s%n", good, good * 0.8, finalSeconds);
            eighty = step(url, Math.round(good * 0.8), finalSeconds, "80 %");
        }
        return new Result(good, steps, eighty);
    }

    /**
     * Warm-up steps at {@link #WARM_RATE} until the median lag stops falling: the all-in-one holds a
     * broker and three services, and on two cores its JIT was still busy 40 % of a core two minutes
     * into a run at 150/s. With one 6 s step at 50/s as the warm-up, the first doubling steps
     * measured the JIT (lag p50 700 ms at 100/s) rather than the pipeline (under 50 ms once warm).
     */
    private void warmUp(String url) throws Exception {
        double before = Double.MAX_VALUE;
        for (int i = 0; i < MAX_WARM_STEPS; i++) {
            Step w = step(url, WARM_RATE, WARM_STEP_SECONDS, "warm-up");
            drain();
            if (w.lagP50Ms() > before * 0.9) {
                return;
            }
            before = w.lagP50Ms();
        }
    }

    /** @param tag printed instead of the verdict for a run that is not a step (the warm-up, the 80 % run) */
    private Step step(String url, double rate, int seconds, String tag) throws Exception {
        String name = "cap" + label++;
        int count = (int) Math.ceil(rate * seconds);
        Path file = SignedCallbackFile.write(Files.createDirectories(dir).resolve(name + ".txt"), sim, name, count);
        long deliveredBefore = wecom.deliveredCount();
        LoadResult sent = sender.post(url, file, rate, seconds);
        long deadline = System.currentTimeMillis() + GRACE_MS;
        while (wecom.deliveredCount() - deliveredBefore < count && System.currentTimeMillis() < deadline) {
            Thread.sleep(20); // polling the sandbox's delivery record
        }
        double interval = 1000.0 / rate;
        long[] lag = new long[count];
        boolean[] seen = new boolean[count];
        int delivered = 0;
        String prefix = name + " ";
        for (ReceivedMessage m : wecom.delivered()) {
            if (m.content().startsWith(prefix)) {
                int i = Integer.parseInt(m.content().substring(prefix.length()));
                if (i < count && !seen[i]) {
                    seen[i] = true;
                    lag[i] = m.time().toEpochMilli() - (sent.startEpochMs() + Math.round(i * interval));
                    delivered++;
                }
            }
        }
        double firstQuarter = median(lag, seen, 0, count / 4);
        double lastQuarter = median(lag, seen, count - count / 4, count);
        long[] all = new long[delivered];
        for (int i = 0, k = 0; i < count; i++) {
            if (seen[i]) {
                all[k++] = lag[i];
            }
        }
        Arrays.sort(all);
        boolean keptUp = sent.allOk() && sent.requests() == count && delivered == count
                && lastQuarter - firstQuarter <= LAG_GROWTH_MS && lastQuarter <= MAX_LAG_MS;
        Step s = new Step(rate, keptUp, count, sent.requests() - sent.non2xx(), delivered, sent.p99Ms(),
                pct(all, 0.5), pct(all, 0.99), firstQuarter, lastQuarter);
        String verdict = (tag != null && !tag.equals("again") ? tag : keptUp ? "kept up" : "fell behind")
                + (tag != null && tag.equals("again") ? " (again)" : "");
        progress.printf("  capacity: %5.0f/s %s: %d/%d acked (p99 %.1f ms), %d delivered within %d ms of the end, "
                        + "lag p50 %.0f / p99 %.0f ms (first quarter %.0f, last %.0f)%n", rate, verdict, s.acked(), count,
                s.ackP99Ms(), delivered, GRACE_MS, s.lagP50Ms(), s.lagP99Ms(), firstQuarter, lastQuarter);
        return s;
    }

    /** Waits until every callback sent so far has been answered; false if the backlog stays. */
    private boolean drain() throws InterruptedException {
        long deadline = System.currentTimeMillis() + DRAIN_MS;
        long last = -1;
        long stableSince = System.currentTimeMillis();
        while (System.currentTimeMillis() < deadline) {
            long now = wecom.deliveredCount();
            if (now != last) {
                last = now;
                stableSince = System.currentTimeMillis();
            } else if (System.currentTimeMillis() - stableSince > 1_500) {
                return true; // nothing arrived for 1.5 s: the backlog is gone
            }
            Thread.sleep(100); // polling the sandbox's delivery record
        }
        return false;
    }

    private static double median(long[] lag, boolean[] seen, int from, int to) {
        long[] part = new long[Math.max(0, to - from)];
        int n = 0;
        for (int i = from; i < to; i++) {
            if (seen[i]) {
                part[n++] = lag[i];
            }
        }
        // A quarter with nothing delivered has no finite lag: it certainly fell behind.
        if (n == 0) {
            return to > from ? Double.MAX_VALUE / 4 : 0;
        }
        Arrays.sort(part, 0, n);
        return part[(n - 1) / 2];
    }

    private static double pct(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1))];
    }
}
