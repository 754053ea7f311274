package dev.wecompipeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WrkTest {

    /** wrk 4.2's report for a run with --latency, socket errors and rejected requests. */
    private static final String REPORT = """
            Running 8s test @ http://127.0.0.1:41234/wecom/callback
              1 threads and 32 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     3.02ms    5.91ms 118.34ms   95.12%
                Req/Sec    12.61k     1.10k   14.02k    78.75%
              Latency Distribution
                 50%    1.95ms
                 75%    2.61ms
                 90%    4.20ms
                 99%   32.50ms
              100482 requests in 8.10s, 10.54MB read
              Socket errors: connect 0, read 2, write 0, timeout 1
              Non-2xx or 3xx responses: 7
            Requests/sec:  12405.19
            Transfer/sec:      1.30MB
            """;

    @Test
    void reads_requests_duration_percentiles_rejections_and_socket_errors() {
        LoadResult r = Wrk.parse(REPORT, 200_000);
        assertEquals("wrk", r.tool());
        assertEquals(100_482, r.requests());
        assertEquals(8.10, r.seconds(), 1e-9);
        assertEquals(1.95, r.p50Ms(), 1e-9);
        assertEquals(32.50, r.p99Ms(), 1e-9);
        assertEquals(7, r.non2xx());
        assertEquals(3, r.errors());
        assertEquals((100_482 - 7) / 8.10, r.okPerSecond(), 1e-6);
        assertFalse(r.repeated());
        assertFalse(r.allOk());
    }

    @Test
    void converts_microseconds_and_seconds_and_counts_a_clean_run_as_all_ok() {
        String report = """
                  Latency Distribution
                     50%  250.00us
                     75%  491.00us
                     90%  700.00us
                     99%    1.20s
                  568492 requests in 10.00s, 66.04MB read
                Requests/sec:  56849.20
                """;
        LoadResult r = Wrk.parse(report, Long.MAX_VALUE);
        assertEquals(0.25, r.p50Ms(), 1e-9);
        assertEquals(1200, r.p99Ms(), 1e-9);
        assertEquals(0, r.non2xx());
        assertEquals(0, r.errors());
        assertTrue(r.allOk());
    }

    @Test
    void says_when_the_run_went_past_the_signed_callbacks() {
        assertTrue(Wrk.parse(REPORT, 100_000).repeated());
    }

    @Test
    void a_report_without_a_request_count_is_an_error_not_a_zero() {
        assertThrows(IllegalArgumentException.class, () -> Wrk.parse("unable to connect to 127.0.0.1:1", 10));
    }
}
