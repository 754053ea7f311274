package dev.wecompipeline.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.ingress.IngressService;
import dev.wecompipeline.kafka.KafkaClientSettings;
import dev.wecompipeline.kafka.Topics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;

/**
 * Ingress throughput: valid signed callbacks through verify, decrypt and durable publish, against
 * the same server's {@code GET /health} with the same client in the same run; and the ack latency
 * at a fixed offered rate.
 */
public final class IngressBench {

    /** Results: rates per second, their ratio, and latency percentiles (ms) at {@code fixedRate}. */
    public record Result(double callbacksPerSecond, double healthPerSecond, double ratio, int fixedRate,
                         double p50Ms, double p99Ms, double p999Ms, Map<Integer, Integer> fixedRateStatuses) {
    }

    private final String bootstrap;
    private final PrintStream progress;

    public IngressBench(String bootstrap, PrintStream progress) {
        this.bootstrap = bootstrap;
        this.progress = progress;
    }

    public Result run(Duration each, int concurrency, int fixedRate) throws Exception {
        PipelineConfig config = BenchEnv.config(bootstrap, Map.of("KAFKA_TOPIC_PARTITIONS", "4"));
        try (Admin admin = Admin.create(KafkaClientSettings.admin(bootstrap, "bench-admin"))) {
            Topics.ensure(admin, config.kafka(), Duration.ofSeconds(30));
        }
        try (IngressService ingress = new IngressService(config, bootstrap,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).start()) {
            CallbackSimulator sim = new CallbackSimulator("http://127.0.0.1:" + ingress.port() + config.ingress().path(), BenchEnv.TOKEN,
                    BenchEnv.AES_KEY, BenchEnv.CORP, BenchEnv.AGENT_ID);

            progress.println("  ingress: signing callbacks ahead of time, then warming up");
            int port = ingress.port();
            String path = config.ingress().path();
            List<byte[]> warm = callbacks(sim, "warm", 30_000, port, path);
            List<byte[]> run = callbacks(sim, "run", MAX_PREPARED, port, path);
            byte[] health = KeepAliveLoad.request("GET", "127.0.0.1", port, "/health", new byte[0]);
            KeepAliveLoad.run("127.0.0.1", port, i -> health, Integer.MAX_VALUE, Duration.ofSeconds(3), concurrency);
            KeepAliveLoad.run("127.0.0.1", port, warm::get, warm.size(), Duration.ofSeconds(3), concurrency);

            progress.printf("  ingress: GET /health for %d s%n", each.toSeconds());
            double healthRate = KeepAliveLoad.run("127.0.0.1", port, i -> health, Integer.MAX_VALUE, each, concurrency);
            progress.printf("  ingress: valid callbacks for %d s (each a distinct message, published durably)%n",
                    each.toSeconds());
            double callbackRate = KeepAliveLoad.run("127.0.0.1", port, run::get, run.size(), each, concurrency);

            progress.printf("  ingress: ack latency at %d/s for %d s%n", fixedRate, each.toSeconds());
            CallbackSimulator.Report fixed = sim.run(new CallbackSimulator.Plan(200,
                    (int) (fixedRate * each.toSeconds()), fixedRate, 256), null);
            return new Result(callbackRate, healthRate, callbackRate / healthRate, fixedRate,
                    fixed.p50Ms(), fixed.p99Ms(), fixed.p999Ms(), fixed.statuses());
        }
    }

    /** Enough distinct callbacks for the measured window at well above the expected rate. */
    static final int MAX_PREPARED = 400_000;

    /** Distinct signed callbacks as request bytes, signed before the clock starts: every one is a durable publish. */
    private static List<byte[]> callbacks(CallbackSimulator sim, String run, int count, int port, String path) {
        String prefix = run + "-" + System.nanoTime() + "-";
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            var cb = sim.signedCallback("bench-user-" + (i % 500), prefix + i, "bench message " + i);
            out.add(KeepAliveLoad.request("POST", "127.0.0.1", port, path + "?" + cb.query(),
                    cb.body().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        return out;
    }

}
