package dev.wecompipeline.bench;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import dev.wecompipeline.crypto.CallbackEncoder;
import dev.wecompipeline.crypto.WxBizMsgCrypt;
import dev.wecompipeline.xml.InboundXmlMessage;
import dev.wecompipeline.xml.WeComXml;

/**
 * Sends encrypted, signed callbacks to an ingress as WeCom would, at a target rate with bounded
 * concurrency, and measures the acknowledgements: the load and smoke test behind
 * {@code wecom-pipeline simulate} and the ingress benchmark.
 *
 * <pre>{@code
 * var sim = new CallbackSimulator(url, token, aesKey, corpId, agentId);
 * CallbackSimulator.Report r = sim.run(new CallbackSimulator.Plan(20, 1000, 500, 64), System.out);
 * }</pre>
 */
public final class CallbackSimulator {

    /**
     * @param users       distinct senders ({@code sim-user-0} ...)
     * @param messages    callbacks to send in all
     * @param ratePerSec  target rate; 0 sends as fast as {@code concurrency} allows
     * @param concurrency requests in flight at most
     */
    public record Plan(int users, int messages, int ratePerSec, int concurrency) {
    }

    /** What came back: statuses, transport errors and acknowledgement latency percentiles (ms). */
    public record Report(int sent, Map<Integer, Integer> statuses, int errors, double seconds, double perSecond,
                         double p50Ms, double p99Ms, double p999Ms, double maxMs) {
        public int acks() {
            return statuses.getOrDefault(200, 0);
        }
    }

    private final URI url;
    private final CallbackEncoder encoder;
    private final String corpId;
    private final String agentId;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final String runId = Long.toString(System.currentTimeMillis(), 36);

    public CallbackSimulator(String url, String token, String encodingAesKey, String corpId, String agentId) {
        this.url = URI.create(url);
        this.encoder = new CallbackEncoder(new WxBizMsgCrypt(token, encodingAesKey, corpId), corpId, agentId);
        this.corpId = corpId;
        this.agentId = agentId;
    }

    /** The query string and body of a signed text callback from {@code user}, as WeCom would send it now. */
    public CallbackEncoder.SignedCallback signedCallback(String user, String msgId, String text) {
        long now = System.currentTimeMillis() / 1000;
        return encoder.post(WeComXml.toXml(InboundXmlMessage.text(corpId, user, now, agentId, msgId, text)), now);
    }

    /** A signed text callback from {@code user}, as WeCom would send it now. */
    public HttpRequest textCallback(String user, String msgId, String text) {
        return post(signedCallback(user, msgId, text));
    }

    /** A signed image callback from {@code user} naming media WeCom holds under {@code mediaId}. */
    public HttpRequest imageCallback(String user, String msgId, String picUrl, String mediaId) {
        long now = System.currentTimeMillis() / 1000;
        return post(encoder.post(WeComXml.toXml(InboundXmlMessage.image(corpId, user, now, agentId, msgId, picUrl,
                mediaId)), now));
    }

    private HttpRequest post(CallbackEncoder.SignedCallback cb) {
        return HttpRequest.newBuilder(URI.create(url + (url.getQuery() == null ? "?" : "&") + cb.query()))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "text/xml")
                .POST(HttpRequest.BodyPublishers.ofString(cb.body())).build();
    }

    public Report run(Plan plan, PrintStream progress) throws InterruptedException {
        Semaphore inFlight = new Semaphore(plan.concurrency());
        long[] latencies = new long[plan.messages()];
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        LongAdder errors = new LongAdder();
        AtomicInteger done = new AtomicInteger();
        AtomicLong lastReport = new AtomicLong(System.nanoTime());
        long start = System.nanoTime();
        long intervalNanos = plan.ratePerSec() > 0 ? 1_000_000_000L / plan.ratePerSec() : 0;
        for (int i = 0; i < plan.messages(); i++) {
            if (intervalNanos > 0) {
                long due = start + i * intervalNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    // Pacing the offered load is what this loop is for.
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            inFlight.acquire();
            int n = i;
            HttpRequest request = textCallback("sim-user-" + (i % plan.users()), "sim-" + runId + "-" + i,
                    "simulated message " + i);
            long sentAt = System.nanoTime();
            http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
                latencies[n] = System.nanoTime() - sentAt;
                if (error != null) {
                    errors.increment();
                } else {
                    statuses.merge(response.statusCode(), 1, Integer::sum);
                }
                inFlight.release();
                int d = done.incrementAndGet();
                long now = System.nanoTime();
                long last = lastReport.get();
                if (progress != null && now - last > 1_000_000_000L && lastReport.compareAndSet(last, now)) {
                    progress.printf("  simulate: %d/%d answered (%d errors)%n", d, plan.messages(), errors.intValue());
                }
            });
        }
        inFlight.acquire(plan.concurrency());
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] sorted = Arrays.copyOf(latencies, latencies.length);
        Arrays.sort(sorted);
        return new Report(plan.messages(), new TreeMap<>(statuses), errors.intValue(), seconds,
                plan.messages() / seconds, pct(sorted, 0.50), pct(sorted, 0.99), pct(sorted, 0.999),
                sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
    }

    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(i, sorted.length - 1))] / 1e6;
    }
}
