package dev.wecompipeline.bench;

/**
 * What one load run measured, whichever tool ran it.
 *
 * @param tool        {@code wrk} or {@code bench load} (the JVM load generator in its own process)
 * @param requests    responses received
 * @param non2xx      responses that were not 2xx (a rejected callback is not a valid one)
 * @param errors      connection errors and timeouts
 * @param seconds     measured duration
 * @param offeredRate callbacks per second offered by a paced run; 0 for a closed loop (as fast as answered)
 * @param p50Ms       median latency; in a paced run measured from each request's scheduled time
 * @param p99Ms       99th percentile latency, likewise
 * @param repeated    more requests were sent than the file holds, so some were repeats the dedupe cache answered
 * @param startEpochMs when the run's clock started (a paced run's request {@code i} is due {@code i / rate} later)
 */
public record LoadResult(String tool, long requests, long non2xx, long errors, double seconds, double offeredRate,
                         double p50Ms, double p99Ms, boolean repeated, long startEpochMs) {

    /** 2xx answers per second. */
    public double okPerSecond() {
        return seconds <= 0 ? 0 : (requests - non2xx) / seconds;
    }

    /** Whether every request was answered 2xx. */
    public boolean allOk() {
        return non2xx == 0 && errors == 0 && requests > 0;
    }
}
