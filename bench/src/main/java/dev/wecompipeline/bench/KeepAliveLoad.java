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
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * A closed-loop HTTP/1.1 load generator: {@code connections} threads, each with one keep-alive
 * socket, sending the next prepared request as soon as the previous answer is read. It exists
 * because the JDK's HttpClient costs more CPU per request than the servers under test on a
 * 2-core machine, which would make the client, not the server, the thing measured. Requests are
 * prepared bytes, so the loop does no formatting or signing while the clock runs.
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
     * Runs for {@code duration} or until {@code limit} requests were taken from {@code next}.
     *
     * @return 2xx answers per second
     */
    static double run(String host, int port, IntFunction<byte[]> next, int limit, Duration duration, int connections)
            throws InterruptedException {
        AtomicInteger taken = new AtomicInteger();
        AtomicLong ok = new AtomicLong();
        long end = System.nanoTime() + duration.toNanos();
        long start = System.nanoTime();
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
                    while (System.nanoTime() < end && (i = taken.getAndIncrement()) < limit) {
                        out.write(next.apply(i));
                        out.flush();
                        if (readResponse(in) / 100 == 2) {
                            ok.incrementAndGet();
                        }
                    }
                } catch (IOException e) {
                    // A connection the server closed ends this thread's share of the load.
                }
            }, "load-" + c);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        return ok.get() / ((System.nanoTime() - start) / 1e9);
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
