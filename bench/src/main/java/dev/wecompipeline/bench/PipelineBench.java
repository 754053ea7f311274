package dev.wecompipeline.bench;

import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.ingress.IngressService;
import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.Topics;
import dev.wecompipeline.reply.ReplyService;
import dev.wecompipeline.sandbox.ReceivedMessage;
import dev.wecompipeline.sandbox.SandboxConfig;
import dev.wecompipeline.sandbox.WeComApiSandbox;
import dev.wecompipeline.worker.WorkerService;
import dev.wecompipeline.worker.WorkerRuntimeOptions;
import dev.wecompipeline.worker.agent.EchoAgent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;

/**
 * Pipeline overhead: from a callback's POST to WeCom accepting the answer at the sandbox, with an
 * echo agent that answers at once, so every millisecond measured is the pipeline's own (two Kafka
 * hops, a worker transaction, a reply-service send and its bookkeeping).
 */
public final class PipelineBench {

    /** Latency percentiles (ms) over {@code messages} round trips. */
    public record Result(int messages, double p50Ms, double p99Ms, double maxMs) {
    }

    /** Round trips before the measured ones, at the measured rate. */
    static final int WARM_ROUND_TRIPS = 400;

    private final String bootstrap;
    private final PrintStream progress;

    public PipelineBench(String bootstrap, PrintStream progress) {
        this.bootstrap = bootstrap;
        this.progress = progress;
    }

    public Result run(int messages, int ratePerSecond) throws Exception {
        try (WeComApiSandbox wecom = new WeComApiSandbox(SandboxConfig.builder().host("127.0.0.1").port(0).build()).start()) {
            wecom.registerApp(BenchEnv.CORP, BenchEnv.SECRET, Integer.parseInt(BenchEnv.AGENT_ID));
            PipelineConfig config = BenchEnv.config(bootstrap, Map.of("WECOM_API_BASE", wecom.baseUrl(),
                    "KAFKA_TOPIC_PARTITIONS", "4"));
            try (Admin admin = Admin.create(KafkaClientSettings.admin(bootstrap, "bench-admin"))) {
                Topics.ensure(admin, config.kafka(), Duration.ofSeconds(30));
            }
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (ReplyService reply = new ReplyService(config, bootstrap, registry, false, BenchEnv::loopDied).start();
                 WorkerService worker = new WorkerService(config, bootstrap,
                         WorkerRuntimeOptions.from(config, "bench-overhead"), new EchoAgent(Duration.ZERO), registry, false,
                         BenchEnv::loopDied).start();
                 IngressService ingress = new IngressService(config, bootstrap, registry).start()) {
                CallbackSimulator sim = new CallbackSimulator("http://127.0.0.1:" + ingress.port() + config.ingress().path(),
                        BenchEnv.TOKEN, BenchEnv.AES_KEY, BenchEnv.CORP, BenchEnv.AGENT_ID);
                HttpClient http = HttpClient.newHttpClient();
                // Warm the path (and let the groups settle) before measuring: at 20/s the JIT needs
                // about 15 s to compile it (latencies fall from 400 ms in the first seconds to under
                // 20 ms), and a 1 s warm-up put that into the measured p99.
                sendAndWait(sim, http, wecom, "warm", WARM_ROUND_TRIPS, ratePerSecond);
                Map<String, Long> sentAt = sendAndWait(sim, http, wecom, "run", messages, ratePerSecond);
                long[] latencies = new long[messages];
                int i = 0;
                for (ReceivedMessage d : wecom.delivered()) {
                    Long t0 = sentAt.get(d.content());
                    if (t0 != null && i < messages) {
                        latencies[i++] = d.time().toEpochMilli() - t0;
                    }
                }
                Arrays.sort(latencies, 0, i);
                return new Result(i, pct(latencies, i, 0.5), pct(latencies, i, 0.99), i == 0 ? 0 : latencies[i - 1]);
            }
        }
    }

    private Map<String, Long> sendAndWait(CallbackSimulator sim, HttpClient http, WeComApiSandbox wecom, String run,
                                          int messages, int ratePerSecond) throws Exception {
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        long interval = 1_000_000_000L / ratePerSecond;
        long start = System.nanoTime();
        long before = wecom.deliveredCount();
        for (int i = 0; i < messages; i++) {
            long wait = start + i * interval - System.nanoTime();
            if (wait > 0) {
                // Pacing the offered load.
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            // 50 users keep every user far below WeCom's 30 messages a minute.
            String text = run + " round trip " + i;
            sentAt.put(text, System.currentTimeMillis());
            http.sendAsync(sim.textCallback("rt-user-" + (i % 50), run + "-" + System.nanoTime() + "-" + i, text),
                    HttpResponse.BodyHandlers.discarding());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (wecom.deliveredCount() - before < messages && System.nanoTime() < deadline) {
            Thread.sleep(20); // polling the sandbox's delivery record
        }
        if (wecom.deliveredCount() - before < messages) {
            throw new IllegalStateException("only " + (wecom.deliveredCount() - before) + " of " + messages + " delivered");
        }
        progress.printf("  pipeline: %s, %d round trips done%n", run, messages);
        return new HashMap<>(sentAt);
    }

    private static double pct(long[] sorted, int n, double q) {
        return n == 0 ? 0 : sorted[Math.max(0, Math.min(n - 1, (int) Math.ceil(q * n) - 1))];
    }
}
