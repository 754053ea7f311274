package dev.wecompipeline.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An HTTP/1.1 load generator: {@code connections} threads, each with one keep-alive socket. Closed
 * loop (rate 0): the next prepared request goes out as soon as the previous answer is read. Paced
 * (rate &gt; 0): request {@code i} is due {@code i / rate} after the start, whoever is free sends it,
 * and its latency counts from when it was due, so a server that falls behind shows it (no
 * coordinated omission). Runs in {@code bench load}, a process of its own: the JDK's HttpClient
 * costs more CPU per request than the servers under test, and in the server's JVM it would share
 * its JIT, GC and cores. Requests are prepared bytes, so nothing is signed while the clock runs.
 */
final class KeepAliveLoad {

    private KeepAliveLoad() {
    }

    /** An HTTP/1.1 request as bytes, ready to write. */
    static byte[] request(String method, String host, int port, String pathAndQuery, byte[] body) {
        String head = method + " " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + ":" + port
                + "\r\nContent-Type: text/xml\r\nContent-Length: " + body.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[h.length + body.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(body, 0, out, h.length, body.length);
        return out;
    }

    /**
     * Runs for {@code duration} or until {@code requests} were sent (index {@code i} is
     * {@code requests.get(i % size)}; past the end they repeat, and the result says so).
     */
    static LoadResult run(String host, int port, List<byte[]> requests, long limit, double rate, Duration duration,
                          int connections) throws InterruptedException {
        AtomicInteger taken = new AtomicInteger();
        AtomicLong non2xx = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicInteger answered = new AtomicInteger();
        long max = Math.min(limit, rate > 0 ? (long) Math.ceil(rate * duration.toNanos() / 1e9) : Integer.MAX_VALUE);
        // Latencies in microseconds; a closed loop at tens of thousands a second fills this within its duration.
        int[] micros = new int[(int) Math.min(max, 4_000_000)];
        long startEpochMs = System.currentTimeMillis();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        double interval = rate > 0 ? 1e9 / rate : 0;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Thread t = new Thread(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(host, port), 5_000);
                    socket.setTcpNoDelay(true);
                    socket.setSoTimeout(30_000);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
                    int i;
                    while ((i = taken.getAndIncrement()) < max) {
                        long due = rate > 0 ? start + (long) (i * interval) : System.nanoTime();
                        if (rate > 0) {
                            // Waiting for this request's slot is the pacing itself.
                            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                                LockSupport.parkNanos(wait);
                            }
                        } else if (due >= end) {
                            break;
                        }
                        out.write(requests.get(i % requests.size()));
                        out.flush();
                        if (readResponse(in) / 100 != 2) {
                            non2xx.incrementAndGet();
                        }
                        if (i < micros.length) {
                            micros[i] = (int) Math.min(Integer.MAX_VALUE, (System.nanoTime() - due) / 1000);
                        }
                        answered.incrementAndGet();
                    }
                } catch (IOException e) {
                    // A connection the server closed ends this thread's share of the load.
                    errors.incrementAndGet();
                }
            }, "load-" + c);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int n = Math.min(answered.get(), micros.length);
        int[] sorted = Arrays.copyOf(micros, (int) Math.min(Math.max(taken.get(), 0), micros.length));
        Arrays.sort(sorted);
        return new LoadResult("bench load", answered.get(), non2xx.get(), errors.get(), seconds, rate,
                percentile(sorted, n, 0.50), percentile(sorted, n, 0.99), answered.get() > requests.size(), startEpochMs);
    }

    /** The {@code q} quantile in ms of the top {@code n} values (unanswered slots are zeros at the bottom). */
    private static double percentile(int[] sorted, int n, double q) {
        if (n == 0) {
            return 0;
        }
        int offset = sorted.length - n;
        int i = offset + Math.max(0, Math.min(n - 1, (int) Math.ceil(q * n) - 1));
        return sorted[i] / 1000.0;
    }

    /** Reads one response (status line, headers, Content-Length body) and returns its status. */
    private static int readResponse(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int status = -1;
        long contentLength = 0;
        while (true) {
            line.setLength(0);
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            if (line.length() == 0) {
                break;
            }
            String l = line.toString();
            if (status < 0) {
                status = Integer.parseInt(l.substring(9, 12));
            } else if (l.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                contentLength = Long.parseLong(l.substring(15).trim());
            }
        }
        for (long skipped = 0; skipped < contentLength; ) {
            long s = in.skip(contentLength - skipped);
            if (s <= 0) {
                if (in.read() < 0) {
                    throw new IOException("connection closed in body");
                }
                s = 1;
            }
            skipped += s;
        }
        return status;
    }
}
