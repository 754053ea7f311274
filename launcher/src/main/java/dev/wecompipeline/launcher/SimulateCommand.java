package dev.wecompipeline.launcher;

import java.util.concurrent.Callable;

import dev.wecompipeline.bench.CallbackSimulator;
import dev.wecompipeline.config.AppConfig;
import dev.wecompipeline.config.ConfigException;
import dev.wecompipeline.config.PipelineConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wecom-pipeline simulate}: encrypted, signed callbacks to a running ingress, as WeCom sends them. */
@Command(name = "simulate",
        mixinStandardHelpOptions = true,
        description = {
                "Sends encrypted, signed callbacks to a running ingress as WeCom would,",
                "shows progress and prints acks, errors and ack latency percentiles.",
                "App credentials come from the configuration (WECOM_CALLBACK_* or config.yaml) unless given."})
final class SimulateCommand implements Callable<Integer> {

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8645/wecom/callback",
            description = "Callback URL (default ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--app", description = "App name from the configuration (default: the first).")
    String app;

    @Option(names = "--corp-id", description = "Corp id (instead of the configuration).")
    String corpId;

    @Option(names = "--agent-id", description = "Agent id (instead of the configuration).")
    String agentId;

    @Option(names = "--token", description = "Callback token (instead of the configuration).")
    String token;

    @Option(names = "--encoding-aes-key", description = "EncodingAESKey (instead of the configuration).")
    String aesKey;

    @Option(names = "--users", defaultValue = "10", description = "Distinct senders (default ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--messages", defaultValue = "100", description = "Callbacks to send (default ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--rate", defaultValue = "0", description = "Callbacks per second; 0 = as fast as possible (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--concurrency", defaultValue = "32", description = "Requests in flight (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Override
    public Integer call() throws Exception {
        if (token == null || aesKey == null || corpId == null) {
            PipelineConfig config = ServiceStartup.loadConfig().requireApps();
            AppConfig a = app == null ? config.apps().get(0) : config.app(app)
                    .orElseThrow(() -> new ConfigException("--app", "no app named " + app));
            token = token == null ? a.token() : token;
            aesKey = aesKey == null ? a.encodingAesKey() : aesKey;
            corpId = corpId == null ? a.corpId() : corpId;
            agentId = agentId == null ? a.agentId() : agentId;
        }
        System.out.printf("simulate: %d callbacks from %d users to %s (rate %s, concurrency %d)%n", messages, users, url,
                rate == 0 ? "max" : rate + "/s", concurrency);
        CallbackSimulator.Report r = new CallbackSimulator(url, token, aesKey, corpId, agentId == null ? "1000002" : agentId)
                .run(new CallbackSimulator.Plan(users, messages, rate, concurrency), System.out);
        System.out.printf("simulate: %d sent in %.2f s (%.0f/s); statuses %s; transport errors %d%n", r.sent(), r.seconds(),
                r.perSecond(), r.statuses(), r.errors());
        System.out.printf("simulate: ack latency p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms%n",
                r.p50Ms(), r.p99Ms(), r.p999Ms(), r.maxMs());
        return r.acks() == r.sent() ? 0 : 1;
    }
}
